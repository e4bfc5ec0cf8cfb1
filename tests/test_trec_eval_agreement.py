"""Retrieval figures are trec_eval's: generated runs against pytrec_eval (trec_eval's own code).

The runs are generated so that what a reader could get wrong shows: the rank column disagrees
with the scores (reversed, shuffled, or ranking distances lowest first), equal scores straddle
the cut-offs at 5 and 10, some judged queries have no relevant document, some are missing from
the run, some run queries are not judged, grades are written ``1.0``, and document ids sort
differently as text and as numbers. Each figure is compared with pytrec_eval's mean over the
queries it evaluates (trec_eval's default), and with ``queries: all`` against that sum over
every judged query (trec_eval ``-c`` divides by the number of judged queries, the missing ones
adding 0). MRR@10 is trec_eval's reciprocal rank where the first relevant document is within
the top 10 (a reciprocal rank of at least 1/10), else 0.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_project import Project, rules_fired
from ragft_lint.cli import main
from ragft_lint.evidence import retrieval
from ragft_lint.evidence.retrieval import measure_run
from ragft_lint.evidence.retrieval_metrics import RetrievalFacts

pytrec_eval = pytest.importorskip("pytrec_eval")

Run = Dict[str, Dict[str, float]]
Qrels = Dict[str, Dict[str, int]]
MEASURES = {"P_5", "recall_5", "success_5", "recip_rank"}
OURS = {"precision_at_5": "P_5", "recall_at_5": "recall_5", "hit_rate_at_5": "success_5",
        "mrr_at_10": "mrr_10"}
# Ids whose text order differs from their number order, and one beyond ASCII.
DOCS = ["d1", "d2", "d10", "d11", "d100", "D3", "a", "b7", "z", "é1", "d9", "d20", "x0", "d03"]


class Case:
    """A generated run and its judgements, with the lines of both files as the tools write
    them: the TREC rank column is not the score order."""

    def __init__(self, run: Run, qrels: Qrels, run_lines: List[str], qrels_lines: List[str]):
        self.run, self.qrels = run, qrels
        self.run_text = "".join(line + "\n" for line in run_lines)
        self.qrels_text = "".join(line + "\n" for line in qrels_lines)


@st.composite
def cases(draw: Any) -> Case:
    run: Run = {}
    qrels: Qrels = {}
    run_lines: List[str] = []
    qrels_lines: List[str] = []
    for n in range(draw(st.integers(1, 7))):
        query = f"q{n}"
        kind = draw(st.sampled_from(["both", "both", "both", "run only", "judged only"]))
        if kind != "judged only":
            docs = draw(st.lists(st.sampled_from(DOCS), min_size=1, max_size=len(DOCS),
                                 unique=True))
            # Few distinct values, so that ties straddle the cut-offs; negative ones are
            # distances (lower is nearer), which trec_eval still ranks highest first. Offsets
            # below a C float's precision tie in trec_eval, which keeps scores as floats.
            distance = draw(st.booleans())
            values = [draw(st.integers(0, 3)) for _ in docs]
            scores = {doc: float(-v if distance else v)
                      + draw(st.sampled_from([0.0, 0.5, 0.5 + 1e-9, 0.5 + 2e-9]))
                      for doc, v in zip(docs, values)}
            run[query] = scores
            # The rank column: reversed, shuffled, or distance-style (lowest score first).
            order = draw(st.sampled_from(["reversed", "shuffled", "ascending"]))
            listed = sorted(docs, key=lambda d: (scores[d], d), reverse=True)
            if order == "reversed":
                listed.reverse()
            elif order == "shuffled":
                listed = draw(st.permutations(listed))
            else:
                listed = sorted(docs, key=lambda d: scores[d])
            lines = [f"{query} Q0 {doc} {rank} {scores[doc]!r} tag"
                     for rank, doc in enumerate(listed, 1)]
            run_lines.extend(draw(st.permutations(lines)) if draw(st.booleans()) else lines)
        if kind != "run only":
            judged = draw(st.lists(st.sampled_from(DOCS), min_size=1, max_size=8, unique=True))
            # Grades -1 and 0 are not relevant; some queries end with no relevant document.
            grades = {doc: draw(st.integers(-1, 3)) for doc in judged}
            qrels[query] = grades
            for doc, grade in grades.items():
                written = f"{grade}.0" if draw(st.booleans()) else str(grade)
                qrels_lines.append(f"{query} 0 {doc} {written}")
    if draw(st.booleans()):  # queries' lines interleaved, as a run need not group them
        run_lines = draw(st.permutations(run_lines))
    return Case(run, qrels, run_lines, qrels_lines)


def per_query(run: Run, qrels: Qrels) -> Dict[str, Dict[str, float]]:
    """pytrec_eval's values for each query it evaluates, with MRR@10 beside them."""
    values = pytrec_eval.RelevanceEvaluator(qrels, MEASURES).evaluate(run)
    for got in values.values():
        got["mrr_10"] = got["recip_rank"] if got["recip_rank"] >= 0.1 else 0.0
    return values


def expected(run: Run, qrels: Qrels, queries: str) -> Dict[str, float]:
    values = per_query(run, qrels)
    # trec_eval's default divides by the queries evaluated; -c by every judged query.
    count = len(values) if queries == "judged" else len(qrels)
    return {name: sum(v[name] for v in values.values()) / count
            for name in ("P_5", "recall_5", "success_5", "mrr_10")}


def measured(tmp: Path, case: Case, queries: str) -> RetrievalFacts:
    (tmp / "run.trec").write_text(case.run_text, encoding="utf-8")
    (tmp / "qrels.txt").write_text(case.qrels_text, encoding="utf-8")
    facts = measure_run(str(tmp / "run.trec"), str(tmp / "qrels.txt"), "trec", "run.trec",
                        "qrels.txt", averaged=queries)
    assert isinstance(facts, RetrievalFacts), facts
    return facts


def assert_same(facts: RetrievalFacts, case: Case, queries: str) -> None:
    both = [q for q in case.run if q in case.qrels]
    if not both:
        assert facts.precision_at_5 is None or queries == "all"
        if facts.precision_at_5 is None:
            return
    want = expected(case.run, case.qrels, queries)
    assert facts.judged == (len(both) if queries == "judged" else len(case.qrels))
    for ours, theirs in OURS.items():
        estimate = getattr(facts, ours)
        assert estimate is not None
        assert estimate.value == pytest.approx(want[theirs], abs=1e-12), ours
        assert estimate.n == facts.judged
    assert facts.malformed == 0 and facts.complete


@given(cases())
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_trec_run_measures_what_trec_eval_prints(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert_same(measured(Path(folder), case, "judged"), case, "judged")


@given(cases(), st.integers(1, 64))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_reading_in_small_blocks_changes_nothing(case: Case, block: int) -> None:
    # Lines cut across the blocks the reader takes, and qrels read the same way.
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(retrieval, "BLOCK_BYTES", block)
        assert_same(measured(Path(folder), case, "judged"), case, "judged")


@given(cases())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_queries_all_measures_what_trec_eval_c_prints(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert_same(measured(Path(folder), case, "all"), case, "all")


@given(cases())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_beir_run_measures_what_trec_eval_prints(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "run.json").write_text(json.dumps(case.run), encoding="utf-8")
        (tmp / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(
            f"{q}\t{d}\t{g}\n" for q, grades in case.qrels.items() for d, g in grades.items()),
            encoding="utf-8")
        facts = measure_run(str(tmp / "run.json"), str(tmp / "test.tsv"), None, "run.json",
                            "test.tsv")
        assert isinstance(facts, RetrievalFacts) and facts.form == "beir"
        assert_same(facts, case, "judged")


@given(cases())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_queries_left_out_are_counted_and_named(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        facts = measured(Path(folder), case, "judged")
    read = list(dict.fromkeys(line.split()[0] for line in case.run_text.splitlines()))
    missing = [q for q in case.qrels if q not in case.run]
    unjudged = [q for q in read if q not in case.qrels]
    no_relevant = [q for q in read if q in case.qrels
                   and not any(g >= 1 for g in case.qrels[q].values())]
    assert (facts.missing_from_run, list(facts.first_missing_from_run)) == (
        len(missing), missing[:5])
    assert (facts.without_judgements, list(facts.first_without_judgements)) == (
        len(unjudged), unjudged[:5])
    assert (facts.without_relevant, list(facts.first_without_relevant)) == (
        len(no_relevant), no_relevant[:5])


def test_ties_are_broken_by_document_id_descending(tmp_path: Path) -> None:
    # The rank column says a, b; the scores tie; trec_eval puts b first.
    case = Case({"q": {"a": 1.0, "b": 1.0}}, {"q": {"a": 1}},
                ["q Q0 a 1 1.0 t", "q Q0 b 2 1.0 t"], ["q 0 a 1"])
    facts = measured(tmp_path, case, "judged")
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == 0.5
    assert facts.mrr_at_10.value == per_query(case.run, case.qrels)["q"]["recip_rank"]


@pytest.mark.parametrize("form", ["trec", "beir"])
def test_scores_equal_as_c_floats_tie_as_in_trec_eval(tmp_path: Path, form: str) -> None:
    """0.1000000002 and 0.1000000001 are one C float: b ranks above a, by id, under four
    better documents, so the relevant a is sixth."""
    run = {"q1": {"a": 0.1000000002, "b": 0.1000000001, "c": 0.9, "d": 0.8, "e": 0.7,
                  "f": 0.6}}
    qrels = {"q1": {"a": 1, "b": 0}}
    case = Case(run, qrels, [f"q1 Q0 {doc} {rank} {score!r} t" for rank, (doc, score)
                             in enumerate(run["q1"].items(), 1)], ["q1 0 a 1", "q1 0 b 0"])
    if form == "trec":
        facts = measured(tmp_path, case, "judged")
    else:
        (tmp_path / "run.json").write_text(json.dumps(run), encoding="utf-8")
        (tmp_path / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\ta\t1\nq1\tb\t0\n",
                                           encoding="utf-8")
        facts = measure_run(str(tmp_path / "run.json"), str(tmp_path / "test.tsv"), None,
                            "run.json", "test.tsv")
    assert isinstance(facts, RetrievalFacts)
    expected_p5 = per_query(run, qrels)["q1"]["P_5"]
    assert facts.precision_at_5 is not None and facts.precision_at_5.value == expected_p5 == 0
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == pytest.approx(1 / 6)
    assert facts.tied == 1


def test_the_rank_column_is_ignored(tmp_path: Path) -> None:
    case = Case({"q": {"a": 9.0, "b": 0.5}}, {"q": {"a": 1}},
                ["q Q0 a 2 9.0 t", "q Q0 b 1 0.5 t"], ["q 0 a 1"])
    facts = measured(tmp_path, case, "judged")
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == 1.0


def test_ties_across_the_cut_off_are_counted(tmp_path: Path) -> None:
    lines = [f"q Q0 d{n} {n} {1.0 if n >= 4 else 10 - n} t" for n in range(1, 9)]
    case = Case({}, {"q": {"d1": 1}}, lines + ["r Q0 a 1 2 t", "r Q0 b 2 1 t"],
                ["q 0 d1 1", "r 0 a 1"])
    assert measured(tmp_path, case, "judged").tied == 1


# -- through the command line: DA008 is quiet on the figure trec_eval printed -----------------

DECLARATION = """\
systems:
  search:
    architecture: rag
    rag:
      retrieval_eval:
        path: {{path: runs/run.trec, qrels: runs/qrels.txt{queries}}}
        precision_at_5: {precision}
        recall_at_5: {recall}
"""


def generated(seed: int) -> Case:
    rng = random.Random(seed)
    run: Run = {}
    qrels: Qrels = {}
    run_lines: List[str] = []
    for n in range(30):
        query = f"q{n}"
        if n % 7 != 3:  # judged queries missing from the run
            scores = {doc: float(rng.randint(0, 4)) for doc in rng.sample(DOCS, 12)}
            run[query] = scores
            ordered = sorted(scores, key=lambda d: scores[d])  # rank 1 is the lowest score
            run_lines += [f"{query} Q0 {d} {r} {scores[d]} bm25" for r, d in enumerate(ordered, 1)]
        if n % 11 != 5:  # run queries nobody judged
            qrels[query] = {doc: rng.choice([0, 0, 1, 2]) for doc in rng.sample(DOCS, 6)}
    qrels_lines = [f"{q} 0 {d} {g}.0" for q, grades in qrels.items() for d, g in grades.items()]
    return Case(run, qrels, run_lines, qrels_lines)


@pytest.mark.parametrize("queries", ["judged", "all"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_da008_is_quiet_on_the_figure_trec_eval_printed(tmp_path: Path, seed: int,
                                                        queries: str) -> None:
    case = generated(seed)
    want = expected(case.run, case.qrels, queries)
    project = Project(tmp_path / "p")
    project.write("runs/run.trec", case.run_text)
    project.write("runs/qrels.txt", case.qrels_text)
    # As trec_eval prints them: four decimals.
    project.declare(DECLARATION.format(
        queries="" if queries == "judged" else ", queries: all",
        precision=f"{want['P_5']:.4f}", recall=f"{want['recall_5']:.4f}"))
    report = project.check()
    assert not rules_fired(report, "DA008")
    assert not rules_fired(report, "DA006")
    # The same run measured with the rank column's order (the old reading) is another figure.
    wrong = {q: {d: -float(line.split()[3]) for line in case.run_text.splitlines()
                 for d in [line.split()[2]] if line.split()[0] == q} for q in case.run}
    assert expected(wrong, case.qrels, queries)["P_5"] != pytest.approx(want["P_5"])


def test_da008_says_how_many_queries_tie_across_the_cut_off(tmp_path: Path) -> None:
    case = generated(4)
    project = Project(tmp_path / "p")
    project.write("runs/run.trec", case.run_text)
    project.write("runs/qrels.txt", case.qrels_text)
    project.declare(DECLARATION.format(queries="", precision="0.9", recall="0.9"))
    with tempfile.TemporaryDirectory() as folder:
        facts = measured(Path(folder), case, "judged")
    assert facts.tied > 0
    for finding in rules_fired(project.check(), "DA008"):
        assert (f"; {facts.tied} of its {facts.judged} queries have equally scored documents "
                "across the cut-off at 5 or 10") in finding.message


# -- what was left out, in every output -------------------------------------------------------


def left_out_project(root: Path, queries: str = "") -> Project:
    project = Project(root)
    project.write("runs/run.trec", "q1 Q0 a 1 2 t\nq1 Q0 b 2 1 t\nq2 Q0 c 1 1 t\n"
                                   "q9 Q0 a 1 1 t\n")
    project.write("runs/qrels.txt", "q1 0 a 1\nq2 0 c 0\nq3 0 a 1\nq4 0 b 2\n")
    project.declare(DECLARATION.format(queries=queries, precision="0.1", recall="0.5"))
    return project


def test_the_note_names_the_queries_left_out(tmp_path: Path) -> None:
    report = left_out_project(tmp_path / "p").check()
    [note] = [n for n in report.notes if n.code == "retrieval-queries-left-out"]
    assert note.message == (
        "runs/run.trec: the retrieval figures average 2 queries; 2 queries (q3, q4) judged but "
        "missing from the run are left out, as trec_eval leaves them out (declare queries: all "
        "to count them as 0, as trec_eval -c does); 1 query (q9) in the run but not in "
        "runs/qrels.txt are ignored; 1 query (q2) judged without a relevant document count "
        "as 0")
    assert not rules_fired(report, "DA008")  # P@5 (0.2 + 0) / 2, recall (1 + 0) / 2
    counted = left_out_project(tmp_path / "all", ", queries: all").check()
    [note] = [n for n in counted.notes if n.code == "retrieval-queries-left-out"]
    assert "2 queries (q3, q4) judged but missing from the run count as 0" in note.message
    assert rules_fired(counted, "DA008")  # averaged over 4 queries: P@5 0.05


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "html"])
def test_the_note_is_in_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     fmt: str) -> None:
    project = left_out_project(tmp_path / "p")
    main(["check", "--no-cache", "--format", fmt, str(project.root / "ragft.yaml")])
    captured = capsys.readouterr()
    assert "(q3, q4) judged but missing from the run" in captured.out + captured.err


# -- repeated documents, float grades, runs without judgements -------------------------------


def test_a_repeated_document_is_da006_with_both_lines_not_stopped(tmp_path: Path) -> None:
    project = left_out_project(tmp_path / "p")
    project.write("runs/run.trec", "q1 Q0 b 1 1 t\nq1 Q0 c 2 0.5 t\nq1 Q0 b 3 5 t\n"
                                   "q2 Q0 c 1 1 t\n")
    report = project.check()
    [finding] = rules_fired(report, "DA006")
    assert "document 'b' of query 'q1' is also on line 1" in finding.message
    assert "runs/run.trec:3: " in finding.message and "higher score" in finding.message
    assert "stopped" not in finding.message
    # b counts at 5: first, and not relevant; a is not retrieved: P@5 0, recall 0 for q1.
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "run.trec").write_text("q1 Q0 b 1 1 t\nq1 Q0 a 2 3 t\nq1 Q0 b 3 5 t\n")
        (tmp / "qrels.txt").write_text("q1 0 a 1\n")
        facts = measure_run(str(tmp / "run.trec"), str(tmp / "qrels.txt"), "trec", "run.trec")
    assert isinstance(facts, RetrievalFacts)
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == 0.5
    assert facts.depth == 2 and facts.malformed == 1


def test_a_repeat_far_from_its_first_line_is_found_in_an_interleaved_run(
        tmp_path: Path) -> None:
    """The first line of d0 ranks below the best few (it is not kept); another query's line
    comes between, so the run is read again, interleaved: the repeat is still found."""
    lines = ["q1 Q0 d0 1 0.01 t"] + [f"q1 Q0 d{n} {n + 1} {n} t" for n in range(1, 13)]
    lines += ["q2 Q0 y 1 1 t", "q1 Q0 d0 14 50 t"]
    (tmp_path / "run.trec").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    (tmp_path / "qrels.txt").write_text("q1 0 d0 1\nq2 0 y 1\n", encoding="utf-8")
    facts = measure_run(str(tmp_path / "run.trec"), str(tmp_path / "qrels.txt"), "trec",
                        "run.trec")
    assert isinstance(facts, RetrievalFacts)
    assert facts.malformed == 1
    [repeat] = facts.first_malformed
    assert repeat.line == 15 and "document 'd0' of query 'q1' is also on line 1" in repeat.reason
    # d0 counts once, at 50: first for q1; q1 ranks 13 distinct documents.
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == 1.0
    assert facts.depth == 13


def test_float_grades_are_read_as_trec_eval_reads_them(tmp_path: Path) -> None:
    case = Case({"q": {"a": 2.0, "b": 1.0}}, {"q": {"a": 0, "b": 1}},
                ["q Q0 a 1 2 t", "q Q0 b 2 1 t"], ["q 0 a 0.0", "q 0 b 1.0"])
    facts = measured(tmp_path, case, "judged")
    assert facts.malformed == 0
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == 0.5
    (tmp_path / "qrels.txt").write_text("q 0 b 0.5\n")
    half = measure_run(str(tmp_path / "run.trec"), str(tmp_path / "qrels.txt"), "trec", "r")
    assert isinstance(half, RetrievalFacts) and half.malformed == 1
    assert half.first_malformed[0].reason.startswith("qrels line 1: grade '0.5' is not a whole")


def test_float_grades_in_json_lines(tmp_path: Path) -> None:
    (tmp_path / "run.jsonl").write_text(json.dumps(
        {"query_id": "q", "retrieved": ["a", "b"], "relevant": {"a": 0.0, "b": 2.0}}) + "\n")
    facts = measure_run(str(tmp_path / "run.jsonl"), None, None, "run.jsonl")
    assert isinstance(facts, RetrievalFacts) and facts.malformed == 0
    assert facts.mrr_at_10 is not None and facts.mrr_at_10.value == 0.5


@pytest.mark.parametrize("spec", ["runs/run.trec", "{path: runs/run.trec}",
                                  "{path: runs/run.trec, format: trec}"])
def test_a_trec_run_without_qrels_is_da006_naming_qrels(tmp_path: Path, spec: str) -> None:
    project = Project(tmp_path / "p")
    project.write("runs/run.trec", "q1 Q0 a 1 2 t\nq1 Q0 b 2 1 t\n")
    project.declare("systems:\n  search:\n    architecture: rag\n    rag:\n"
                    f"      retrieval_eval:\n        path: {spec}\n        precision_at_5: 0.5\n")
    report = project.check()
    [finding] = rules_fired(report, "DA006")
    assert "runs/run.trec" in finding.message
    assert "`rag.retrieval_eval.path: {path: RUN, qrels: PATH}`" in finding.message
    assert not [n for n in report.notes if "format" in n.message]
