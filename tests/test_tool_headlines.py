"""Each eval tool's result file read to the figure the tool itself printed when it wrote it.

The files under tests/results/promptfoo/multi, inspect_ai/more and deepeval/errored were
written by the real tools (tests/results/README.md says how); beside each is the line the tool
printed as its headline (``*.printed.txt``). The figure we read must be that figure, and a
declaration holding it must raise no DA008. The tests marked ``network`` run the tools again
and compare with what they print then.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from evidence_project import AS_OF, rules_fired
from ragft_lint.evidence import cache
from ragft_lint.evidence.results import Ambiguous, CaseScores, archive
from test_measured_scores import project
from test_result_readers import PROMPTFOO, _tool_venv, read, reason

RESULTS = Path(__file__).resolve().parent / "results"
PROMPTFOO_MULTI = RESULTS / "promptfoo" / "multi"
INSPECT_MORE = RESULTS / "inspect_ai" / "more"
DEEPEVAL_ERRORED = RESULTS / "deepeval" / "errored"
COLUMNS = [(provider, prompt) for provider in ("baseline", "tuned")
           for prompt in ("answer", "reply")]


def promptfoo_printed(text: str) -> Tuple[int, float, int]:
    """Passes, their share and errors from promptfoo's "Results:" block."""
    passed = re.search(r"✓ (\d+) passed \(([\d.]+)%\)", text)
    errors = re.search(r"(\d+) errors? \(", text)
    assert passed and errors, text
    return int(passed.group(1)), float(passed.group(2)) / 100, int(errors.group(1))


def inspect_printed(text: str) -> Dict[str, float]:
    """The figures inspect_ai printed under each score: ``{"accuracy": 0.667}``, or for a
    scorer whose scores sit side by side, ``{"exact/mean": 0.333, "close/mean": 0.333}``."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    names, figures = lines[0], {}
    for line in lines[1:]:
        pairs = list(zip(line[::2], line[1::2]))
        for name, (metric, value) in zip(names if len(pairs) > 1 else [""], pairs):
            figures[f"{name}/{metric}" if name else metric] = float(value)
    return figures


def deepeval_printed(text: str) -> float:
    found = re.search(r"Pass Rate: ([\d.]+)%", text)
    assert found, text
    return float(found.group(1)) / 100


# -- promptfoo --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["results.json", "results.jsonl", "results.csv"])
@pytest.mark.parametrize(("provider", "prompt"), COLUMNS)
def test_promptfoo_each_provider_and_prompt_is_its_printed_pass_rate(
        name: str, provider: str, prompt: str) -> None:
    # The file of two providers and two prompts, run twice each (--repeat 2), read for one
    # of them: the figure promptfoo printed when it ran that provider and prompt alone.
    printed = (PROMPTFOO_MULTI / f"{provider}-{prompt}.printed.txt").read_text(encoding="utf-8")
    passes, share, errors = promptfoo_printed(printed)
    result = read(PROMPTFOO_MULTI / name, provider=provider, prompt=prompt)
    assert (result.tool, result.metric) == ("promptfoo", "pass")
    assert round(result.mean or 0, 4) == share and result.errored == errors
    assert round(sum(result.scores.values()) * 2) == passes  # each case is its mean of 2 runs


@pytest.mark.parametrize("name", ["results.json", "results.jsonl", "results.csv"])
def test_promptfoo_several_providers_or_prompts_need_naming(name: str) -> None:
    with pytest.raises(Ambiguous) as caught:
        read(PROMPTFOO_MULTI / name)
    assert (caught.value.what, caught.value.choices) == ("provider", ("baseline", "tuned"))
    with pytest.raises(Ambiguous) as caught:
        read(PROMPTFOO_MULTI / name, provider="tuned")
    assert (caught.value.what, caught.value.choices) == ("prompt", ("answer", "reply"))
    # A prompt is named by its label or its place in the config (from 0); a provider by its
    # label or, in the JSON files, its id.
    assert read(PROMPTFOO_MULTI / name, provider="tuned", prompt="1").scores == read(
        PROMPTFOO_MULTI / name, provider="tuned", prompt="reply").scores
    assert "holds no provider 'tunde'" in reason(PROMPTFOO_MULTI / name, RESULTS,
                                                 provider="tunde", prompt="answer")


def test_promptfoo_provider_by_id() -> None:
    by_id = read(PROMPTFOO_MULTI / "results.json", provider="file://tuned.js", prompt="answer")
    assert by_id.scores == read(PROMPTFOO_MULTI / "results.json", provider="tuned",
                                prompt="answer").scores


def test_promptfoo_one_column_file_needs_no_selector() -> None:
    _, share, errors = promptfoo_printed(
        (PROMPTFOO_MULTI / "tuned-answer.printed.txt").read_text(encoding="utf-8"))
    result = read(PROMPTFOO_MULTI / "tuned-answer.json")
    assert (result.mean, result.errored, result.cases) == (share, errors, 5)


@pytest.mark.parametrize("name", ["results.json", "results.jsonl"])
@pytest.mark.parametrize(("provider", "prompt"), COLUMNS)
def test_promptfoo_named_metric_is_promptfoos_own_aggregate(name: str, provider: str,
                                                            prompt: str) -> None:
    # promptfoo's figure for a named metric is in its own header: the sum of the metric's
    # scores over the assertions that feed it (namedScores / namedScoresCount).
    document = json.loads((PROMPTFOO_MULTI / "results.json").read_text(encoding="utf-8"))
    [metrics] = [p["metrics"] for p in document["results"]["prompts"]
                 if p["provider"] == provider and p["label"] == prompt]
    figure = metrics["namedScores"]["accuracy"] / metrics["namedScoresCount"]["accuracy"]
    result = read(PROMPTFOO_MULTI / name, metric="accuracy", provider=provider, prompt=prompt)
    assert result.mean == pytest.approx(figure, abs=1e-12)
    per_test = sum(result.scores.values()) / len(result.scores)
    assert per_test != pytest.approx(figure)  # the mean over tests is not promptfoo's figure


def test_promptfoo_printed_figure_raises_no_da008(tmp_path: Path) -> None:
    _, share, _ = promptfoo_printed(
        (PROMPTFOO_MULTI / "tuned-answer.printed.txt").read_text(encoding="utf-8"))
    made = project(tmp_path / "p", tuned=f"      score: {share}\n      results: {{path: "
                                         "results/ft.json, provider: tuned, prompt: answer}",
                   eval_records=5, files={"results/ft.json": "promptfoo/multi/results.json"})
    run = made.check()
    assert not rules_fired(run, "DA008") and not rules_fired(run, "DA006")


def test_errored_rows_are_counted_in_da008_and_the_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # promptfoo counted its 2 errored rows as failures; the message and the JSON say so.
    _, _, errors = promptfoo_printed(
        (PROMPTFOO_MULTI / "tuned-answer.printed.txt").read_text(encoding="utf-8"))
    made = project(tmp_path / "p", tuned="      score: 0.5\n      results: {path: "
                                         "results/ft.json, provider: tuned, prompt: answer}",
                   eval_records=5, files={"results/ft.json": "promptfoo/multi/results.json"})
    [finding] = rules_fired(made.check(), "DA008")
    assert f", {errors} of them errored and counted as failures" in finding.message
    from ragft_lint.cli import main

    main(["check", "--format", "json", "--no-cache", str(made.root / "ragft.yaml")])
    [system] = json.loads(capsys.readouterr().out)["systems"].values()
    assert system["measured"]["fine_tune_score"]["errored"] == errors == 2


@pytest.mark.parametrize("command", [["check"], ["check", "--format", "json"], ["decide"],
                                     ["check", "--fix"]])
def test_promptfoo_several_providers_without_provider_is_a_declaration_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        command: List[str]) -> None:
    """Exit 2 at the key, whatever the rows hold, and nothing written; the same file with
    ``provider:`` is measured."""
    from ragft_lint.cli import main

    made = project(tmp_path / "p", tuned="      results: results/ft.jsonl",
                   files={"results/ft.jsonl": "promptfoo/multi/results.jsonl"})
    monkeypatch.chdir(made.root)
    declaration = Path("ragft.yaml")
    before = declaration.read_bytes()
    status = main([*command, "--no-cache", "--as-of", AS_OF.isoformat(), str(declaration)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    [line] = err.splitlines()
    where = before.decode().splitlines().index("      results: results/ft.jsonl") + 1
    assert line.startswith(f"{declaration}:{where}:16: systems.tone-bot.fine_tune.results: "
                           "results/ft.jsonl holds several providers ('baseline', 'tuned'): "
                           "name the one that counts with `provider:`, as in `{path: "
                           "results/ft.jsonl, provider: 'baseline'}`")
    assert declaration.read_bytes() == before
    declaration.write_text(before.decode().replace(
        "results: results/ft.jsonl", "results: {path: results/ft.jsonl, provider: tuned, "
                                     "prompt: answer}"), encoding="utf-8")
    assert main(["check", "--no-cache", "--as-of", AS_OF.isoformat(), str(declaration)]) != 2



def test_the_editor_shows_an_unnamed_provider_at_its_key(tmp_path: Path) -> None:
    """The language server's run of a buffer (measured) stops at the same declaration error."""
    from ragft_lint.host import load
    from ragft_lint.server.checking import check_text

    made = project(tmp_path / "p", tuned="      results: results/ft.jsonl",
                   files={"results/ft.jsonl": "promptfoo/multi/results.jsonl"})
    path = made.root / "ragft.yaml"
    checked = check_text(load([]), str(path), path.read_text(encoding="utf-8"), evidence=True)
    assert checked.run is None
    [problem] = checked.problems
    assert "holds several providers ('baseline', 'tuned')" in problem.message
    declared = check_text(load([]), str(path), path.read_text(encoding="utf-8"), evidence=False)
    assert declared.run is not None and not declared.problems

# -- inspect_ai -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "metric"), [
    ("reducer_max", None), ("yes_no", None), ("no_samples", None), ("with_error", None),
    ("dict_scorer", "exact"), ("dict_scorer", "close"), ("dict_scorer", "graded/close")])
def test_inspect_ai_log_is_its_printed_figure(name: str, metric: Optional[str]) -> None:
    printed = inspect_printed((INSPECT_MORE / f"{name}.printed.txt").read_text(encoding="utf-8"))
    result = read(INSPECT_MORE / f"{name}.eval", metric=metric)
    key = "accuracy" if metric is None else f"{metric.split('/')[-1]}/mean"
    assert round(result.mean or 0, 3) == printed[key]


def test_inspect_ai_max_reducer_is_not_the_mean_of_epochs() -> None:
    result = read(INSPECT_MORE / "reducer_max.eval")
    # q1 was right in one epoch of three: max gives 1, the mean of its epochs a third.
    assert result.scores == {"q1": 1.0, "q2": 0.0, "q3": 1.0}


def test_inspect_ai_errored_sample_is_unscored_as_inspect_leaves_it() -> None:
    result = read(INSPECT_MORE / "with_error.eval")
    assert (len(result.scores), result.unscored, result.cases) == (3, 1, 4)


def test_inspect_ai_dict_scorer_needs_its_score_named() -> None:
    with pytest.raises(Ambiguous) as caught:
        read(INSPECT_MORE / "dict_scorer.eval")
    assert caught.value.choices == ("exact", "close")


def without_reductions(source: Path, target: Path) -> Path:
    """The log as one written without samples or reduced scores: its header alone (a
    ``log_samples=False`` log of an inspect_ai that kept no reductions)."""
    with source.open("rb") as handle:
        members = dict(archive.members(handle, ""))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zipped:
        for member, data in members.items():
            if member != "reductions.json":
                zipped.writestr(member, data)
    return target


def test_inspect_ai_header_only_log_gives_the_headers_figure(tmp_path: Path) -> None:
    pytest.importorskip("zstandard")
    log = without_reductions(INSPECT_MORE / "no_samples.eval", tmp_path / "header.eval")
    result = read(log, tmp_path)
    printed = inspect_printed((INSPECT_MORE / "no_samples.printed.txt").read_text(
        encoding="utf-8"))
    assert round(result.mean or 0, 3) == printed["accuracy"]
    assert (dict(result.scores), result.counted, result.cases) == ({}, 3, 3)
    again = CaseScores.from_json(json.loads(json.dumps(result.to_json())))
    assert again == result


@pytest.mark.parametrize("declared", [0.667, 0.9])
def test_inspect_ai_header_only_log_is_held_to_the_declaration(tmp_path: Path,
                                                               declared: float) -> None:
    pytest.importorskip("zstandard")
    made = project(tmp_path / "p", tuned=f"      score: {declared}\n"
                                         "      results: results/ft.eval")
    (tmp_path / "p" / "results").mkdir()
    without_reductions(INSPECT_MORE / "no_samples.eval", tmp_path / "p" / "results" / "ft.eval")
    run = made.check()
    assert not rules_fired(run, "DA006")
    fired = rules_fired(run, "DA008")
    assert [f.message for f in fired if "0.67" in f.message] == [f.message for f in fired]
    assert len(fired) == (declared == 0.9)


def test_inspect_ai_unfinished_log_is_da006_naming_its_status(tmp_path: Path) -> None:
    said = reason(INSPECT_MORE / "unfinished.eval", RESULTS)
    assert "did not finish (status 'started')" in said
    made = project(tmp_path / "p", tuned="      results: results/ft.eval",
                   files={"results/ft.eval": "inspect_ai/more/unfinished.eval"})
    [finding] = rules_fired(made.check(), "DA006")
    assert "did not finish (status 'started')" in finding.message
    assert "stopped" not in finding.message


# -- deepeval ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["test_run_20261207_055951.json", ".latest_test_run.json"])
def test_deepeval_errored_metric_fails_its_case(name: str) -> None:
    printed = deepeval_printed((DEEPEVAL_ERRORED / "printed.txt").read_text(encoding="utf-8"))
    result = read(DEEPEVAL_ERRORED / name)
    # q2 failed Exact Match and errored on Lookup: failed, as deepeval counts it.
    assert (result.mean, result.cases, result.errored, result.scores["q2"]) == (
        printed, 5, 1, 0.0)


def test_deepeval_printed_figure_raises_no_da008(tmp_path: Path) -> None:
    printed = deepeval_printed((DEEPEVAL_ERRORED / "printed.txt").read_text(encoding="utf-8"))
    made = project(tmp_path / "p", tuned=f"      score: {printed}\n"
                                         "      results: results/.latest_test_run.json",
                   eval_records=5,
                   files={"results/.latest_test_run.json": "deepeval/errored/"
                                                           ".latest_test_run.json"})
    run = made.check()
    assert not rules_fired(run, "DA008") and not rules_fired(run, "DA006")


# -- the tools run again ----------------------------------------------------------------------


@pytest.mark.network
@pytest.mark.slow
def test_promptfoo_multi_regenerated(tmp_path: Path) -> None:
    if shutil.which("npx") is None:
        pytest.skip("npx (Node.js) is not installed")
    for name in ("config.yaml", "tuned.js"):
        shutil.copy(PROMPTFOO_MULTI / name, tmp_path)
    environment = {**os.environ, "PROMPTFOO_DISABLE_TELEMETRY": "1",
                   "PROMPTFOO_DISABLE_UPDATE": "1"}
    for provider, prompt in COLUMNS:
        done = subprocess.run(
            ["npx", "-y", PROMPTFOO, "eval", "-c", "config.yaml", "--no-cache", "--no-table",
             "--repeat", "2", "--filter-providers", f"^{provider}$", "--filter-prompts",
             f"^{prompt}$", "-o", "out.jsonl"], cwd=tmp_path, env=environment,
            capture_output=True, text=True, timeout=900, check=False)
        if not (tmp_path / "out.jsonl").exists():
            if "npm err" in done.stderr.lower():
                pytest.skip(f"{PROMPTFOO} cannot be installed here")
            pytest.fail(done.stdout + done.stderr)
        _, share, errors = promptfoo_printed(done.stdout)
        result = read(tmp_path / "out.jsonl", tmp_path)
        assert (round(result.mean or 0, 4), result.errored) == (share, errors)
        (tmp_path / "out.jsonl").unlink()


@pytest.mark.network
@pytest.mark.slow
def test_inspect_ai_more_regenerated(tmp_path: Path) -> None:
    python = _tool_venv(tmp_path, "inspect-ai==0.3.285")
    for name in ("reducer_max", "yes_no", "with_error"):
        done = subprocess.run([str(python), str(INSPECT_MORE / "make_logs.py"), "logs", name],
                              cwd=tmp_path, check=True, capture_output=True, text=True,
                              timeout=600)
        figure = re.search(r"^accuracy +([\d.]+)", done.stdout, re.M)
        assert figure, done.stdout
        [log] = (tmp_path / "logs" / name).iterdir()
        assert round(read(log, tmp_path).mean or 0, 3) == float(figure.group(1))


@pytest.mark.network
@pytest.mark.slow
def test_deepeval_errored_regenerated(tmp_path: Path) -> None:
    python = _tool_venv(tmp_path, "deepeval==4.3.1")
    environment = {**os.environ, "DEEPEVAL_TELEMETRY_OPT_OUT": "YES",
                   "DEEPEVAL_RESULTS_FOLDER": "out"}
    done = subprocess.run([str(python), str(DEEPEVAL_ERRORED / "make_run.py")], cwd=tmp_path,
                          env=environment, check=True, capture_output=True, text=True,
                          timeout=600)
    printed = deepeval_printed(done.stdout)
    runs: List[Path] = [*sorted((tmp_path / "out").glob("test_run_*.json")),
                        tmp_path / ".deepeval" / ".latest_test_run.json"]
    for run in runs:
        assert read(run, tmp_path).mean == printed


def test_printed_parsers_read_the_tools_lines() -> None:
    assert promptfoo_printed("  ✓ 16 passed (40.00%)\n  ✗ 2 errors (5.00%)") == (16, 0.4, 2)
    assert inspect_printed("exact         close\nmean   0.333  mean   0.5") == {
        "exact/mean": 0.333, "close/mean": 0.5}
    assert deepeval_printed(io.StringIO("» Pass Rate: 60.0% | Passed: 3").read()) == 0.6


@pytest.mark.parametrize(("fixture", "spec", "declared"), [
    ("promptfoo/multi/results.jsonl",
     "{path: results/ft.jsonl, provider: tuned, prompt: answer, metric: accuracy}", 0.9),
    ("inspect_ai/more/no_samples.eval", "results/ft.eval", 0.9)])
def test_the_cache_keeps_the_tools_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          fixture: str, spec: str, declared: float) -> None:
    if fixture.endswith(".eval"):
        pytest.importorskip("zstandard")
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    monkeypatch.setattr(cache, "SETTLE_SECONDS", 0.0)
    monkeypatch.setenv(cache.ENVIRONMENT, str(tmp_path / "cache"))
    target = spec.split(",")[0].replace("{path: ", "")
    made = project(tmp_path / "p", tuned=f"      score: {declared}\n      results: {spec}")
    (tmp_path / "p" / "results").mkdir()
    if fixture.endswith(".eval"):  # as a log without reduced scores: the header's figure
        without_reductions(RESULTS / fixture, tmp_path / "p" / target)
    else:
        shutil.copyfile(RESULTS / fixture, tmp_path / "p" / target)
    first = [f.message for f in rules_fired(made.check(cache=True), "DA008")]
    import ragft_lint.evidence.results as results

    def unread(*args: object) -> None:
        raise AssertionError("read again")

    monkeypatch.setattr(results, "choose", unread)  # the second run is the cache's
    again = [f.message for f in rules_fired(made.check(cache=True), "DA008")]
    assert first == again and len(first) == 1


def test_inspect_ai_header_only_log_is_compared_unpaired(tmp_path: Path) -> None:
    # A log without its samples has a figure and a count, no cases: against a baseline of
    # 200 passes in 200, its 2 of 3 is compared by Newcombe's interval, a significant loss.
    pytest.importorskip("zstandard")
    from statsmodels.stats.proportion import confint_proportions_2indep

    baseline = "".join(json.dumps({"id": f"b{i}", "pass": True}) + "\n" for i in range(200))
    made = project(tmp_path / "p", baseline="      baseline_results: results/base.jsonl",
                   tuned="      results: results/ft.eval", eval_records=200)
    made.write("results/base.jsonl", baseline)
    without_reductions(INSPECT_MORE / "no_samples.eval", tmp_path / "p" / "results" / "ft.eval")
    [finding] = rules_fired(made.check(), "FT007")
    low, high = confint_proportions_2indep(2, 3, 200, 200, method="newcomb", compare="diff")
    assert f"95% interval {low:.3f} to {high:.3f}, by the Newcombe interval" in finding.message
    assert "Newcombe interval" in finding.message and "none shared" in finding.message


def test_the_form_to_write_is_in_the_declarations_own_words(tmp_path: Path) -> None:
    """A pyproject.toml declaration is shown a TOML inline table, a YAML one a flow mapping."""
    from ragft_lint.errors import DeclarationError
    from ragft_lint.session import Session

    (tmp_path / ".git").mkdir()
    (tmp_path / "evals").mkdir()
    shutil.copyfile(PROMPTFOO_MULTI / "results.json", tmp_path / "evals" / "results.json")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ragft-lint.systems.helpdesk]\narchitecture = "prompt"\n'
        'prompt = {baseline_results = "evals/results.json"}\n', encoding="utf-8")
    with pytest.raises(DeclarationError) as raised:
        Session().run([tmp_path / "pyproject.toml"])
    [problem] = raised.value.problems
    assert problem.message.endswith(
        'as in `{path = "evals/results.json", provider = "baseline"}`'), problem.message
