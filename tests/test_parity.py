"""Every entry point gives the same answer: the command line, ``ragft_lint.check()``,
``pytest --ragft-lint`` and a notebook cell on a real kernel, with a real plugin installed and
evidence on disk, give the same findings and the same decisions for the same declaration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict

import pytest

from evidence_project import Project, chat, jsonl

# The plugin is built by pip (its build backend comes from the package index) and found by
# every child through PYTHONPATH; the notebook needs a real kernel.
pytestmark = [pytest.mark.network, pytest.mark.plugins, pytest.mark.slow]

DECLARATION = """\
    fail_on: warning
    plugins:
      acme:
        approved_base_models: [llama-3.1-8b-instruct]
    systems:
      triage:
        architecture: fine-tune
        gaps: [behavior]
        baseline_queries: 80
        risk_review:
          ticket: RISK-42
          reviewed_on: 2026-10-01
        prompt:
          few_shot_examples: 8
          baseline_score: 0.6
        fine_tune:
          goals: [format]
          base_model: mistral-7b-instruct      # not approved: ACME001
          training_data: data/train.jsonl      # 700 records, declared as 100
          training_examples: 100
        eval:
          path: evals/triage.jsonl
          examples: 200
          labeled: true
          created_at: 2026-01-05
      helpdesk:
        architecture: rag
        gaps: [knowledge]
        baseline_queries: 60
        knowledge:
          changes: weekly
          citations: true
          corpus_tokens: 2000000
        rag:
          retrieve_k: 20
          context_k: 5
        eval:
          path: evals/helpdesk.jsonl
          examples: 150
          labeled: true
          created_at: 2026-02-01
    """

# What each entry point prints: its findings as `check --format json` does, and its decisions
# as `decide --format json` does.
DUMP = """\
import json
from ragft_lint.output import decision_json, json as findings_json

def dump(report, decisions, path):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"findings": json.loads(findings_json.render([report])),
                   "decisions": decision_json.document(decisions)}, handle)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parity") / "project"
    project = Project(root, git=True)
    project.declare(DECLARATION)
    project.write("data/train.jsonl", jsonl(chat(f"how do I file ticket {n}?") for n in range(700)))
    project.write("evals/triage.jsonl", jsonl({"input": f"triage case {n}", "output": "P2"}
                                              for n in range(200)))
    project.write("evals/helpdesk.jsonl", jsonl({"input": f"helpdesk case {n}", "output": "ok"}
                                                for n in range(90)))
    project.write("dump_result.py", DUMP)
    project.git("add", "-A")
    project.git("commit", "-q", "-m", "the project")
    return root


@pytest.fixture(scope="module")
def environment(acme_site: Path) -> Dict[str, str]:
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(acme_site))
    env.pop("RAGFT_LINT_DISABLE_PLUGIN_AUTOLOAD", None)
    return env


def run(env: Dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def from_cli(project: Path, environment: Dict[str, str]) -> Dict[str, Any]:
    checked = run(environment, project, "-m", "ragft_lint", "check", "--format", "json")
    assert checked.returncode == 1, checked.stderr
    decided = run(environment, project, "-m", "ragft_lint", "decide", "--format", "json")
    assert decided.returncode == 0, decided.stderr
    return {"findings": json.loads(checked.stdout), "decisions": json.loads(decided.stdout)}


def test_the_cli_sees_the_plugin_and_the_evidence(from_cli: Dict[str, Any]) -> None:
    rules = {f["rule"] for f in from_cli["findings"]["findings"]}
    assert "ACME001" in rules  # the plugin's rule ran on the plugin's settings
    assert "DA002" in rules  # the evidence was measured: 700 training records, not 100


def test_check_from_python(project: Path, environment: Dict[str, str],
                           from_cli: Dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "api.json"
    code = ("import ragft_lint, dump_result\n"
            "from ragft_lint.session import Session\n"
            "report = ragft_lint.check()\n"
            "session = Session()\n"
            "dump_result.dump(report, session.decisions(session.declaration()), "
            f"{str(out)!r})\n")
    done = run(environment, project, "-c", code)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text()) == from_cli


def test_pytest_plugin(project: Path, environment: Dict[str, str],
                       from_cli: Dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "pytest.json"
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_dump.py").write_text(textwrap.dedent(f"""\
        import dump_result

        def test_dump(ragft_lint_report, ragft_lint_decisions):
            dump_result.dump(ragft_lint_report, ragft_lint_decisions, {str(out)!r})
        """))
    env = dict(environment, PYTHONPATH=os.pathsep.join([environment["PYTHONPATH"],
                                                        str(project)]))
    done = run(env, project, "-m", "pytest", "--ragft-lint", "-p", "no:cacheprovider",
               "--rootdir", str(project), str(tests), "-q")
    # triage and helpdesk fail with their findings, the dumping test passes.
    assert "2 failed, 1 passed" in done.stdout, done.stdout + done.stderr
    assert json.loads(out.read_text()) == from_cli


def test_notebook_cell_on_a_real_kernel(project: Path, environment: Dict[str, str],
                                        from_cli: Dict[str, Any], tmp_path: Path,
                                        kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    for name in ("PYTHONPATH",):
        monkeypatch.setenv(name, environment[name])
    monkeypatch.delenv("RAGFT_LINT_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    out = tmp_path / "notebook.json"
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%load_ext ragft_lint"),
        nbformat.v4.new_code_cell("result = %ragft_lint"),
        nbformat.v4.new_code_cell("import dump_result\n"
                                  f"dump_result.dump(result.report, result.decisions, "
                                  f"{str(out)!r})"),
    ])
    NotebookClient(notebook, kernel_name=kernel, timeout=300,
                   resources={"metadata": {"path": str(project)}}).execute()
    assert json.loads(out.read_text()) == from_cli
