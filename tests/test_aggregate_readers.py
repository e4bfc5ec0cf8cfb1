"""Result files that give a figure the tool printed rather than only per-case scores:
lm-evaluation-harness's ``results_*.json`` (an aggregate: figure and count, no cases) and the
OpenAI evals run log, whose headline is its ``final_report`` and which, without one, is of a
run that did not finish (measured-quality.md, "Eval tools' result files")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from evidence_project import rules_fired
from ragft_lint.errors import DeclarationError
from ragft_lint.evidence.results import Ambiguous, CaseScores
from test_measured_scores import project
from test_result_readers import read, reason

RESULTS = Path(__file__).resolve().parent / "results"
HARNESS = RESULTS / "documented" / "results_2024-05-13T12-34-56.123456.json"
OAIEVAL = RESULTS / "documented" / "oaieval-run.jsonl"


def harness_results(path: Path, results: Dict[str, Dict[str, Any]],
                    counts: Optional[Dict[str, Dict[str, int]]] = None,
                    **more: Any) -> Path:
    """A ``results_*.json`` as lm-evaluation-harness writes it (``indent=2``)."""
    data = {"results": results, **more, "n-samples": counts if counts is not None else {
        task: {"original": 100, "effective": 100} for task in results}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


TWO_TASKS = {
    "arc_easy": {"alias": "arc_easy", "acc,none": 0.58, "acc_stderr,none": 0.0156,
                 "acc_norm,none": 0.549, "acc_norm_stderr,none": 0.0157},
    "gsm8k": {"alias": "gsm8k", "exact_match,strict-match": 0.25,
              "exact_match_stderr,strict-match": 0.0119,
              "exact_match,flexible-extract": 0.3, "exact_match_stderr,flexible-extract": "N/A"},
}


# -- lm-evaluation-harness results_*.json ------------------------------------------------------


def test_harness_results_file_is_the_figure_of_its_table_over_n_samples() -> None:
    result = read(HARNESS, metric="acc")
    assert (result.tool, result.task, result.metric) == (
        "lm-evaluation-harness", "mmlu_abstract_algebra", "acc,none")
    assert (result.mean, result.counted, result.cases, dict(result.scores)) == (
        0.6667, 3, 3, {})
    assert (result.unscored, result.malformed, result.complete) == (0, 0, True)
    assert result.metrics == ("acc,none", "acc_norm,none")  # not the stderr, not the alias
    assert read(HARNESS, metric="acc_norm,none").mean == 0.6667
    assert read(HARNESS, metric="acc", filter="none").metric == "acc,none"
    again = CaseScores.from_json(json.loads(json.dumps(result.to_json())))
    assert again == result


def test_harness_results_n_is_effective_else_original(tmp_path: Path) -> None:
    table = {"t": {"acc,none": 0.5}}
    path = harness_results(tmp_path / "results_1.json", table, {"t": {"original": 40,
                                                                      "effective": 20}})
    assert read(path, tmp_path).counted == 20
    path = harness_results(tmp_path / "results_2.json", table, {"t": {"original": 40}})
    assert read(path, tmp_path).counted == 40
    path = harness_results(tmp_path / "results_3.json", table, {})
    assert "gives no sample count (`n-samples`) for task 't'" in reason(path, tmp_path)


def test_harness_results_group_counts_its_subtasks(tmp_path: Path) -> None:
    # A group has a figure in `results` but no `n-samples` of its own.
    path = harness_results(
        tmp_path / "results_g.json",
        {"science": {"acc,none": 0.5}, "physics": {"acc,none": 0.4},
         "chemistry": {"acc,none": 0.6}},
        {"physics": {"original": 30, "effective": 30},
         "chemistry": {"original": 10, "effective": 10}},
        group_subtasks={"science": ["physics", "chemistry"], "physics": [], "chemistry": []})
    result = read(path, tmp_path, task="science")
    assert (result.mean, result.counted) == (0.5, 40)


@pytest.mark.parametrize("target", ["results/results_2024-05-13T12-34-56.123456.json",
                                    "results/ft.json"])
@pytest.mark.parametrize("declared", [0.6667, 0.9])
def test_harness_results_file_is_held_to_the_declaration(tmp_path: Path, target: str,
                                                         declared: float) -> None:
    made = project(tmp_path / "p", tuned=f"      score: {declared}\n"
                                         f"      results: {{path: {target}, metric: acc}}",
                   files={target: "documented/" + HARNESS.name})
    run = made.check()
    assert not rules_fired(run, "DA006") and not rules_fired(run, "DA009")
    fired = rules_fired(run, "DA008")
    assert len(fired) == (declared == 0.9)
    for finding in fired:
        assert f"the score measured from {target}: 0.67" in finding.message


def test_harness_results_file_is_held_to_the_eval_sets_size(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: {path: results/ft.json, metric: acc}",
                   eval_records=5, files={"results/ft.json": "documented/" + HARNESS.name})
    [finding] = rules_fired(made.check(), "DA009")
    assert finding.message.startswith("results/ft.json (fine_tune.results) scores 3 cases, "
                                      "but the eval set holds 5")


def test_harness_several_tasks_metrics_or_filters_none_named(tmp_path: Path) -> None:
    with pytest.raises(Ambiguous) as caught:
        read(HARNESS)
    assert (caught.value.what, caught.value.choices) == ("metric", ("acc,none", "acc_norm,none"))
    path = harness_results(tmp_path / "results_2024-06-01T00-00-00.json", TWO_TASKS)
    with pytest.raises(Ambiguous) as caught:
        read(path, tmp_path, metric="acc")  # whatever is named beside it
    assert (caught.value.what, caught.value.choices) == ("task", ("arc_easy", "gsm8k"))
    with pytest.raises(Ambiguous) as caught:
        read(path, tmp_path, task="gsm8k", metric="exact_match")
    assert (caught.value.what, caught.value.choices) == (
        "filter", ("strict-match", "flexible-extract"))
    with pytest.raises(Ambiguous) as caught:
        read(path, tmp_path, task="arc_easy")
    assert caught.value.choices == ("acc,none", "acc_norm,none")
    assert read(path, tmp_path, task="gsm8k", filter="flexible-extract").mean == 0.3
    assert read(path, tmp_path, task="gsm8k", metric="exact_match,strict-match").mean == 0.25
    assert read(path, tmp_path, task="arc_easy", metric="acc_norm").mean == 0.549
    assert "holds no task 'arc'" in reason(path, tmp_path, task="arc")
    assert "holds no filter 'strict'" in reason(path, tmp_path, task="gsm8k", filter="strict")
    assert "holds no metric 'f1'" in reason(path, tmp_path, task="arc_easy", metric="f1")


def test_harness_several_tasks_is_a_declaration_error(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      results: results/results_1.json")
    harness_results(made.root / "results" / "results_1.json", TWO_TASKS)
    with pytest.raises(DeclarationError) as raised:
        made.check()
    [problem] = raised.value.problems
    assert "results/results_1.json holds several tasks ('arc_easy', 'gsm8k'): name the one " \
           "that counts with `task:`" in problem.message


def test_harness_results_without_a_figure_is_not_silent(tmp_path: Path) -> None:
    path = harness_results(tmp_path / "results_1.json", {})
    assert "holds no task's results: it holds no scored case" in reason(path, tmp_path)
    path = harness_results(tmp_path / "results_2.json", {"t": {"acc,none": None}})
    assert "gives no figure for 'acc,none' of task 't'" in reason(path, tmp_path)
    path = harness_results(tmp_path / "results_3.json", {"t": {"acc,none": 0.5}},
                           {"t": {"original": 0, "effective": 0}})
    assert "holds no scored case" in reason(path, tmp_path)


def test_harness_results_file_is_compared_unpaired(tmp_path: Path) -> None:
    # A figure and a count, no cases: against a baseline of 200 passes in 200, its 2 of 3 is
    # compared by Newcombe's interval, as an inspect_ai log without samples is.
    pytest.importorskip("statsmodels")
    from statsmodels.stats.proportion import confint_proportions_2indep

    baseline = "".join(json.dumps({"id": f"b{i}", "pass": True}) + "\n" for i in range(200))
    made = project(tmp_path / "p", baseline="      baseline_results: results/base.jsonl",
                   tuned="      results: results/results_1.json", eval_records=200)
    made.write("results/base.jsonl", baseline)
    harness_results(made.root / "results" / "results_1.json", {"t": {"acc,none": 2 / 3}},
                    {"t": {"original": 3, "effective": 3}})
    [finding] = rules_fired(made.check(), "FT007")
    low, high = confint_proportions_2indep(2, 3, 200, 200, method="newcomb", compare="diff")
    assert f"95% interval {low:.3f} to {high:.3f}, by the Newcombe interval" in finding.message
    assert "none shared" in finding.message


# -- OpenAI evals run log ----------------------------------------------------------------------


def unfinished(target: Path) -> Path:
    """The documented run log as a run that stopped before its final report."""
    lines = OAIEVAL.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[-1].startswith('{"final_report"')
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(lines[:-1]), encoding="utf-8")
    return target


def test_oaieval_log_without_final_report_did_not_finish(tmp_path: Path) -> None:
    said = reason(unfinished(tmp_path / "run.jsonl"), tmp_path)
    assert "has no final_report: the run did not finish" in said
    spec_only = tmp_path / "spec.jsonl"
    spec_only.write_text(OAIEVAL.read_text(encoding="utf-8").splitlines()[0] + "\n",
                         encoding="utf-8")
    assert "did not finish" in reason(spec_only, tmp_path)


def test_oaieval_unfinished_log_is_da006(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned="      score: 0.5\n      results: results/ft.jsonl")
    unfinished(made.root / "results" / "ft.jsonl")
    [finding] = rules_fired(made.check(), "DA006")
    assert "has no final_report: the run did not finish" in finding.message
    assert "stopped" not in finding.message
    assert not rules_fired(made.check(), "DA008")


def test_oaieval_finished_log_is_measured_as_before(tmp_path: Path) -> None:
    result = read(OAIEVAL)
    assert (result.scores, result.unscored, result.first_unscored, result.task) == (
        {"capitals.dev.0": 1.0, "capitals.dev.1": 0.0}, 1, ("capitals.dev.2",),
        "capitals.dev.v0")
    assert (result.metric, result.mean, result.complete) == ("accuracy", 0.5, True)
    made = project(tmp_path / "p", tuned="      score: 0.5\n      results: results/ft.jsonl",
                   files={"results/ft.jsonl": "documented/oaieval-run.jsonl"})
    run = made.check()
    assert not rules_fired(run, "DA006") and not rules_fired(run, "DA008")


def test_oaieval_headline_is_the_final_report(tmp_path: Path) -> None:
    # The tool's figure, kept where the per-case scores would give another (a sample matched
    # twice is malformed here, counted twice by oaieval); the cases stay for pairing.
    text = OAIEVAL.read_text(encoding="utf-8").replace('"accuracy": 0.5', '"accuracy": 0.75')
    path = tmp_path / "run.jsonl"
    path.write_text(text, encoding="utf-8")
    result = read(path, tmp_path)
    assert (result.mean, dict(result.scores)) == (
        0.75, {"capitals.dev.0": 1.0, "capitals.dev.1": 0.0})
    path.write_text(text.replace('{"accuracy": 0.75, ', '{'), encoding="utf-8")
    assert read(path, tmp_path).mean == 0.5  # no accuracy in the report: the cases' mean
