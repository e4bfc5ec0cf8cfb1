"""Scores measured from eval tools' result files under prompt.baseline_results and
fine_tune.results: read into per-case scores, cached, put over the declared scores, and held
to the declaration by DA008 and DA009."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Dict, Iterable, Optional

import pytest

from evidence_project import AS_OF, Project, jsonl, rules_fired
from ragft_lint.errors import DeclarationError
from ragft_lint.evidence import BASELINE_RESULTS, FINE_TUNE_RESULTS, cache
from ragft_lint.evidence.collect import measure_declaration
from ragft_lint.evidence.results import CaseScores, ResultReader
from ragft_lint.facts import Facts, figures
from ragft_lint.options import Options
from ragft_lint.session import Session

RESULTS = Path(__file__).parent / "results"

DECLARATION = """\
    systems:
      tone-bot:
        architecture: fine-tune
        gaps: [behavior]
        prompt:
          few_shot_examples: 6
    {baseline}
        fine_tune:
          goals: [style]
          trained_at: 2026-05-02
    {tuned}
        eval:
          path: evals/tone.jsonl
"""


def project(root: Path, baseline: str = "", tuned: str = "", eval_records: int = 3,
            files: Optional[Dict[str, str]] = None) -> Project:
    """A fine-tune project: ``baseline`` and ``tuned`` are the lines under prompt and
    fine_tune (indented by four), ``files`` copies fixtures in (target: fixture under
    tests/results)."""
    made = Project(root)
    made.declare(DECLARATION.format(baseline=baseline.replace("\n", "\n    "),
                                    tuned=tuned.replace("\n", "\n    ")))
    made.write("evals/tone.jsonl", jsonl({"input": f"q{i}", "output": "a"}
                                         for i in range(eval_records)))
    for target, fixture in (files or {}).items():
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(RESULTS / fixture, root / target)
    return made


def plain(cases: Iterable[Any]) -> str:
    """A plain result file: ``(id, score)`` pairs."""
    return jsonl({"id": case, "score": score} for case, score in cases)


def measured(made: Project, **options: Any) -> Any:
    session = Session()
    declaration = session.declaration(made.root / "ragft.yaml")
    settings = session.settings(declaration, Options(as_of=AS_OF, cache=False, **options))
    evidence = session.evidence(declaration, settings)
    assert evidence is not None
    return declaration, evidence


# -- measuring -----------------------------------------------------------------------------


def test_promptfoo_and_deepeval_files_are_measured_per_case(tmp_path: Path) -> None:
    made = project(tmp_path / "p", "      baseline_results: results/base.json",
                   "      results: results/ft.json",
                   files={"results/base.json": "promptfoo/results.json",
                          "results/ft.json": "deepeval/test_run_20261201_225920.json"})
    declaration, evidence = measured(made)
    found = evidence.systems["tone-bot"]
    assert found.baseline_results.tool == "promptfoo"
    assert found.baseline_results.path == "results/base.json"
    assert found.fine_tune_results.tool == "deepeval"
    facts = Facts(declaration.systems["tone-bot"], found)
    fact = facts.fact("prompt", "baseline_score")
    assert fact.measured and fact.value == pytest.approx(0.3333)
    assert fact.source == BASELINE_RESULTS
    assert fact.evidence.startswith("measured from results/base.json: 0.33 (95 % interval 0.06 "
                                    "to 0.79) over 3 scored cases")
    assert facts.fact("fine_tune", "score").source == FINE_TUNE_RESULTS
    shown = figures(found)
    assert shown["baseline_score"].n == 3 and shown["baseline_score"].source == "results/base.json"
    assert shown["fine_tune_score"].value == pytest.approx(2 / 3)


def test_an_inspect_ai_log_is_measured(tmp_path: Path) -> None:
    # The .json log: the .eval archive needs Zstandard, which not every Python here has
    # (test_result_readers.py reads it where it can).
    made = project(tmp_path / "p", tuned="      results: logs/capitals.json",
                   files={"logs/capitals.json": "inspect_ai/capitals.json"})
    _, evidence = measured(made)
    assert evidence.systems["tone-bot"].fine_tune_results.tool == "inspect_ai"


def test_graded_scores_get_a_normal_interval(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/ft.jsonl")
    made.write("results/ft.jsonl", plain([("a", 0.5), ("b", 0.7), ("c", 0.9)]))
    declaration, evidence = measured(made)
    fact = Facts(declaration.systems["tone-bot"], evidence.systems["tone-bot"]).fact(
        "fine_tune", "score")
    assert fact.value == pytest.approx(0.7)
    assert "0.70 (95 % interval 0.47 to 0.93) over 3 scored cases" in fact.evidence


def test_a_missing_result_file_is_da001(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/ft.json")
    [finding] = rules_fired(made.check(), "DA001")
    assert finding.message == "fine_tune.results names results/ft.json, which does not exist"


def test_a_file_no_reader_reads_is_da006_with_the_reason(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/ft.json")
    made.write("results/ft.json", '{"nothing": "here"}\n')
    [finding] = rules_fired(made.check(), "DA006")
    assert "results/ft.json" in finding.message
    assert "is not a result file of any known eval tool" in finding.message
    assert finding.key == "systems.tone-bot.fine_tune.results"


def test_several_metrics_without_metric_is_a_declaration_error_listing_them(
        tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/ragas.csv",
                   files={"results/ragas.csv": "documented/ragas-results.csv"})
    with pytest.raises(DeclarationError) as raised:
        made.check()
    [problem] = raised.value.problems
    declared = (made.root / "ragft.yaml").read_text(encoding="utf-8").splitlines()
    assert declared[problem.line - 1][problem.column - 1:] == "results/ragas.csv"
    assert problem.message.startswith("systems.tone-bot.fine_tune.results: results/ragas.csv "
                                      "holds several metrics (")
    assert "name the one that counts with `metric:`, as in `{path: results/ragas.csv, " \
           "metric: " in problem.message
    # Whatever the values: with evidence off nothing is read, and nothing is wrong.
    assert made.check(evidence=False).findings is not None


def test_a_plugin_reader_is_used_and_its_failure_is_the_plugins(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: {path: results/ft.acme, format: acme}")
    made.write("results/ft.acme", "a=1\nb=0\n")

    def read(path: str, opener: Any, metric: Optional[str], task: Optional[str]) -> CaseScores:
        with opener(path) as handle:
            pairs = [line.decode().strip().split("=") for line in handle if line.strip()]
        return CaseScores(path, "acme", "ok", None, {k: float(v) for k, v in pairs}, 0, (), 0,
                          (), True, ("ok",))

    def broken(path: str, opener: Any, metric: Optional[str], task: Optional[str]) -> CaseScores:
        raise RuntimeError("the acme parser broke")

    session = Session()
    works = {"acme": ResultReader("acme", "Acme's files", lambda head, path: False, read)}
    # `format: acme` names a reader only a session with the acme reader knows.
    declaration = Session(session.plugins._replace(
        result_readers={**session.plugins.result_readers, **works})).declaration(
        made.root / "ragft.yaml")
    evidence = measure_declaration(declaration, AS_OF, use_cache=False, result_readers=works)
    assert evidence.systems["tone-bot"].fine_tune_results.scores == {"a": 1.0, "b": 0.0}
    fails = {"acme": ResultReader("acme", "Acme's files", lambda head, path: False, broken)}
    evidence = measure_declaration(declaration, AS_OF, use_cache=False, result_readers=fails)
    assert not evidence.systems["tone-bot"].results
    assert evidence.reader_failures == [
        ("acme", "result reader 'acme' raised RuntimeError: the acme parser broke on "
                 "results/ft.acme")]
    # Through the pipeline, the failure is the contributing plugin's, and the run exits 3.
    plugins = session.plugins._replace(
        result_readers={**session.plugins.result_readers, **fails},
        result_reader_owners={**session.plugins.result_reader_owners, "acme": "acme-plugin"})
    checked = Session(plugins)
    report = checked.report(checked.declaration(made.root / "ragft.yaml"),
                            Options(as_of=AS_OF, cache=False))
    [failure] = report.plugin_failures
    assert failure.plugin == "acme-plugin"
    assert "result reader 'acme' raised RuntimeError" in failure.cause
    assert report.exit_status == 3


def test_the_session_passes_the_plugins_readers(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: {path: results/ft.acme, format: acme}")
    made.write("results/ft.acme", "x\n")

    def read(path: str, opener: Any, metric: Optional[str], task: Optional[str]) -> CaseScores:
        return CaseScores(path, "acme", "ok", None, {"x": 1.0}, 0, (), 0, (), True, ("ok",))

    session = Session()
    readers = {**session.plugins.result_readers,
               "acme": ResultReader("acme", "Acme", lambda head, path: False, read)}
    session = Session(session.plugins._replace(result_readers=readers))
    declaration = session.declaration(made.root / "ragft.yaml")
    evidence = session.evidence(declaration, session.settings(
        declaration, Options(as_of=AS_OF, cache=False)))
    assert evidence is not None
    assert evidence.systems["tone-bot"].fine_tune_results.tool == "acme"


# -- the cache -----------------------------------------------------------------------------


def test_a_rerun_answered_by_the_cache_reads_no_result_file_or_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    monkeypatch.setattr(cache, "SETTLE_SECONDS", 0.0)
    monkeypatch.setenv(cache.ENVIRONMENT, str(tmp_path / "cache"))
    made = Project(tmp_path / "p")
    made.declare("""\
        systems:
          tone-bot:
            architecture: fine-tune
            fine_tune:
              results: results/ft.jsonl
          search:
            architecture: rag
            rag:
              retrieval_eval:
                path: {path: runs/r.trec, qrels: runs/q.txt}
                precision_at_5: 0.9
    """)
    made.write("results/ft.jsonl", plain([("a", 1), ("b", 0), ("c", 1)]))
    made.write("runs/r.trec", "q1 Q0 d1 1 2.0 bm25\nq1 Q0 d2 2 1.0 bm25\n")
    made.write("runs/q.txt", "q1 0 d1 1\n")
    first = made.check(cache=True)
    import ragft_lint.evidence.results as results
    import ragft_lint.evidence.retrieval as retrieval

    def unread(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read again")

    monkeypatch.setattr(results, "choose", unread)
    monkeypatch.setattr(retrieval, "measure_run", unread)
    again = made.check(cache=True)
    assert [f.message for f in again.findings] == [f.message for f in first.findings]
    assert rules_fired(again, "DA008")  # the cached run still gives its precision@5
    declaration = Session().declaration(made.root / "ragft.yaml")
    evidence = measure_declaration(declaration, AS_OF, use_cache=True)
    assert not evidence.notes
    assert evidence.systems["tone-bot"].fine_tune_results.scores == {"a": 1, "b": 0, "c": 1}
    assert evidence.systems["search"].retrieval.judged == 1


def cached_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Two result files compared case by case, with a cache that keeps even small files."""
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    monkeypatch.setattr(cache, "SETTLE_SECONDS", 0.0)
    monkeypatch.setenv(cache.ENVIRONMENT, str(tmp_path / "cache"))
    return two_files(tmp_path / "p", passes("c", 60, 40), passes("c", 60, 43), 60)


def test_a_cached_score_does_not_read_the_per_case_scores(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached_project(tmp_path, monkeypatch)
    made = project(tmp_path / "one", tuned="      score: 0.5\n      results: results/ft.jsonl",
                   eval_records=60)
    made.write("results/ft.jsonl", passes("c", 60, 43))
    first = made.check(cache=True)
    import ragft_lint.evidence.collect as collect

    looked: list = []
    real_cases = cache.cases_from_entry
    monkeypatch.setattr(collect, "cases_from_entry",
                        lambda *a: looked.append(a) or real_cases(*a))
    again = made.check(cache=True)  # the rules, DA008 and DA009 among them, and the outputs
    assert [f.message for f in again.findings] == [f.message for f in first.findings]
    assert rules_fired(again, "DA008")
    assert not looked  # the count and the estimate came with the summary
    declaration = Session().declaration(made.root / "ragft.yaml")
    scores = measure_declaration(declaration, AS_OF, use_cache=True).systems[
        "tone-bot"].fine_tune_results
    assert isinstance(scores.scores, cache.StoredScores) and scores.cases == 60
    assert scores.scores["c0"] == 1 and round(scores.mean, 3) == 0.717 and len(looked) == 1


def test_the_paired_comparison_is_the_same_from_the_cache_even_without_the_cases_entry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = cached_project(tmp_path, monkeypatch)
    fresh = [f.message for f in rules_fired(made.check(), "EV008")]
    assert fresh == [f.message for f in rules_fired(made.check(cache=True), "EV008")]
    assert fresh == [f.message for f in rules_fired(made.check(cache=True), "EV008")]
    # The per-case entries gone (a cache cleared half-way): the files are read again.
    entries = sorted((tmp_path / "cache").rglob("*.json"))
    for entry in entries:
        if '"ids"' in entry.read_text(encoding="utf-8"):
            entry.unlink()
    assert len(list((tmp_path / "cache").rglob("*.json"))) < len(entries)
    assert fresh == [f.message for f in rules_fired(made.check(cache=True), "EV008")]


def test_per_case_scores_that_cannot_be_read_again_are_said_not_compared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = cached_project(tmp_path, monkeypatch)
    made.check(cache=True)
    for entry in (tmp_path / "cache").rglob("*.json"):
        if '"ids"' in entry.read_text(encoding="utf-8"):
            entry.unlink()
    declaration = Session().declaration(made.root / "ragft.yaml")
    evidence = measure_declaration(declaration, AS_OF, use_cache=True)
    (made.root / "results" / "ft.jsonl").unlink()  # gone before a rule looks into it
    scores = evidence.systems["tone-bot"].fine_tune_results
    assert scores.cases == 60 and dict(scores.scores) == {}
    assert evidence.notes[-1].message == (
        "results/ft.jsonl changed while it was checked: its per-case scores could not be read "
        "again, and none were compared")


# -- DA008 and DA009 -----------------------------------------------------------------------


def test_da008_a_declared_score_the_results_do_not_support(tmp_path: Path) -> None:
    made = project(tmp_path / "p", "      baseline_score: 0.9\n      baseline_results: "
                                   "results/base.json",
                   files={"results/base.json": "promptfoo/results.json"})
    [finding] = rules_fired(made.check(), "DA008")
    assert finding.key == "systems.tone-bot.prompt.baseline_score"
    assert finding.message == (
        "prompt.baseline_score is 0.9, but the score measured from results/base.json: 0.33 "
        "(95 % interval 0.06 to 0.79) over 3 scored cases: the declared figure is more than "
        "score_tolerance (0.02) away")
    assert "point prompt.baseline_results at the result file" in finding.fix


def test_da008_passes_a_declared_score_within_tolerance(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      score: 0.67\n      results: results/ft.json",
                   files={"results/ft.json": "deepeval/test_run_20261201_225920.json"})
    assert not rules_fired(made.check(), "DA008")


def test_da009_fewer_cases_than_the_eval_set(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/ft.json", eval_records=5,
                   files={"results/ft.json": "deepeval/test_run_20261201_225920.json"})
    [finding] = rules_fired(made.check(), "DA009")
    assert finding.message == ("results/ft.json (fine_tune.results) scores 3 cases, but the "
                               "eval set holds 5: the score covers only part of the eval set")


def test_da009_more_cases_than_the_eval_set(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/ft.json", eval_records=2,
                   files={"results/ft.json": "deepeval/test_run_20261201_225920.json"})
    [finding] = rules_fired(made.check(), "DA009")
    assert "it scores cases that are not in the eval set" in finding.message


def test_da009_cases_without_a_score(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/plain.jsonl",
                   files={"results/plain.jsonl": "documented/plain.jsonl"})
    [finding] = rules_fired(made.check(), "DA009")
    assert finding.message == (
        "results/plain.jsonl (fine_tune.results) has 1 of its 3 cases without a score (33 %, "
        "more than 5 %), e.g. q3: the score is over the cases that did not fail")


def test_da009_passes_results_that_cover_the_eval_set(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/ft.json",
                   files={"results/ft.json": "deepeval/test_run_20261201_225920.json"})
    assert not rules_fired(made.check(), "DA009")


# -- EV008, FT007, FT012 and decide ----------------------------------------------------------


def passes(prefix: str, n: int, passed: int) -> str:
    return plain((f"{prefix}{i}", 1 if i < passed else 0) for i in range(n))


def two_files(root: Path, baseline: str, tuned: str, records: int) -> Project:
    made = project(root, "      baseline_results: results/base.jsonl",
                   "      results: results/ft.jsonl", eval_records=records)
    made.write("results/base.jsonl", baseline)
    made.write("results/ft.jsonl", tuned)
    return made


def test_ev008_paired_pass_fail_is_an_exact_mcnemar_test(tmp_path: Path) -> None:
    made = two_files(tmp_path / "p", passes("c", 60, 40), passes("c", 60, 43), 60)
    [finding] = rules_fired(made.check(), "EV008")
    assert finding.message.startswith(
        "fine_tune.score (0.717, measured from results/ft.jsonl) is 0.05 above "
        "prompt.baseline_score (0.667, measured from results/base.jsonl), but over the 60 "
        "cases both scored the gain is 0.05 (95% interval ")
    assert "p = 0.25 by the exact McNemar test" in finding.message
    assert "score both models on about " in finding.fix


def test_ev008_paired_graded_scores_are_a_paired_t_test(tmp_path: Path) -> None:
    base = plain((f"c{i}", 0.5 + (i % 5) / 10) for i in range(40))
    tuned = plain((f"c{i}", 0.5 + (i % 5) / 10 + (0.1 if i % 2 else -0.08)) for i in range(40))
    made = two_files(tmp_path / "p", base, tuned, 40)
    [finding] = rules_fired(made.check(), "EV008")
    assert "by the paired t test" in finding.message


def test_ev008_without_common_ids_is_the_two_proportion_interval(tmp_path: Path) -> None:
    made = two_files(tmp_path / "p", passes("a", 60, 40), passes("b", 60, 43), 60)
    [finding] = rules_fired(made.check(), "EV008")
    assert "over all cases, as independent samples the gain is 0.05" in finding.message
    assert "by the Newcombe interval; the files hold 60 and 60 scored cases, none shared" in \
        finding.message
    assert "cases in each result file" in finding.fix


def test_ev008_passes_a_gain_well_outside_the_noise(tmp_path: Path) -> None:
    made = two_files(tmp_path / "p", passes("c", 200, 60), passes("c", 200, 150), 200)
    assert not rules_fired(made.check(), "EV008")


def test_ft007_uses_the_measured_scores(tmp_path: Path) -> None:
    made = two_files(tmp_path / "p", passes("c", 10, 8), passes("c", 10, 5), 10)
    [finding] = rules_fired(made.check(), "FT007")
    assert finding.message.startswith("fine_tune.score is 0.5, measured from results/ft.jsonl")
    assert "below prompt.baseline_score (0.8, measured from results/base.jsonl" in \
        finding.message


def test_ft012_is_quiet_when_the_results_file_gives_the_score(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/ft.json",
                   files={"results/ft.json": "deepeval/test_run_20261201_225920.json"})
    assert not rules_fired(made.check(), "FT012")
    assert rules_fired(project(tmp_path / "q").check(), "FT012")


def test_decide_reads_the_measured_baseline_score(tmp_path: Path) -> None:
    made = project(tmp_path / "p", "      baseline_results: results/base.json",
                   files={"results/base.json": "promptfoo/results.json"})
    session = Session()
    declaration = session.declaration(made.root / "ragft.yaml")
    decision = session.decisions(declaration, Options(as_of=AS_OF, cache=False))["tone-bot"]
    answers = [step.answer for step in decision.failure_mode.steps]
    assert any("baseline score 0.33" in answer for answer in answers), answers


def test_json_output_has_the_measured_scores(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from ragft_lint.cli import main

    made = project(tmp_path / "p", "      baseline_results: results/base.json",
                   files={"results/base.json": "promptfoo/results.json"})
    main(["check", str(made.root / "ragft.yaml"), "--format", "json", "--as-of",
          AS_OF.isoformat(), "--no-cache"])
    text = capsys.readouterr().out
    assert '"baseline_score"' in text
    data = json.loads(text)
    assert "baseline_score" in json.dumps(data)


def test_per_query_json_lines_are_scored_as_a_run(tmp_path: Path) -> None:
    made = Project(tmp_path / "p")
    made.declare("""\
        systems:
          search:
            architecture: rag
            rag:
              retrieval_eval:
                path: runs/queries.jsonl
                precision_at_5: 0.5
    """)
    made.write("runs/queries.jsonl", jsonl([
        {"query_id": "q1", "retrieved": ["a", "b", "c", "d", "e"], "relevant": ["a", "c"]},
        {"query_id": "q2", "retrieved": ["f", "g", "h"], "relevant": {"h": 2, "z": 1}}]))
    [finding] = rules_fired(made.check(), "DA008")
    assert "the precision@5 measured from runs/queries.jsonl: 0.30" in finding.message
    assert "over 2 judged queries" in finding.message


@pytest.mark.parametrize(("name", "text", "said"), [
    ("results/ft.json", "", "is empty: it holds no scored case"),
    ("results/ft.jsonl", '{"id": "a", "score": null}\n',
     "holds no scored case: its only case has no score for 'score' ('a')")])
def test_a_file_with_no_scored_case_is_da006_not_silence(tmp_path: Path, name: str, text: str,
                                                         said: str) -> None:
    made = project(tmp_path / "p", tuned=f"      score: 0.8\n      results: {name}")
    made.write(name, text)
    [finding] = rules_fired(made.check(), "DA006")
    assert finding.message == f"{name} cannot be measured: it {said}"


def test_ft002_reads_a_measured_baseline_as_decide_does(tmp_path: Path) -> None:
    """A baseline measured from prompt.baseline_results shows the prompt was scored: FT002 no
    longer says it is not declared while decide reads the same figure."""
    made = project(tmp_path / "p", baseline="      baseline_results: results/base.jsonl")
    made.write("results/base.jsonl", plain((f"q{i}", 1 if i else 0) for i in range(3)))
    assert not rules_fired(made.check(), "FT002")
    assert [f.message for f in rules_fired(made.check(evidence=False), "FT002")] == [
        "fine_tune.goals includes style, but prompt.baseline_score is not declared, so nothing "
        "shows the prompt falls short"]
