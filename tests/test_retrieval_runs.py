"""Retrieval runs: the three readers, per-query values checked against pytrec_eval, hostile input.

pytrec_eval wraps trec_eval itself. The figures of whole TREC and BEIR runs, generated so that
their rank columns and scores disagree, are compared with it in test_trec_eval_agreement.py;
here each query's values, and the JSON Lines form (whose list order is its ranking), are.
trec_eval's recip_rank has no cut: MRR@10 is it when the first relevant document is within 10.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ragft_lint
from ragft_lint.errors import DeclarationError
from ragft_lint.evidence import retrieval
from ragft_lint.evidence.retrieval import guess_form, measure_run
from ragft_lint.evidence.retrieval_metrics import RetrievalFacts, score_query

pytrec_eval = pytest.importorskip("pytrec_eval")

Run = Dict[str, Dict[str, float]]
Qrels = Dict[str, Dict[str, int]]
MEASURES = {"P_5", "recall_5", "success_5"}


def measure(tmp: Path, name: str, text: str, qrels: Optional[str] = None,
            form: Optional[str] = None, qrels_name: str = "qrels.txt") -> RetrievalFacts:
    result = measure_any(tmp, name, text, qrels, form, qrels_name)
    assert isinstance(result, RetrievalFacts), result
    return result


def measure_any(tmp: Path, name: str, text: str, qrels: Optional[str] = None,
                form: Optional[str] = None, qrels_name: str = "qrels.txt") -> Any:
    (tmp / name).write_text(text, encoding="utf-8")
    judgements = None
    if qrels is not None:
        (tmp / qrels_name).write_text(qrels, encoding="utf-8")
        judgements = str(tmp / qrels_name)
    return measure_run(str(tmp / name), judgements, form, name, qrels_name)


def trec_order(scores: Dict[str, float]) -> List[str]:
    """trec_eval's order: score descending, then document id descending."""
    return sorted(scores, key=lambda doc: (scores[doc], doc), reverse=True)


# -- random runs --------------------------------------------------------------------------

DOCS = [f"d{n}" for n in range(14)]


@st.composite
def runs(draw: Any) -> Tuple[Run, Qrels]:
    queries = [f"q{n}" for n in range(draw(st.integers(1, 8)))]
    run: Run = {}
    qrels: Qrels = {}
    for query in queries:
        if draw(st.booleans()) or not run:  # some queries are judged but not in the run
            docs = draw(st.lists(st.sampled_from(DOCS), min_size=1, max_size=14, unique=True))
            # Few distinct scores, so that ties are common.
            run[query] = {doc: float(draw(st.integers(0, 3))) for doc in docs}
        if draw(st.integers(0, 4)):  # some queries have no judgement at all
            judged = draw(st.lists(st.sampled_from(DOCS), max_size=8, unique=True))
            # Grades 0 and below are not relevant; some queries end with none relevant.
            qrels[query] = {doc: draw(st.integers(-1, 3)) for doc in judged}
    return run, qrels


def reference(run: Run, qrels: Qrels) -> Dict[str, Dict[str, float]]:
    """pytrec_eval's per-query values for the queries both in the run and judged, MRR@10 as
    recip_rank where it is at least 1/10."""
    values = pytrec_eval.RelevanceEvaluator(qrels, MEASURES | {"recip_rank"}).evaluate(run)
    for got in values.values():
        got["recip_rank"] = got["recip_rank"] if got["recip_rank"] >= 0.1 else 0.0
    return values


@given(runs())
@settings(max_examples=150, deadline=None)
def test_per_query_values_agree_with_pytrec_eval(data: Tuple[Run, Qrels]) -> None:
    run, qrels = data
    expected = reference(run, qrels)
    for query, values in expected.items():
        got = score_query(trec_order(run[query]), qrels[query])
        assert got.precision_at_5 == pytest.approx(values["P_5"], abs=1e-12)
        assert got.recall_at_5 == pytest.approx(values["recall_5"], abs=1e-12)
        assert got.reciprocal_rank_at_10 == pytest.approx(values["recip_rank"], abs=1e-12)
        assert got.hit_at_5 == (values["success_5"] == 1.0)


@given(runs())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_json_lines_agree_with_pytrec_eval(data: Tuple[Run, Qrels]) -> None:
    run, qrels = data
    # Each line holds its query's judgements; a line with none is as a query nobody judged.
    lines = "".join(json.dumps({"query_id": q, "retrieved": trec_order(docs),
                                "relevant": qrels.get(q, {})}) + "\n" for q, docs in run.items())
    judged = {q: grades for q, grades in qrels.items() if grades}
    expected = reference(run, judged)
    with tempfile.TemporaryDirectory() as folder:
        facts = measure(Path(folder), "run.jsonl", lines)
    assert facts.judged == len(expected)
    assert facts.without_judgements == sum(1 for q in run if q not in judged)
    assert facts.depth == max(len(docs) for docs in run.values())
    if not expected:
        assert facts.precision_at_5 is None and facts.hit_rate_at_5 is None
        return
    for estimate, name in [(facts.precision_at_5, "P_5"), (facts.recall_at_5, "recall_5"),
                           (facts.mrr_at_10, "recip_rank"), (facts.hit_rate_at_5, "success_5")]:
        assert estimate is not None and estimate.n == len(expected)
        mean = sum(values[name] for values in expected.values()) / len(expected)
        assert estimate.value == pytest.approx(mean, abs=1e-12), name
        assert estimate.low <= estimate.value <= estimate.high
    assert facts.hit_rate_at_5 is not None and facts.hit_rate_at_5.method == "wilson"


# -- the forms ---------------------------------------------------------------------------


def test_json_lines_with_each_query_key_and_both_relevant_forms(tmp_path: Path) -> None:
    lines = [
        {"query_id": "q1", "retrieved": ["a", "b", "c"], "relevant": ["b"]},
        {"qid": 2, "retrieved": ["x", "y"], "relevant": {"y": 2, "x": 0}},
        {"query": "q3", "retrieved": ["m"], "relevant": {"m": 0}},
        {"query_id": "q4", "retrieved": [], "relevant": ["z"]},
    ]
    facts = measure(tmp_path, "run.jsonl", "".join(json.dumps(r) + "\n" for r in lines))
    # q3 is judged with no relevant document and q4 retrieved nothing: both count 0.
    assert (facts.form, facts.queries, facts.judged, facts.without_relevant) == (
        "jsonl", 4, 4, 1)
    assert facts.first_without_relevant == ("q3",)
    assert facts.depth == 3
    assert facts.precision_at_5 is not None and facts.precision_at_5.value == pytest.approx(
        (1 / 5 + 1 / 5 + 0 + 0) / 4)
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == pytest.approx(
        (1 / 2 + 1 / 2 + 0 + 0) / 4)
    assert facts.recall_at_5 is not None and facts.recall_at_5.value == pytest.approx(2 / 4)
    assert facts.hit_rate_at_5 is not None and facts.hit_rate_at_5.value == pytest.approx(2 / 4)
    assert facts.recall_at_5.method == "normal" and facts.hit_rate_at_5.method == "wilson"


def test_trec_run_and_qrels(tmp_path: Path) -> None:
    run = "q1 Q0 d1 1 3.0 bm25\nq1 Q0 d2 2 2.0 bm25\n\nq2 Q0 d9 1 1.0 bm25\n"
    qrels = "q1 0 d2 1\nq1 0 d3 2\nq2 0 d9 0\nq3 0 d4 1\n"
    facts = measure(tmp_path, "run.trec", run, qrels)
    assert (facts.form, facts.queries, facts.judged) == ("trec", 2, 2)
    assert (facts.without_relevant, facts.first_without_relevant) == (1, ("q2",))
    assert (facts.missing_from_run, facts.first_missing_from_run) == (1, ("q3",))
    assert facts.recall_at_5 is not None and facts.recall_at_5.value == pytest.approx(0.25)


def test_beir_run_and_qrels(tmp_path: Path) -> None:
    run = {"q1": {"d1": 0.9, "d2": 0.8}, "q2": {"d5": 0.1}}
    qrels = "query-id\tcorpus-id\tscore\nq1\td2\t1\nq2\td5\t1\n"
    facts = measure(tmp_path, "run.json", json.dumps(run, indent=2), qrels,
                    qrels_name="test.tsv")
    assert (facts.form, facts.queries, facts.judged, facts.depth) == ("beir", 2, 2, 2)
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == pytest.approx(0.75)


def test_forms_are_guessed_from_the_content() -> None:
    assert guess_form(b'\n{"query_id": "q", "retrieved": []}\n') == "jsonl"
    assert guess_form(b'\xef\xbb\xbf{"q1": {"d1": 1.0}}') == "beir"
    assert guess_form(b"q1 Q0 d1 1 2.5 run\n") == "trec"
    assert guess_form(b"query,answer\n") is None
    assert guess_form(b"  \n") is None


def test_reasons_for_files_that_are_not_runs(tmp_path: Path) -> None:
    assert "matches no retrieval run form" in measure_any(tmp_path, "r.csv", "query,answer\n")
    assert "empty" in measure_any(tmp_path, "r.txt", "\n\n")
    reason = measure_any(tmp_path, "run.trec", "q Q0 d 1 1.0 t\n")
    assert reason.startswith("is a TREC run, whose relevance judgements are in another file: ")
    assert "`rag.retrieval_eval.path: {path: RUN, qrels: PATH}`" in reason


def test_facts_round_trip_through_json(tmp_path: Path) -> None:
    facts = measure(tmp_path, "run.trec", "q Q0 d 1 1 t\nq Q0 e 2 1 t\nbad\n", "q 0 e 1\n")
    assert RetrievalFacts.from_json(json.loads(json.dumps(facts.to_json()))) == facts
    empty = measure(tmp_path, "run.jsonl", '{"qid": 1, "retrieved": ["a"], "relevant": []}\n')
    assert empty.precision_at_5 is None
    assert RetrievalFacts.from_json(json.loads(json.dumps(empty.to_json()))) == empty


# -- malformed and hostile input ---------------------------------------------------------


def reasons(facts: RetrievalFacts) -> List[Tuple[int, str]]:
    return [(m.line, m.reason) for m in facts.first_malformed]


def test_malformed_json_lines_are_counted_and_reading_goes_on(tmp_path: Path) -> None:
    lines = [
        '{"query_id": 1, "retrieved": ["a", "a", "b"], "relevant": ["b"]}',
        '{"query_id": "1", "retrieved": ["b"], "relevant": ["b"]}',  # collides with 1
        '{"retrieved": ["a"], "relevant": ["a"]}',
        '{"query_id": "q", "retrieved": "a b", "relevant": ["a"]}',
        '{"query_id": "q", "retrieved": ["a", null], "relevant": ["a"]}',
        '{"query_id": "q", "retrieved": ["a"], "relevant": {"a": 1.5}}',
        '{"query_id": "q", "retrieved": ["a"], "relevant": {"a": true}}',
        '{"query_id": [1], "retrieved": ["a"], "relevant": []}',
        '{"query_id": "q", "retrieved": ["a"]}',
        'not json', '[1, 2]',
        '{"query_id": "ok", "retrieved": ["a", "b"], "relevant": {"b": 1}}',
    ]
    facts = measure(tmp_path, "run.jsonl", "\n".join(lines) + "\n")
    assert facts.queries == 2 and facts.judged == 2
    assert facts.malformed == len(lines) - 1  # the repeat on line 1 is reported, line used
    assert reasons(facts)[:2] == [
        (1, "document 'a' appears more than once in the ranking of query '1' (1 repeats), which "
            "trec_eval refuses: each counts once, at its first (highest) place"),
        (2, "query '1' was already read on line 1: this line is left out")]
    # The repeated 'a' is counted once: 'b' is second, not third.
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == pytest.approx(0.5)


def test_malformed_trec_and_qrels_lines(tmp_path: Path) -> None:
    run = ("q Q0 a 1 nan t\n" "q Q0 b 2 inf t\n" "q Q0 c 3\n" "q Q0 d x 1.0 t\n"
           "q Q0 e 5 1.0 t\n" "q Q0 e 6 0.5 t\n" "q Q0 f 7 1e999 t\n")
    qrels = "q 0 e 1\nq 0 f 1.5\nq 0 g x\nq 0\nq 0 e 2\n"
    facts = measure(tmp_path, "run.trec", run, qrels)
    # The rank column is not read (d counts); e's repeat is reported and e keeps score 1.0.
    assert facts.depth == 2 and facts.judged == 1
    assert facts.malformed == 9  # 4 in the qrels, 5 in the run
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == 1.0  # e before d
    assert facts.first_malformed[0].reason.startswith("qrels.txt line 2: grade '1.5'")


def test_hostile_beir_runs(tmp_path: Path) -> None:
    qrels = "query-id\tcorpus-id\tscore\nq\ta\t1\nq\tb\tone\n"
    run = ('{"q": {"a": NaN, "b": 2, "b": 1, "c": true, "d": "1"}, "q": {"a": 1},'
           ' "r": [1, 2], "s": {"a": Infinity}}')
    facts = measure(tmp_path, "run.json", run, qrels, qrels_name="test.tsv")
    assert facts.queries == 2 and facts.depth == 1 and facts.complete
    assert facts.malformed == 8
    truncated = measure(tmp_path, "run.json", '{"q": {"a": 1}, "r": {"b"', qrels,
                        form="beir", qrels_name="test.tsv")
    assert not truncated.complete and truncated.queries == 1
    assert measure(tmp_path, "run.json", "[1]", qrels, form="beir",
                   qrels_name="test.tsv").complete is False


def test_bytes_that_are_not_utf8_and_lines_too_long(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieval, "MAX_RECORD_BYTES", 64)
    (tmp_path / "qrels.txt").write_bytes(b"q 0 a 1\n")
    (tmp_path / "run.trec").write_bytes(b"q Q0 \xff 1 1 t\n" + b"q Q0 " + b"x" * 500
                                        + b" 1 1 t\nq Q0 a 2 1 t\n")
    facts = measure_run(str(tmp_path / "run.trec"), str(tmp_path / "qrels.txt"), None,
                        "run.trec")
    assert isinstance(facts, RetrievalFacts)
    assert reasons(facts) == [(1, "not valid UTF-8 (byte 6 of the line)"),
                              (2, "longer than 0 MiB: not read")]
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == 1.0


def test_files_over_the_size_limit_are_not_read(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieval, "MAX_FILE_BYTES", 8)
    assert "larger than" in measure_any(tmp_path, "run.trec", "q Q0 a 1 1.0 tag\n", "q 0 a 1\n")


@pytest.mark.parametrize("form", [None, "jsonl", "trec", "beir"])
@given(data=st.binary(max_size=300), qrels=st.binary(max_size=100))
@settings(max_examples=80, deadline=None)
def test_random_bytes_never_raise(form: Optional[str], data: bytes, qrels: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "run").write_bytes(data)
        (tmp / "qrels").write_bytes(qrels)
        result = measure_run(str(tmp / "run"), str(tmp / "qrels"), form, "run")
        assert isinstance(result, (RetrievalFacts, str))
        if isinstance(result, RetrievalFacts):
            json.dumps(result.to_json(), allow_nan=False)
            for estimate in (result.precision_at_5, result.mrr_at_10):
                assert estimate is None or not math.isnan(estimate.value)


# -- the declaration ---------------------------------------------------------------------


def test_a_run_with_its_qrels_is_a_valid_declaration(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(
        "systems:\n  search:\n    architecture: rag\n    rag:\n      retrieval_eval:\n"
        "        path: {path: runs/bm25.trec, qrels: runs/qrels.txt, format: trec}\n"
        "        precision_at_5: 0.8\n", encoding="utf-8")
    report = ragft_lint.check(tmp_path, evidence=False)
    assert report.declaration is not None  # no DeclarationError: qrels and format are known


def test_an_unknown_run_format_is_a_declaration_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(
        "systems:\n  search:\n    architecture: rag\n    rag:\n      retrieval_eval:\n"
        "        path: {path: run.trec, qrels: qrels.txt, format: trek}\n", encoding="utf-8")
    with pytest.raises(DeclarationError) as info:
        ragft_lint.check(tmp_path, evidence=False)
    [line] = info.value.lines()
    assert line.endswith(
        "ragft.yaml:6:58: systems.search.rag.retrieval_eval.path.format: expected one of jsonl,"
        " trec, beir, found the string 'trek'; did you mean 'trec'?")


def test_a_problem_of_the_qrels_is_placed_in_the_qrels_not_at_the_runs_line(
        tmp_path: Path) -> None:
    """DA006 named the run and the qrels' line number side by side (``run.trec:2: qrels.txt
    line 2: ...``), reading as the run's second line."""
    from evidence_project import Project, rules_fired

    made = Project(tmp_path / "p")
    made.write("runs/run.trec", "q1 Q0 a 1 0.9 t\nq1 Q0 b 2 0.8 t\n")
    made.write("runs/qrels.txt", "q1 0 a 1\nq1 0 b\n" + "x" * 40 + "\n")
    made.declare("""\
        systems:
          s:
            architecture: rag
            rag:
              retrieval_eval:
                path: {path: runs/run.trec, qrels: runs/qrels.txt}
        """)
    [finding] = rules_fired(made.check(), "DA006")
    assert "run.trec:2" not in finding.message and "run.trec:3" not in finding.message
    assert "runs/qrels.txt line 2: expected 4 columns (qid 0 docno rel), found 3" \
        in finding.message
    assert "runs/qrels.txt line 3: expected 4 columns" in finding.message
    assert finding.message.startswith("runs/run.trec and its judgements hold 2 malformed "
                                      "records: ")
    assert finding.fix.endswith("in runs/run.trec and its judgements")
