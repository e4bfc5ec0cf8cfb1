"""Every fenced sh, YAML, TOML and ini block of README.md, exercised as a reader would use it.

Each block is claimed by one exerciser, by a phrase it holds (``EXERCISED``); a block no
exerciser claims fails the suite, so a new snippet comes with its check. Commands run for real
in temporary git repositories with this environment's ``ragft-lint`` first on ``PATH``;
configurations are fed to ``pre-commit run``, pytest and ``ragft-lint check``. What needs a
package index (``pip install`` of a clone, a wheel or a plugin; pre-commit building its own
environment from ``rev:``) is checked for its structure here; the network-marked tests of
test_pre_commit.py run the published-repository form.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(sh|bash|shell|yaml|toml|ini)\n(.*?)^```$", re.MULTILINE | re.DOTALL)

# The phrase that identifies each block, and the test that exercises it.
EXERCISED = {
    "ragft-lint check examples/support-bot": "test_try_it_checks_the_example",
    'pip install -e ".[test]"': "test_the_test_setup_names_what_exists",
    "ragft-lint check --fix": "test_fix",
    "--write-baseline .ragft-baseline.json": "test_baselines",
    "ragft-lint init --pyproject": "test_init_commands",
    "cp hooks/pre-commit": "test_the_plain_git_hook",
    "pytest --ragft-lint": "test_pytest_flag",
    "pip install ./examples/acme-plugin": "test_the_plugin_example_is_installable",
    "gaps: [knowledge, behavior]     # what": "test_declarations",
    "yaml-language-server": "test_the_schema_line",
    "latency budget of 40 ms": "test_the_waiver",
    "<<: *defaults": "test_declarations",
    "actions/checkout": "test_the_actions_steps",
    "retrieval_eval:": "test_measured_fragments",
    "baseline_results:": "test_measured_fragments",
    "results: logs/capitals.eval": "test_measured_fragments",
    "metric: Exact Match": "test_measured_fragments",
    "- repo: local": "test_pre_commit_local_hook_reaches_evidence_at_any_depth",
    "- repo: ../ragft-lint": "test_the_clone_form_names_a_commit",
    "      - id: ragft-lint\n        files:":
        "test_pre_commit_local_hook_reaches_evidence_at_any_depth",
    "ragft_lint_path": "test_the_pytest_ini",
    "training_data: {path: data/train.parquet": "test_measured_fragments",
    "the shared settings, no systems": "test_the_shared_settings",
}


def blocks() -> List[Tuple[str, str, int]]:
    """Every block: its language, its text, and the line of its fence."""
    return [(m.group(1), m.group(2), README.count("\n", 0, m.start()) + 1)
            for m in FENCE.finditer(README)]


def block(phrase: str) -> str:
    found = [text for _, text, _ in blocks() if phrase in text]
    assert found, f"README.md no longer shows a block with {phrase!r}"
    return found[0]


def test_every_snippet_is_exercised() -> None:
    assert len(blocks()) >= 15
    for language, text, line in blocks():
        claims = {test for phrase, test in EXERCISED.items() if phrase in text}
        assert claims, f"README.md:{line}: a {language} block no test exercises"
        missing = [test for test in claims if test not in globals()]
        assert not missing, missing


# -- running things ------------------------------------------------------------------------------

def environment(home: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
                "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
                "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org",
                "GIT_AUTHOR_DATE": "2026-11-23T12:00:00+00:00",
                "GIT_COMMITTER_DATE": "2026-11-23T12:00:00+00:00", "HOME": str(home),
                "PRE_COMMIT_HOME": str(home / "pre-commit"),
                # This environment's console scripts first, as an activated venv has them.
                "PATH": os.pathsep.join([os.path.dirname(sys.executable),
                                         os.environ.get("PATH", "")])})
    return env


def shell(command: str, folder: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    home = folder.parent / "home"
    home.mkdir(exist_ok=True)
    return subprocess.run(["bash", "-c", command], cwd=folder, env=environment(home),
                          input=stdin, capture_output=True, text=True, timeout=600)


def repository(folder: Path, files: Dict[str, str], commit: bool = True) -> Path:
    folder.mkdir(parents=True)
    shell("git init -q -b main", folder)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    if commit:
        shell("git add -A && git commit -q -m start", folder)
    return folder


def example(folder: Path) -> Path:
    """A copy of examples/support-bot as a repository of its own."""
    shutil.copytree(ROOT / "examples" / "support-bot", folder)
    shell("git init -q -b main && git add -A && git commit -q -m start", folder)
    return folder


def commands(text: str) -> List[str]:
    """The command lines of a sh block, their comments dropped."""
    return [re.sub(r"\s+#.*$", "", line).strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


# -- sh ------------------------------------------------------------------------------------------

def test_try_it_checks_the_example() -> None:
    setup, _, run = block("ragft-lint check examples/support-bot").strip().rpartition(" && ")
    assert "pip install -e ." in setup  # from this clone: needs the package index (network)
    done = subprocess.run(["bash", "-c", run], cwd=ROOT, capture_output=True, text=True,
                          env=environment(Path(os.devnull)))
    assert done.returncode == 1, done.stdout + done.stderr  # the README says it exits 1
    assert "examples/support-bot/ragft.yaml:" in done.stdout and "Traceback" not in done.stderr


def test_the_test_setup_names_what_exists() -> None:
    text = block('pip install -e ".[test]"')
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "test" in project["project"]["optional-dependencies"]
    assert any(d.startswith("pytest-xdist") for d in project["project"]
               ["optional-dependencies"]["test"]), "-n auto needs pytest-xdist"
    markers = project["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("network:") for m in markers) and '-m "not network"' in text


def test_fix(tmp_path: Path) -> None:
    folder = example(tmp_path / "p")
    (line,) = commands(block("ragft-lint check --fix"))
    done = shell(line, folder)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr


def test_baselines(tmp_path: Path) -> None:
    folder = example(tmp_path / "p")
    write, use = commands(block("--write-baseline .ragft-baseline.json"))
    done = shell(write, folder)
    assert done.returncode == 0, done.stdout + done.stderr  # "record today's findings; exits 0"
    assert (folder / ".ragft-baseline.json").is_file()
    done = shell(use, folder)
    assert done.returncode == 0, done.stdout + done.stderr  # nothing new since


def test_init_commands(tmp_path: Path) -> None:
    from ragft_lint.declaration import load

    for index, line in enumerate(commands(block("ragft-lint init --pyproject"))):
        folder = repository(tmp_path / f"p{index}", {}, commit=False)
        if "--pyproject" in line:
            (folder / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
        done = shell(line, folder)
        assert done.returncode == 0, (line, done.stderr)
        written = folder / ("pyproject.toml" if "--pyproject" in line else "ragft.yaml")
        assert load(written).systems, line


def test_the_plain_git_hook(tmp_path: Path) -> None:
    folder = repository(tmp_path / "p", {"README.md": "a project\n"})
    shutil.copytree(ROOT / "hooks", folder / "hooks")
    (line,) = commands(block("cp hooks/pre-commit"))
    assert shell(line, folder).returncode == 0
    (folder / "ragft.yaml").write_text("evidence: false\nsystems:\n  bot:\n"
                                       "    architecture: fine-tune\n    gaps: [knowledge]\n"
                                       "    knowledge: {changes: weekly}\n", encoding="utf-8")
    done = shell("git add ragft.yaml && git commit -q -m bad", folder)
    assert done.returncode != 0 and "KN001" in done.stdout + done.stderr


def test_pytest_flag(tmp_path: Path) -> None:
    folder = repository(tmp_path / "p", {"ragft.yaml": "evidence: false\nsystems:\n"
                                         "  support-bot:\n    architecture: prompt\n"})
    (line,) = commands(block("pytest --ragft-lint"))
    assert line == "pytest --ragft-lint"
    done = shell(f"{sys.executable} -m {line} -p no:cacheprovider -v", folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ragft-lint::support-bot PASSED" in done.stdout


def test_the_plugin_example_is_installable() -> None:
    # pip builds the plugin from the package index (network); here: what it installs.
    line = block("pip install ./examples/acme-plugin").strip()
    path = line.split("pip install ", 1)[1].split()[0]
    assert (ROOT / path / "pyproject.toml").is_file()
    assert "ragft_lint" in (ROOT / path / "pyproject.toml").read_text(encoding="utf-8")


# -- YAML declarations and fragments --------------------------------------------------------------

def check(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return shell(f"ragft-lint check {' '.join(args)}", folder)


@pytest.mark.parametrize("phrase", ["gaps: [knowledge, behavior]     # what", "<<: *defaults"])
def test_declarations(tmp_path: Path, phrase: str) -> None:
    folder = repository(tmp_path / "p", {"ragft.yaml": block(phrase)})
    done = check(folder, "--no-evidence")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "ragft.yaml" in done.stdout and "Traceback" not in done.stderr


def test_the_schema_line(tmp_path: Path) -> None:
    first = block("yaml-language-server").strip()
    folder = repository(tmp_path / "p", {
        "ragft.yaml": first + "\nsystems:\n  bot:\n    architecture: prompt\n"})
    assert shell("ragft-lint schema > ragft.schema.json", folder).returncode == 0
    schema = json.loads((folder / "ragft.schema.json").read_text(encoding="utf-8"))
    assert "json-schema.org" in schema["$schema"]
    assert first.endswith("$schema=./ragft.schema.json")
    assert check(folder, "--no-evidence").returncode in (0, 1)


def test_the_waiver(tmp_path: Path) -> None:
    waiver = block("latency budget of 40 ms")
    declaration = ("evidence: false\nsystems:\n  support-bot:\n    architecture: rag\n"
                   "    rag: {retrieve_k: 20, context_k: 5}\n" + waiver)
    folder = repository(tmp_path / "p", {"ragft.yaml": declaration})
    done = check(folder, "--format", "json", "--as-of", "2026-12-01")
    assert done.returncode in (0, 1), done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [f["waived"] for f in findings if f["rule"] == "RG001"] == [True]


def test_the_actions_steps(tmp_path: Path) -> None:
    steps = yaml.safe_load(textwrap.dedent(block("actions/checkout")))
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"] == {
        "fetch-depth": 0}
    run = steps[1]["run"]
    install, _, command = run.partition(" && ")
    # Not on PyPI yet: the step installs a wheel built from a clone (pip needs the index for
    # its dependencies: network), never a name the index does not hold.
    assert re.fullmatch(r"pip install \S+\.whl", install), install
    folder = example(tmp_path / "p")
    done = shell(command, folder)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("::")


@pytest.mark.parametrize("phrase", ["path: {path: runs/bm25.trec", "runs/dense.json",
                                    "runs/queries.jsonl", "results/promptfoo.json",
                                    "results: logs/capitals.eval", "metric: Exact Match",
                                    "results: results/ft.jsonl",
                                    "training_data: {path: data/train.parquet"])
def test_measured_fragments(tmp_path: Path, phrase: str) -> None:
    # Each is a piece of a system; its keys and values must be what the format takes (the
    # figures they print come from the files of tests/results and test_measured_scores.py).
    fragment = block(phrase)
    for key, table in (("retrieval_eval:", "rag"), ("training_data:", "fine_tune")):
        if fragment.startswith(key):
            fragment = f"{table}:\n" + textwrap.indent(fragment, "  ")
    declaration = ("evidence: false\nsystems:\n  bot:\n    architecture: hybrid\n"
                   + textwrap.indent(fragment, "    "))
    folder = repository(tmp_path / "p", {"ragft.yaml": declaration})
    done = check(folder, "--no-evidence")
    assert done.returncode in (0, 1), done.stdout + done.stderr


# -- pre-commit and pytest configurations ---------------------------------------------------------

def test_the_clone_form_names_a_commit() -> None:
    # pre-commit pip-installs the hook from `repo:` at `rev:` (network). No release is tagged:
    # `rev:` must be a commit, and the README must say where to get it.
    (repo,) = yaml.safe_load(block("- repo: ../ragft-lint"))["repos"]
    assert repo["hooks"] == [{"id": "ragft-lint"}]
    assert not re.fullmatch(r"v\d+(\.\d+)*", str(repo["rev"])), "no such tag exists"
    assert "rev-parse HEAD" in README


BRAND = """\
systems:
  brand-bot:
    architecture: prompt
    eval: {path: evals/support.jsonl, examples: 2}
"""


@pytest.mark.parametrize("phrase", ["- repo: local", "      - id: ragft-lint\n        files:"])
def test_pre_commit_local_hook_reaches_evidence_at_any_depth(tmp_path: Path,
                                                             phrase: str) -> None:
    config = block("- repo: local")
    if phrase != "- repo: local":  # the widened `files` line, in the local hook
        (files,) = [line for line in block(phrase).splitlines() if "files:" in line]
        config = re.sub(r"^\s*files:.*$", files, config, flags=re.MULTILINE)
    records = '{"question": "a", "answer": "b"}\n{"question": "c", "answer": "d"}\n'
    folder = repository(tmp_path / "mono", {
        ".pre-commit-config.yaml": config, "services/brand/ragft.yaml": BRAND,
        "services/brand/evals/support.jsonl": records})
    # An eval change deep in the monorepo: the declaration's count no longer holds (DA002).
    with (folder / "services/brand/evals/support.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"question": "e", "answer": "f"}\n')
    done = shell(f"{sys.executable} -m pre_commit run --color=never --files "
                 "services/brand/evals/support.jsonl", folder)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "DA002" in done.stdout


def test_the_pytest_ini(tmp_path: Path) -> None:
    ini = block("ragft_lint_path")
    folder = repository(tmp_path / "p", {
        "pytest.ini": ini, "ai/ragft.yaml": "evidence: false\nsystems:\n  support-bot:\n"
                                            "    architecture: prompt\n"})
    done = shell(f"{sys.executable} -m pytest -p no:cacheprovider -v", folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "support-bot PASSED" in done.stdout


def test_the_shared_settings(tmp_path: Path) -> None:
    shared = block("# ragft.yaml at the repository root: the shared settings")
    service = ("extend: ../../ragft.yaml\nevidence: false\nsystems:\n  bot:\n"
               "    architecture: prompt\n")
    folder = repository(tmp_path / "mono", {"ragft.yaml": shared,
                                            "services/bot/ragft.yaml": service})
    done = check(folder, "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr  # the shared fail_on: warning
    reports = json.loads(done.stdout)["declarations"]
    assert "services/bot/ragft.yaml" in reports, reports
    (folder / "services/bot/ragft.yaml").write_text(
        service.replace("evidence: false\n", "evidence: false\nfail_on: error\n"),
        encoding="utf-8")
    done = check(folder)
    assert done.returncode == 0, done.stdout + done.stderr  # the service's own value wins
