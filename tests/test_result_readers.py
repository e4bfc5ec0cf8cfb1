"""Eval tools' result files read into per-case scores, and readers contributed by plugins.

The files under tests/results/ were written by the real tools where they run here without a
model (their README says how); the others follow the tools' documented structure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, Optional

import pytest

from ragft_lint import host as host_module
from ragft_lint.evidence.results import (
    Ambiguous,
    CaseScores,
    NotReadable,
    ResultReader,
    archive,
    opener_inside,
    read_results,
)
from ragft_lint.evidence.safety import Refused
from test_host import make_distribution, only_site

RESULTS = Path(__file__).resolve().parent / "results"


def read(path: Path, root: Path = RESULTS, **options: Optional[str]) -> CaseScores:
    return read_results(os.path.relpath(path, root), opener_inside(str(root)), **options)


def reason(path: Path, root: Path, **options: Optional[str]) -> str:
    with pytest.raises((NotReadable, Refused)) as caught:
        read(path, root, **options)
    return str(caught.value.reason)


REAL = [
    ("promptfoo/results.json", "promptfoo", "pass", {"q1": 1.0, "q2": 0.0, "q3": 0.0}),
    ("promptfoo/results.jsonl", "promptfoo", "pass", {"q1": 1.0, "q2": 0.0, "q3": 0.0}),
    ("inspect_ai/capitals.eval", "inspect_ai", "includes", {"q1": 1.0, "q2": 0.0, "3": 1.0}),
    ("inspect_ai/capitals.json", "inspect_ai", "includes", {"3": 1.0, "q1": 1.0, "q2": 0.0}),
    ("deepeval/test_run_20261201_225920.json", "deepeval", "pass",
     {"q1": 1.0, "q2": 0.0, "q3": 1.0}),
]


@pytest.mark.parametrize(("name", "tool", "metric", "scores"), REAL)
def test_files_the_real_tools_wrote(name: str, tool: str, metric: str,
                                    scores: Dict[str, float]) -> None:
    result = read(RESULTS / name)
    assert (result.tool, result.metric, result.scores) == (tool, metric, scores)
    assert (result.unscored, result.malformed, result.complete) == (0, 0, True)


def test_graded_scores_and_named_metrics_are_chosen_by_name() -> None:
    assert read(RESULTS / "promptfoo/results.json", metric="score").scores == {
        "q1": 1.0, "q2": 0.0, "q3": 0.5}
    deepeval = read(RESULTS / "deepeval/test_run_20261201_225920.json", metric="Pattern Match")
    assert deepeval.scores == {"q1": 1.0, "q2": 1.0, "q3": 1.0}
    assert deepeval.metrics == ("pass", "Exact Match", "Pattern Match")
    assert read(RESULTS / "inspect_ai/capitals.eval").task == "capitals"


def test_documented_formats() -> None:
    folder = RESULTS / "documented"
    harness = read(folder / "samples_mmlu_abstract_algebra_2024-05-13T12-34-56.123456.jsonl",
                   metric="acc")
    assert (harness.metric, harness.task, harness.scores) == (
        "acc,none", "mmlu_abstract_algebra", {"0": 1.0, "1": 0.0, "2": 1.0})
    evals = read(folder / "oaieval-run.jsonl")
    assert (evals.scores, evals.unscored, evals.first_unscored, evals.task) == (
        {"capitals.dev.0": 1.0, "capitals.dev.1": 0.0}, 1, ("capitals.dev.2",),
        "capitals.dev.v0")
    csv = read(folder / "ragas-results.csv", metric="faithfulness")
    assert (csv.scores, csv.unscored) == ({"Capital of France?": 1.0, "Capital of Spain?": 0.0}, 1)
    assert read(folder / "ragas-results.jsonl").unscored == 1  # NaN: counted, not averaged
    plain = read(folder / "plain.jsonl")
    assert (plain.scores, plain.unscored, plain.mean) == ({"q1": 1.0, "q2": 0.25}, 1, 0.625)


def test_several_metrics_or_tasks_without_a_name_are_listed() -> None:
    folder = RESULTS / "documented"
    with pytest.raises(Ambiguous) as caught:
        read(folder / "ragas-results.csv")
    assert caught.value.choices == ("faithfulness", "context_recall")
    assert "`metric:`" in caught.value.reason
    assert "did you mean 'faithfulness'" in reason(folder / "ragas-results.csv", RESULTS,
                                                    metric="faithfulnes")
    assert "holds no task 'x'" in reason(folder / "plain.jsonl", RESULTS, task="x")
    with pytest.raises(Ambiguous) as aggregate:  # lm-eval's results_*.json, read as figures
        read(folder / "results_2024-05-13T12-34-56.123456.json")
    assert aggregate.value.what == "metric"
    assert "not 'other'" in reason(RESULTS / "inspect_ai/capitals.json", RESULTS, task="other")


def test_round_trip_through_json() -> None:
    result = read(RESULTS / "documented" / "oaieval-run.jsonl")
    again = CaseScores.from_json(json.loads(json.dumps(result.to_json())))
    assert again == result and list(again.scores) == list(result.scores)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_hostile_json_lines(tmp_path: Path) -> None:
    huge = '{"id": "big", "score": 1, "pad": "' + "x" * (9 << 20) + '"}'
    path = write(tmp_path, "scores.jsonl", "\n".join([
        '{"id": "a", "score": 1.0}', '{"id": "b", "score": NaN}', '{"id": 1, "score": 0.5}',
        '{"id": "1", "score": 0}', huge, '{"id": "c", "score": "high"}',
        '{"id": "d", "score": 7}', '{"id": "e", "score": 0.5}{"id": "f", "score": 0.5}',
        '{"id": "g", "sco']))
    result = read(path, tmp_path, fmt="plain")
    assert result.scores == {"a": 1.0, "1": 0.5, "e": 0.5, "f": 0.5}
    assert (result.unscored, result.first_unscored) == (3, ("b", "c", "d"))
    assert result.malformed == 5 and not result.complete
    assert [m.reason[:20] for m in result.first_malformed] == [
        "case id '1' repeats ", "longer than 8 MiB: n", "score: score 'high' "]


@pytest.mark.parametrize("text", ['{"evalId": "x", "results": {"results": [{"promptIdx": 0',
                                  '{"evalId": "x", "results": 3}', "[" * 100000])
def test_broken_documents_give_a_reason(tmp_path: Path, text: str) -> None:
    assert reason(write(tmp_path, "results.json", text), tmp_path, fmt="promptfoo")


def test_errored_rows_fail_and_several_prompts_need_a_prompt(tmp_path: Path) -> None:
    results = [{"promptIdx": p, "testIdx": t, "vars": {}, "success": t == 0, "score": 1.0,
                "failureReason": 2 if t == 1 else 0, "prompt": {"label": f"p{p}"},
                "provider": {"id": "echo"}} for p in (0, 1) for t in (0, 1)]
    path = write(tmp_path, "results.json", json.dumps({"evalId": "e", "results": {
        "version": 3, "results": results}}))
    with pytest.raises(Ambiguous) as caught:
        read(path, tmp_path)
    assert (caught.value.what, caught.value.choices) == ("prompt", ("p0", "p1"))
    result = read(path, tmp_path, prompt="p1")
    # promptfoo counts the errored row as a failure: 1 passed of 2 rows.
    assert (result.scores, result.errored, result.unscored) == ({"0": 1.0, "1": 0.0}, 1, 0)
    assert read(path, tmp_path, prompt="0").scores == {"0": 1.0, "1": 0.0}  # by its index
    assert "holds no prompt 'p2'" in reason(path, tmp_path, prompt="p2")


def eval_log(path: Path, members: Dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return path


HEADER = json.dumps({"version": 2, "status": "success", "eval": {"task": "t"}}).encode()


def test_inspect_epochs_letters_and_errors(tmp_path: Path) -> None:
    def sample(id_: object, epoch: int, value: object, error: object = None) -> bytes:
        return json.dumps({"id": id_, "epoch": epoch, "error": error,
                           "scores": {"s": {"value": value}}}).encode()

    path = eval_log(tmp_path / "log.eval", {
        "header.json": HEADER, "samples/a_epoch_1.json": sample("a", 1, "C"),
        "samples/a_epoch_2.json": sample("a", 2, "P"),
        "samples/b_epoch_1.json": sample("b", 1, "N"),
        "samples/c_epoch_1.json": sample("c", 1, "C", error={"message": "boom"}),
        "samples/d_epoch_1.json": b'{"id": "d", '})
    result = read(path, tmp_path)
    assert result.scores == {"a": 0.75, "b": 0.0}
    assert (result.unscored, result.malformed, result.complete) == (1, 1, True)


def test_a_zip_bomb_stops_at_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 1 << 20)
    path = eval_log(tmp_path / "bomb.eval", {"header.json": HEADER,
                                             "samples/x_epoch_1.json": b"0" * (8 << 20)})
    assert "zip bomb" in reason(path, tmp_path)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 2)
    assert "more than 2" in reason(eval_log(tmp_path / "many.eval", {
        "header.json": HEADER, "samples/1.json": b"{}", "samples/2.json": b"{}"}), tmp_path)
    assert "not a readable zip" in reason(write(tmp_path, "cut.eval", "PK\x03\x04 cut"), tmp_path)


def test_only_regular_files_inside_the_root(tmp_path: Path) -> None:
    inside = tmp_path / "project"
    inside.mkdir()
    write(tmp_path, "outside.jsonl", '{"id": "a", "score": 1}\n')
    (inside / "link.jsonl").symlink_to(tmp_path / "outside.jsonl")
    assert "outside" in reason(inside / "link.jsonl", inside)
    if hasattr(os, "mkfifo"):
        os.mkfifo(inside / "pipe.jsonl")
        assert "named pipe" in reason(inside / "pipe.jsonl", inside)


def test_unknown_files_and_format_names(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.jsonl", '{"text": "hello"}\n')
    assert "name the tool with `format:`" in reason(path, tmp_path)
    assert "did you mean 'promptfoo'" in reason(path, tmp_path, fmt="promptfo")


READER_PLUGIN = """\
    from ragft_lint import hookimpl
    from ragft_lint.evidence.results import CaseScores, ResultReader

    def sniff(head, path):
        return path.endswith(".acme")

    def read(path, opener, metric, task):
        with opener(path) as handle:
            rows = [line.split(b"=") for line in handle.read().splitlines()]
        scores = {k.decode(): float(v) for k, v in rows}
        return CaseScores(path, "acme", "score", None, scores, 0, (), 0, (), True, ("score",))

    @hookimpl
    def ragft_lint_result_readers():
        return {"acme": ResultReader("acme", "ACME's scorer", sniff, read),
                "plain": ResultReader("plain", "a clash", sniff, read),
                "broken": "not a reader"}
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    sys.modules.pop("org_results", None)


@pytest.mark.plugins
def test_a_plugin_adds_a_reader(site: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    make_distribution(site, "org-results", "0.1", {"org": "org_results"},
                      {"org_results": READER_PLUGIN})
    only_site(monkeypatch, site)
    plugins = host_module.load()
    assert list(plugins.result_readers)[:2] == ["inspect_ai", "promptfoo"]
    assert "acme" in plugins.result_readers
    causes = sorted(f.cause for f in plugins.failures if f.plugin == "org")
    assert causes == ["result reader 'broken' is not a ragft_lint.evidence.results.ResultReader",
                      "result reader 'plain' is already defined"]
    path = write(tmp_path, "run.acme", "q1=1\nq2=0.5\n")
    result = read(path, tmp_path, readers=plugins.result_readers)  # type: ignore[arg-type]
    assert (result.tool, result.scores) == ("acme", {"q1": 1.0, "q2": 0.5})


def test_the_builtin_readers_come_through_the_hook() -> None:
    readers = host_module.load([]).result_readers
    assert list(readers) == ["inspect_ai", "promptfoo", "deepeval", "lm-evaluation-harness",
                             "openai-evals", "ragas", "plain"]
    assert all(isinstance(r, ResultReader) for r in readers.values())


def test_a_check_imports_no_reader(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text("systems:\n  bot:\n    architecture: prompt\n")
    probe = ("import sys, json\nfrom ragft_lint.cli import main\n"
             "main(['check', '--no-evidence', '-q', sys.argv[1]])\n"
             "print(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "ragft.yaml")],
                          capture_output=True, text=True, check=False)
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    # The host knows the built-in readers by name; no reader, nor the readers' package, loads.
    assert "ragft_lint.evidence.result_reader" in modules
    assert not {m for m in modules if m.startswith("ragft_lint.evidence.results")}


# -- the real tools, regenerating the files kept under tests/results/ ------------------------

PROMPTFOO = "promptfoo@0.121.20"  # the newest release that still runs on Node.js 20


def _skip_unless(done: subprocess.CompletedProcess[str], what: str) -> None:
    if done.returncode != 0:
        pytest.skip(f"{what} cannot be installed here: "
                    f"{(done.stderr.strip().splitlines() or ['no output'])[-1]}")


@pytest.mark.network
@pytest.mark.slow
def test_promptfoo_regenerated(tmp_path: Path) -> None:
    if shutil.which("npx") is None:
        pytest.skip("npx (Node.js) is not installed")
    shutil.copy(RESULTS / "promptfoo" / "config.yaml", tmp_path)
    environment = {**os.environ, "PROMPTFOO_DISABLE_TELEMETRY": "1",
                   "PROMPTFOO_DISABLE_UPDATE": "1"}
    for name in ("results.json", "results.jsonl"):
        done = subprocess.run(["npx", "-y", PROMPTFOO, "eval", "-c", "config.yaml", "-o", name,
                               "--no-cache"], cwd=tmp_path, env=environment,
                              capture_output=True, text=True, timeout=900, check=False)
        if not (tmp_path / name).exists():
            if "npm err" in done.stderr.lower():  # the package could not be fetched
                _skip_unless(done, PROMPTFOO)
            pytest.fail(done.stdout + done.stderr)
        assert read(tmp_path / name, tmp_path).scores == {"q1": 1.0, "q2": 0.0, "q3": 0.0}


def _tool_venv(tmp_path: Path, requirement: str) -> Path:
    if sys.version_info < (3, 10):
        pytest.skip(f"{requirement} needs Python 3.10 or later")
    folder = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    python = folder / ("Scripts" if os.name == "nt" else "bin") / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", requirement],
                          capture_output=True, text=True, timeout=1800, check=False)
    _skip_unless(done, requirement)
    return python


@pytest.mark.network
@pytest.mark.slow
def test_inspect_ai_regenerated(tmp_path: Path) -> None:
    python = _tool_venv(tmp_path, "inspect-ai==0.3.285")
    subprocess.run([str(python), str(RESULTS / "inspect_ai" / "make_logs.py"), "logs"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=600)
    logs = sorted((tmp_path / "logs").iterdir())
    assert sorted(p.suffix for p in logs) == [".eval", ".json"]
    for log in logs:
        assert read(log, tmp_path).scores == {"q1": 1.0, "q2": 0.0, "3": 1.0}


@pytest.mark.network
@pytest.mark.slow
def test_deepeval_regenerated(tmp_path: Path) -> None:
    python = _tool_venv(tmp_path, "deepeval==4.3.1")
    environment = {**os.environ, "DEEPEVAL_TELEMETRY_OPT_OUT": "YES",
                   "DEEPEVAL_RESULTS_FOLDER": "out"}
    subprocess.run([str(python), str(RESULTS / "deepeval" / "make_run.py")], cwd=tmp_path,
                   env=environment, check=True, capture_output=True, timeout=600)
    runs = sorted((tmp_path / "out").glob("test_run_*"))  # beside a lock file of deepeval's
    assert runs
    for run in [*runs, tmp_path / ".deepeval" / ".latest_run_full.json"]:
        result = read(run, tmp_path, fmt="deepeval")
        assert result.scores == {"q1": 1.0, "q2": 0.0, "q3": 1.0}


def test_ragas_json_array_export() -> None:
    # to_json(orient="records"): one JSON array, NaN written as null.
    path = RESULTS / "documented" / "ragas-results.json"
    result = read(path, metric="faithfulness")
    assert (result.tool, result.unscored, result.first_unscored) == (
        "ragas", 1, ("Capital of Italy?",))
    assert result.scores == {"Capital of France?": 1.0, "Capital of Spain?": 0.0,
                             "Capital of Peru?": 0.5}
    with pytest.raises(Ambiguous):
        read(path)


def test_harness_filters_are_chosen_with_filter() -> None:
    path = RESULTS / "documented" / "samples_gsm8k_2024-05-13T12-34-56.123456.jsonl"
    with pytest.raises(Ambiguous) as caught:
        read(path, metric="exact_match")
    assert (caught.value.what, caught.value.choices) == (
        "filter", ("strict-match", "flexible-extract"))
    strict = read(path, metric="exact_match", filter="strict-match")
    assert (strict.metric, strict.scores) == (
        "exact_match,strict-match", {"0": 0.0, "1": 1.0, "2": 0.0, "3": 1.0})
    assert read(path, filter="flexible-extract").mean == 1.0
    assert "holds no filter 'strict'" in reason(path, RESULTS, filter="strict")


def test_selectors_a_tool_has_no_use_for_are_refused() -> None:
    said = reason(RESULTS / "deepeval/test_run_20261201_225920.json", RESULTS, provider="x")
    assert "has no providers: `provider:` is for promptfoo files" in said
    said = reason(RESULTS / "promptfoo/results.json", RESULTS, filter="none")
    assert "`filter:` is for lm-evaluation-harness files" in said


@pytest.mark.parametrize("text", ["", "\n  \n"])
def test_an_empty_file_holds_no_scored_case(tmp_path: Path, text: str) -> None:
    assert reason(write(tmp_path, "results.jsonl", text), tmp_path) == (
        "is empty: it holds no scored case")
    assert "holds no scored case" in reason(write(tmp_path, "results.json", text), tmp_path,
                                            fmt="promptfoo")


def test_a_promptfoo_csv_is_not_read_as_ragas(tmp_path: Path) -> None:
    # promptfoo's table, with a variable that ragas would take for its question column.
    path = write(tmp_path, "results.csv", 'question,Score,[echo] Answer: {{question}}\n'
                 'Capital of France?,0.5,"[PASS] Answer: Paris"\n'
                 'Capital of Spain?,0.5,"[FAIL] Expected output to contain ""Madrid""\n'
                 '---\nAnswer: Lisbon"\n'
                 'Capital of Peru?,0.5,"[ERROR] upstream timed out"\n')
    result = read(path, tmp_path)
    assert (result.tool, result.metric, result.mean, result.errored) == (
        "promptfoo", "pass", 1 / 3, 1)


def test_a_file_whose_cases_all_lack_a_score_is_not_silent(tmp_path: Path) -> None:
    path = write(tmp_path, "scores.jsonl", '{"id": "a", "score": null}\n'
                                           '{"id": "b", "score": NaN}\n')
    assert reason(path, tmp_path) == ("holds no scored case: none of its 2 cases has a score "
                                      "for 'score' ('a', 'b')")


def test_promptfoo_json_lines_are_read_one_row_at_a_time(tmp_path: Path) -> None:
    import tracemalloc

    row = {"promptIdx": 0, "provider": {"id": "echo"}, "prompt": {"label": "p"},
           "response": {"output": "x" * 4000}, "success": True, "score": 1}
    path = tmp_path / "results.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(4000):  # 16 MB of rows
            out.write(json.dumps({**row, "testIdx": n, "vars": {"id": f"c{n}"}}) + "\n")
    tracemalloc.start()
    try:
        result = read(path, tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.cases == 4000
    # The largest row and a few numbers per case, not the rows themselves.
    assert peak < 4 << 20, peak
