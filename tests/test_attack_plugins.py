"""Plugins that fight the host: one that catches the time limit's exception and goes on, one
blocked where no signal reaches it, one writing straight to file descriptor 1, and a format
and a reader returning the wrong type. Each is a real distribution on a child's path; the
command line runs in a child process under a time limit far above what the run may take."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_host import GOOD, make_distribution

pytestmark = pytest.mark.plugins

RULE = """\
    import os, select, signal, time
    from ragft_lint import Severity, Violation, hookimpl, rule

    @rule("BAD001", "bad-rule", Severity.INFO)
    def bad(system, context):
        '''A rule that misbehaves.

        Why: a test.
        Fix: none.
        '''
        {body}
        yield from ()

    @hookimpl
    def ragft_lint_rules():
        return [bad]
"""

NAMED = "plugin 'bad' (distribution bad-plugin 0.3.1) failed: "


def run(tmp_path: Path, module: str, *arguments: str, files: dict[str, str] | None = None,
        timeout: float = 30) -> tuple[subprocess.CompletedProcess[str], float]:
    site = tmp_path / "site"
    make_distribution(site, "org-rules", "1.2.0", {"org": "org_good"}, {"org_good": GOOD})
    make_distribution(site, "bad-plugin", "0.3.1", {"bad": "org_bad"}, {"org_bad": module})
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "ragft.yaml").write_text(
        "systems:\n  bot:\n    architecture: fine-tune\n    fine_tune: {base_model: gpt-x}\n")
    for name, text in (files or {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    env = dict(os.environ, PYTHONPATH=str(site), RAGFT_LINT_PLUGIN_TIMEOUT="1", NO_COLOR="1")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "ragft_lint", "check", *arguments],
                          cwd=project, capture_output=True, text=True, timeout=timeout,
                          env=env)
    return done, time.monotonic() - started


HANGS = {
    # Catches the time limit's exception and keeps going.
    "catches-the-limit": "while True:\n"
                         "            try:\n"
                         "                time.sleep(0.1)\n"
                         "            except BaseException:\n"
                         "                pass",
    # Blocks in one C call with the limit's signal held back: no handler ever runs.
    "blocks-in-c": "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
                   "        select.select([], [], [], 1000)",
}


@pytest.mark.parametrize("case", sorted(HANGS))
def test_a_plugin_that_will_not_stop_ends_the_run_named(case: str, tmp_path: Path) -> None:
    done, took = run(tmp_path, RULE.replace("{body}", HANGS[case]), "--format", "json",
                     "--no-evidence")
    assert done.returncode == 3, done.stderr
    assert took < 20
    assert NAMED in done.stderr and "time limit of 1 s" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == "", "no partial report"


def test_what_a_rule_writes_to_file_descriptor_1_goes_to_stderr(tmp_path: Path) -> None:
    body = "os.write(1, b'junk from a rule\\n'); print('a print', flush=True)"
    done, _ = run(tmp_path, RULE.replace("{body}", body), "--format", "json",
                  "--no-evidence", "--select", "ORG,BAD")
    report = json.loads(done.stdout)  # nothing the plugin wrote is in the report
    assert {f["rule"] for f in report["findings"]} == {"ORG001"}
    assert "junk from a rule" in done.stderr and "a print" in done.stderr
    assert done.returncode == 1, done.stderr


def test_what_a_plugins_thread_prints_later_goes_to_stderr(tmp_path: Path) -> None:
    # A thread the rule starts prints after the rule has returned, while the run renders.
    body = ("import threading\n"
            "        def chatter():\n"
            "            for _ in range(200):\n"
            "                print('chatter from a thread', flush=True)\n"
            "                os.write(1, b'raw chatter\\n')\n"
            "                time.sleep(0.001)\n"
            "        threading.Thread(target=chatter, daemon=True).start()")
    done, _ = run(tmp_path, RULE.replace("{body}", body), "--format", "json",
                  "--no-evidence", "--select", "ORG,BAD")
    report = json.loads(done.stdout)
    assert {f["rule"] for f in report["findings"]} == {"ORG001"}
    assert "chatter" not in done.stdout and "chatter from a thread" in done.stderr


FORMAT = """\
    import os
    from ragft_lint import OutputFormat, hookimpl

    def render(reports, options):
        os.write(1, b"junk from a format\\n")
        return b"bytes, not text"

    @hookimpl
    def ragft_lint_output_formats():
        return {"wrong": OutputFormat("returns bytes", render)}
"""


def test_a_format_returning_the_wrong_type_is_named(tmp_path: Path) -> None:
    done, _ = run(tmp_path, FORMAT, "--format", "wrong", "--no-evidence")
    assert done.returncode == 3, done.stderr
    assert f"{NAMED}output format 'wrong' " in done.stderr, done.stderr
    assert "returned bytes, not str" in done.stderr
    assert "junk from a format" in done.stderr and done.stdout == ""
    assert "Traceback" not in done.stderr


READER = """\
    from ragft_lint import hookimpl
    from ragft_lint.evidence.results import ResultReader

    def sniff(head, path):
        return path.endswith(".acme")

    def read(path, opener, metric, task):
        return {"q1": 1.0}

    @hookimpl
    def ragft_lint_result_readers():
        return {"acme": ResultReader("acme", "returns a dict", sniff, read)}
"""


def test_a_reader_returning_the_wrong_type_is_named(tmp_path: Path) -> None:
    declaration = (
        "systems:\n  bot:\n    architecture: fine-tune\n    gaps: [behavior]\n"
        "    prompt: {few_shot_examples: 6}\n"
        "    fine_tune: {goals: [style], trained_at: 2026-05-02, results: runs/ft.acme}\n"
        "    eval: {path: evals/tone.jsonl}\n")
    done, _ = run(tmp_path, READER, "--format", "json", "--no-cache",
                  files={"ragft.yaml": declaration, "runs/ft.acme": "q1=1\n",
                         "evals/tone.jsonl": '{"input": "q1", "output": "a"}\n'})
    assert done.returncode == 3, done.stderr
    assert f"{NAMED}result reader 'acme' " in done.stderr, done.stderr
    assert "returned dict" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    json.loads(done.stdout)
