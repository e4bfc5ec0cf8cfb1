"""One run, presented by every edge: the drifts between the command line, ``ragft_lint.check()``,
``pytest --ragft-lint`` and the notebook magic, each built for real.

- a plugin whose rule raises (a real installed distribution on the children's path): ``check``
  and ``decide`` both exit 3 and name it, on every edge;
- a note the command line prints is shown by the notebook on a real kernel, and by pytest;
- ``decide --system`` and a two-declaration ``decide`` keep the changed thresholds;
- over several declarations a system is ``path::name`` everywhere, and an unknown name raises
  the same error with "did you mean" from the fixture and ``for_system``;
- a shallow clone's note reaches ``--format github``, SARIF (valid against the official
  schema) and JSON, and ``--strict-evidence`` (or ``evidence: strict``) fails the run on it.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from evidence_project import AS_OF, Project
from test_host import make_distribution

pytest_plugins = ["pytester"]

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / \
    "sarif-schema-2.1.0.json"

RAISING = """\
    from ragft_lint import Severity, hookimpl, rule

    @rule("BAD001", "raises-always", Severity.INFO)
    def raises(system, context):
        '''A rule with a bug.

        Why: a test.
        Fix: none.
        '''
        raise RuntimeError("the rule's own bug")

    @hookimpl
    def ragft_lint_rules():
        return [raises]
"""

SOUND = """\
    systems:
      faq-bot:
        architecture: prompt
        gaps: [behavior]
        baseline_queries: 60
        prompt: {few_shot_examples: 6, baseline_score: 0.7}
        eval: {examples: 200, labeled: true}
    """


def child(cwd: Path, *args: str, env: Dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def cli(cwd: Path, *args: str, env: Dict[str, str]) -> subprocess.CompletedProcess[str]:
    return child(cwd, "-m", "ragft_lint", *args, env=env)


# -- a plugin whose rule raises ------------------------------------------------------------------


@pytest.fixture(scope="module")
def raising(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """The children's environment, with a real installed plugin whose rule raises."""
    site = tmp_path_factory.mktemp("raising-site")
    make_distribution(site, "ragft-lint-raising", "1.2.3", {"raising": "raising_plugin"},
                      {"raising_plugin": RAISING})
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(site))
    env.pop("RAGFT_LINT_DISABLE_PLUGIN_AUTOLOAD", None)
    return env


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project(tmp_path_factory.mktemp("sound") / "project")
    project.declare(SOUND)
    return project.root


NAMED = "plugin 'raising' (distribution ragft-lint-raising 1.2.3) failed: rule BAD001 raised " \
        "RuntimeError: the rule's own bug"


@pytest.mark.plugins
@pytest.mark.parametrize("command", ["check", "decide"])
def test_a_raising_rule_is_exit_3_for_check_and_decide(sound: Path, raising: Dict[str, str],
                                                       command: str) -> None:
    done = cli(sound, command, "--no-evidence", env=raising)
    assert done.returncode == 3, done.stdout + done.stderr
    assert NAMED in done.stderr


@pytest.mark.plugins
def test_a_raising_rule_fails_the_run_from_python(sound: Path, raising: Dict[str, str]) -> None:
    code = textwrap.dedent("""\
        import ragft_lint
        from ragft_lint.options import build
        report = ragft_lint.check(evidence=False)
        run = ragft_lint.Session().run(options=build(evidence=False), decide=True)
        print(report.exit_status, run.exit_status, sorted(run.decisions))
        print(run.failures[0].error())
    """)
    done = child(sound, "-c", code, env=raising)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["3 3 ['faq-bot']", NAMED]


@pytest.mark.plugins
def test_a_raising_rule_fails_the_pytest_items(sound: Path, raising: Dict[str, str],
                                               tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_decided.py").write_text(textwrap.dedent("""\
        def test_decided(ragft_lint_decisions):
            assert ragft_lint_decisions["faq-bot"].consensus
        """))
    done = child(sound, "-m", "pytest", "--ragft-lint", "-p", "no:cacheprovider", "--rootdir",
                 str(sound), str(tests), "-q", env=raising)
    assert "1 failed, 1 passed" in done.stdout, done.stdout + done.stderr
    assert NAMED in done.stdout


# -- the notebook on a real kernel -----------------------------------------------------------------


def run_notebook(cells: List[str], folder: Path, kernel: str) -> List[Dict[str, str]]:
    """Execute the cells on a real kernel in ``folder``; every output's data, by cell."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, kernel_name=kernel, timeout=300,
                   resources={"metadata": {"path": str(folder)}}).execute()
    shown = []
    for cell in notebook.cells:
        data: Dict[str, str] = {}
        for output in cell.get("outputs", []):
            for kind, value in output.get("data", {}).items():
                data[kind] = data.get(kind, "") + value
            if output.get("text"):
                data["stream"] = data.get("stream", "") + output["text"]
        shown.append(data)
    return shown


@pytest.mark.plugins
@pytest.mark.slow
def test_a_raising_rule_is_shown_by_the_notebook(sound: Path, raising: Dict[str, str],
                                                 kernel: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", raising["PYTHONPATH"])
    shown = run_notebook(["%load_ext ragft_lint",
                          "result = %ragft_lint --no-evidence\nresult",
                          "print(result.run.exit_status, len(result.run.failures))"],
                         sound, kernel)
    page = shown[1]["text/html"]
    assert "(distribution ragft-lint-raising 1.2.3) failed: rule BAD001 raised" in page
    assert shown[2]["stream"] == "3 1\n"


@pytest.fixture(scope="module")
def noted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose check has a note: an eval file whose format its name does not tell."""
    project = Project(tmp_path_factory.mktemp("noted") / "project")
    project.declare(SOUND.replace("eval: {examples: 200, labeled: true}",
                                  "eval: {path: evals/eval.txt, examples: 200, labeled: true}"))
    project.write("evals/eval.txt", "one\ntwo\n")
    return project.root


NOTE = "cannot tell the format of evals/eval.txt from its name: not measured"


@pytest.mark.slow
def test_the_notebook_shows_the_note_the_command_line_prints(noted: Path, kernel: str) -> None:
    env = dict(os.environ, NO_COLOR="1")
    done = cli(noted, "check", "--as-of", AS_OF.isoformat(), env=env)
    assert NOTE in done.stderr
    shown = run_notebook(["%load_ext ragft_lint",
                          f"result = %ragft_lint --as-of {AS_OF.isoformat()}\nresult",
                          "print([(n.code, n.path) for n in result.notes])"], noted, kernel)
    assert NOTE in shown[1]["text/html"] and "ragft-lint-notes" in shown[1]["text/html"]
    assert NOTE in shown[1]["text/plain"]
    assert shown[2]["stream"] == "[('not-measured', 'evals/eval.txt')]\n"


def test_pytest_shows_the_note(noted: Path, tmp_path: Path) -> None:
    done = child(noted, "-m", "pytest", "--ragft-lint", "-p", "no:cacheprovider", "--rootdir",
                 str(noted), "-q", str(tmp_path), env=dict(os.environ))
    assert "ragft-lint notes" in done.stdout, done.stdout + done.stderr
    assert f"not-measured: {NOTE}" in done.stdout


# -- thresholds through decide's filtering and merging ---------------------------------------------

LOWERED = "thresholds:\n  min_eval_examples: {value: 100, reason: \"a narrow classifier\"}\n" \
    + textwrap.dedent(SOUND)


@pytest.fixture(scope="module")
def two_declarations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("two") / "mono"
    Project(root)
    for service, text in (("search", SOUND), ("brand", LOWERED)):
        folder = root / "services" / service
        folder.mkdir(parents=True)
        (folder / "ragft.yaml").write_text(textwrap.dedent(text))
    return root


LOWERED_LINE = "min_eval_examples 100 (default 150): a narrow classifier"


def test_decide_system_keeps_the_thresholds(two_declarations: Path) -> None:
    env = dict(os.environ, NO_COLOR="1")
    brand = two_declarations / "services" / "brand"
    for fmt in ("text", "markdown"):
        done = cli(brand, "decide", "--system", "faq-bot", "--format", fmt, env=env)
        assert done.returncode == 0, done.stderr
        assert LOWERED_LINE in done.stdout, fmt
    done = cli(brand, "decide", "--system", "faq-bot", "--format", "json", env=env)
    assert json.loads(done.stdout)["thresholds"]["min_eval_examples"]["value"] == 100


def test_decide_over_two_declarations_keeps_the_thresholds(two_declarations: Path) -> None:
    env = dict(os.environ, NO_COLOR="1")
    done = cli(two_declarations, "decide", env=env)
    assert done.returncode == 0, done.stderr
    assert LOWERED_LINE in done.stdout
    done = cli(two_declarations, "decide", "--format", "json", env=env)
    data = json.loads(done.stdout)
    assert data["thresholds"]["min_eval_examples"]["value"] == 100
    assert set(data["systems"]) == {"services/brand/ragft.yaml::faq-bot",
                                    "services/search/ragft.yaml::faq-bot"}
    done = cli(two_declarations, "decide", "--system", "services/brand/ragft.yaml::faq-bot",
               "--format", "json", env=env)
    data = json.loads(done.stdout)
    assert list(data["systems"]) == ["services/brand/ragft.yaml::faq-bot"]
    assert "thresholds" in data


# -- system identity -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two services whose systems have different names: still path::name, both of them."""
    root = tmp_path_factory.mktemp("identity") / "mono"
    Project(root)
    for service, name in (("search", "search-bot"), ("brand", "brand-bot")):
        folder = root / "services" / service
        folder.mkdir(parents=True)
        (folder / "ragft.yaml").write_text(textwrap.dedent(SOUND).replace("faq-bot", name))
    return root


def test_every_system_is_path_and_name_over_several_declarations(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ragft_lint import Session
    from ragft_lint.errors import UnknownSystemError
    from ragft_lint.options import build

    monkeypatch.chdir(monorepo)
    run = Session().run([], build(evidence=False), decide=True)
    assert run.decisions is not None
    assert list(run.decisions) == ["services/brand/ragft.yaml::brand-bot",
                                   "services/search/ragft.yaml::search-bot"]
    assert run.report.systems == list(run.decisions)
    said = []
    for lookup in (lambda: run.decisions["brand-bot"],
                   lambda: run.report.for_system("brand-bot")):
        with pytest.raises(UnknownSystemError) as raised:
            lookup()
        said.append(str(raised.value).partition(" declares")[2])
    assert said[0] == said[1]
    assert "did you mean 'services/brand/ragft.yaml::brand-bot'?" in said[0]
    found = run.report.for_system("services/brand/ragft.yaml::brand-bot")
    assert found and {f.system for f in found} == {"brand-bot"}


def test_the_fixture_raises_the_same_error_as_for_system(pytester: pytest.Pytester) -> None:
    import shutil

    (pytester.path / ".git").mkdir()  # the project root
    for service, name in (("search", "search-bot"), ("brand", "brand-bot")):
        folder = pytester.path / "services" / service
        folder.mkdir(parents=True)
        (folder / "ragft.yaml").write_text(textwrap.dedent(SOUND).replace("faq-bot", name))
    assert shutil.which("git") is not None
    pytester.makepyfile(test_lookup="""\
        import pytest
        from ragft_lint.errors import UnknownSystemError

        def test_lookup(ragft_lint_decisions, ragft_lint_report):
            with pytest.raises(UnknownSystemError) as by_decisions:
                ragft_lint_decisions["brand-bot"]
            with pytest.raises(UnknownSystemError) as by_report:
                ragft_lint_report.for_system("brand-bot")
            for raised in (by_decisions, by_report):
                assert "did you mean 'services/brand/ragft.yaml::brand-bot'" in str(raised.value)
            assert ragft_lint_decisions["services/brand/ragft.yaml::brand-bot"].declared
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "lookup")
    result.assert_outcomes(passed=1)


def test_check_json_declarations_is_always_a_list(monorepo: Path) -> None:
    env = dict(os.environ, NO_COLOR="1")
    one = cli(monorepo / "services" / "brand", "check", "--format", "json", "--no-evidence",
              env=env)
    assert json.loads(one.stdout)["declarations"] == ["ragft.yaml"]
    assert json.loads(one.stdout)["declaration"] == "ragft.yaml"
    both = cli(monorepo, "check", "--format", "json", "--no-evidence", env=env)
    assert json.loads(both.stdout)["declarations"] == ["services/brand/ragft.yaml",
                                                       "services/search/ragft.yaml"]


# -- a shallow clone's note in every output, and strict evidence ---------------------------------

HISTORY = """\
    systems:
      policy-bot:
        architecture: rag
        gaps: [knowledge]
        baseline_queries: 60
        knowledge:
          changes: quarterly
          sources: ["docs/**"]
          corpus_tokens: 2000000
        rag: {reranker: cross-encoder/ms-marco-MiniLM-L-6-v2, retrieve_k: 20, context_k: 5}
        eval: {examples: 200, labeled: true}
    """


@pytest.fixture(scope="module")
def shallow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of depth 1 of a year of weekly changes to the knowledge sources."""
    origin = Project(tmp_path_factory.mktemp("origin") / "repo", git=True)
    origin.declare(HISTORY)
    start = datetime.date(2025, 12, 1)
    for week in range(50):
        origin.write("docs/policy.md", f"version {week}\n")
        origin.commit(start + datetime.timedelta(weeks=week), f"policy {week}")
    target = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin.root}", str(target)],
                   check=True, capture_output=True, env=origin.git_env)
    return target


def check_shallow(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(folder, "check", "--no-cache", "--as-of", AS_OF.isoformat(), *args,
               env=dict(os.environ, NO_COLOR="1"))


def test_the_cut_history_is_a_warning_in_github_format(shallow: Path) -> None:
    done = check_shallow(shallow, "--format", "github")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stdout.splitlines()
                if line.startswith("::warning ") and "title=ragft-lint history-cut::" in line]
    assert len(warnings) == 1
    assert "fetch-depth: 0" in warnings[0]


def test_the_cut_history_is_a_sarif_notification(shallow: Path) -> None:
    import jsonschema

    done = check_shallow(shallow, "--format", "sarif")
    log = json.loads(done.stdout)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    [invocation] = log["runs"][0]["invocations"]
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["descriptor"]["id"] == "history-cut"
    assert notification["level"] == "warning" and invocation["executionSuccessful"] is True


def test_the_cut_history_is_in_the_json_notes(shallow: Path) -> None:
    done = check_shallow(shallow, "--format", "json")
    [note] = json.loads(done.stdout)["notes"]
    assert note["code"] == "history-cut" and note["unmeasured"] is True
    assert "git fetch --unshallow" in note["message"]


def test_strict_evidence_fails_the_run_on_the_cut_history(shallow: Path) -> None:
    assert check_shallow(shallow).returncode == 0
    strict = check_shallow(shallow, "--strict-evidence")
    assert strict.returncode == 1
    assert "strict evidence: 1 figure could not be measured" in strict.stderr
    decided = cli(shallow, "decide", "--strict-evidence", "--as-of", AS_OF.isoformat(),
                  env=dict(os.environ, NO_COLOR="1"))
    assert decided.returncode == 1, decided.stderr


def test_evidence_strict_in_the_declaration_fails_the_run(shallow: Path) -> None:
    declaration = shallow / "ragft.yaml"
    kept = declaration.read_text(encoding="utf-8")
    try:
        declaration.write_text("evidence: strict\n" + kept, encoding="utf-8")
        assert check_shallow(shallow).returncode == 1
        assert check_shallow(shallow, "--no-evidence").returncode == 0  # nothing to be cut
    finally:
        declaration.write_text(kept, encoding="utf-8")


def test_strict_evidence_is_each_declarations_own(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from ragft_lint import Session
    from ragft_lint.options import build

    root = tmp_path / "mono"
    Project(root)
    unmeasured = textwrap.dedent(SOUND).replace(
        "eval: {examples: 200, labeled: true}",
        "eval: {path: evals/eval.txt, examples: 200, labeled: true}")
    for service, strict in (("strict", True), ("lax", False)):
        folder = root / "services" / service
        (folder / "evals").mkdir(parents=True)
        (folder / "evals" / "eval.txt").write_text("one\n")
        (folder / "ragft.yaml").write_text(("evidence: strict\n" if strict else "") + unmeasured)
    monkeypatch.chdir(root)
    run = Session().run([], build(as_of=AS_OF, cache=False))
    assert len(run.unmeasured) == 2
    assert [n.path for n in run.strict] == ["services/strict/evals/eval.txt"]
    assert run.exit_status == 1
    (root / "services" / "strict" / "evals" / "eval.txt").rename(
        root / "services" / "strict" / "evals" / "eval.jsonl")
    (root / "services" / "strict" / "ragft.yaml").write_text(
        "evidence: strict\n" + textwrap.dedent(SOUND))
    run = Session().run([], build(as_of=AS_OF, cache=False))
    assert run.strict == () and len(run.unmeasured) == 1 and run.exit_status == 0
    run = Session().run([], build(as_of=AS_OF, cache=False, strict_evidence=True))
    assert len(run.strict) == 1 and run.exit_status == 1
