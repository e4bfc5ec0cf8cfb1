"""What a path means, the same for every entry point: named files, folders searched downwards
in a real monorepo (a git repository with a git-ignored virtual environment holding a decoy
declaration), upwards only when nothing is below, and the pytest plugin over all of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from ragft_lint import check
from ragft_lint.cli import main

pytest_plugins = ["pytester"]


def _plugin_options() -> List[str]:
    """Load the plugin by name only where its entry point is not installed (as
    test_pytest_plugin.py does): loaded twice, pytest would refuse it."""
    from importlib import metadata

    installed = any(ep.group == "pytest11" and ep.value == "ragft_lint.pytest_plugin"
                    for dist in metadata.distributions() for ep in dist.entry_points)
    return ["-p", "no:cacheprovider"] + ([] if installed else ["-p", "ragft_lint.pytest_plugin"])

SEARCH = """\
evidence: false
systems:
  search-bot:
    architecture: prompt
"""
BRAND = """\
evidence: false
systems:
  brand-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
"""
DECOY = """\
systems:
  decoy-bot:
    architecture: fine-tune
"""
SAME_NAME = """\
evidence: false
systems:
  bot:
    architecture: prompt
"""


def _git(folder: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.org"}
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def _write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def make_monorepo(root: Path) -> Path:
    """Two services with a declaration each, a git-ignored virtual environment and a hidden
    folder each holding a decoy, and an ignored build folder with another."""
    root.mkdir(parents=True, exist_ok=True)
    _git(root, "init", "-q")
    _write(root, {
        ".gitignore": ".venv/\nbuild/\n",
        "services/search/ragft.yaml": SEARCH,
        "services/brand/ragft.yaml": BRAND,
        "services/brand/evals/brand.jsonl": '{"input": "a", "output": "b"}\n',
        "docs/readme.md": "the services\n",
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        ".venv/lib/site/ragft.yaml": DECOY,
        "build/ragft.yaml": DECOY,
        ".github/ragft.yaml": DECOY,
        # A virtual environment git does not ignore is still no place for declarations.
        "env/pyvenv.cfg": "home = /usr/bin\n",
        "env/lib/ragft.yaml": DECOY,
    })
    _git(root, "add", "services", "docs", ".gitignore")
    _git(root, "commit", "-q", "-m", "two services")
    return root


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_monorepo(tmp_path / "mono")
    monkeypatch.chdir(root)
    monkeypatch.setenv("NO_COLOR", "1")
    return root


def _declarations(out: str) -> List[str]:
    return json.loads(out)["declaration"]


# -- folders -------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["."], ["services"]])
def test_a_folder_means_every_declaration_below_it(monorepo: Path, capsys, args: List[str]
                                                   ) -> None:
    status = main(["check", "--format", "json", *args])
    out = capsys.readouterr().out
    assert status == 1  # brand-bot's findings
    assert _declarations(out) == ["services/brand/ragft.yaml", "services/search/ragft.yaml"]
    assert "decoy-bot" not in out


def test_a_subfolder_without_one_below_uses_the_one_above(monorepo: Path, capsys,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.chdir(monorepo / "services" / "brand" / "evals")
    assert main(["check", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["declaration"] == "../ragft.yaml"


def test_no_declaration_at_all_says_where_it_looked_and_how_to_start(monorepo: Path, capsys
                                                                     ) -> None:
    assert main(["check", "docs"]) == 2
    err = capsys.readouterr().err
    assert "no declaration found" in err and "docs and the folders below it" in err
    assert "ragft-lint init" in err and "Traceback" not in err


def test_a_new_declaration_git_does_not_know_yet_is_found(monorepo: Path, capsys) -> None:
    _write(monorepo, {"services/chat/ragft.yaml": SEARCH.replace("search-bot", "chat-bot")})
    assert main(["check", "--format", "json", "services"]) == 1
    assert "services/chat/ragft.yaml" in _declarations(capsys.readouterr().out)


def test_decide_takes_the_same_paths(monorepo: Path, capsys) -> None:
    # Over several declarations every system is path::name, whatever the names.
    both = {"services/search/ragft.yaml::search-bot", "services/brand/ragft.yaml::brand-bot"}
    assert main(["decide", "services/search", "services/brand/ragft.yaml",
                 "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["systems"]) == both
    assert main(["decide", "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["systems"]) == both
    assert main(["decide", "services/search", "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["systems"]) == {"search-bot"}


def test_the_api_checks_every_declaration_of_a_folder(monorepo: Path) -> None:
    report = check(monorepo)
    assert sorted(report.systems) == ["services/brand/ragft.yaml::brand-bot",
                                      "services/search/ragft.yaml::search-bot"]
    assert report.failed and report.exit_status == 1
    assert [len(part.systems) for part in report.parts] == [1, 1]


def test_outside_a_repository_the_tree_is_walked_with_the_same_exclusions(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "plain"
    (root / ".git").mkdir(parents=True)  # marks the root, and is no repository
    _write(root, {"a/ragft.yaml": SEARCH, ".hidden/ragft.yaml": DECOY,
                  "venv/pyvenv.cfg": "", "venv/x/ragft.yaml": DECOY,
                  "node_modules/pkg/ragft.yaml": DECOY})
    monkeypatch.chdir(root)
    assert main(["check", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["declaration"] == "a/ragft.yaml"


# -- named files ---------------------------------------------------------------------------------


def test_a_declaration_of_another_name_is_checked_by_check_and_decide(monorepo: Path, capsys
                                                                      ) -> None:
    _write(monorepo, {"designs/brand-voice.yaml": BRAND.replace("brand-bot", "voice-bot")})
    assert main(["check", "designs/brand-voice.yaml", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["declaration"] == "designs/brand-voice.yaml"
    assert {f["system"] for f in out["findings"]} == {"voice-bot"}
    assert main(["decide", "designs/brand-voice.yaml", "--format", "json"]) == 0
    assert list(json.loads(capsys.readouterr().out)["systems"]) == ["voice-bot"]


def test_a_toml_declaration_of_another_name_is_checked(tmp_path: Path, capsys) -> None:
    (tmp_path / ".git").mkdir()
    design = tmp_path / "design.toml"
    design.write_text('evidence = false\n[systems.bot]\narchitecture = "fine-tune"\n'
                      'gaps = ["knowledge"]\n[systems.bot.knowledge]\nchanges = "weekly"\n',
                      encoding="utf-8")
    assert main(["check", str(design), "-q"]) == 1
    assert "design.toml:6:11: KN001 [error]" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "text", "where"), [
    ("x.yaml", "notyaml: [\n", "x.yaml:2:1: invalid YAML"),
    ("x.toml", "a = 1\nb = = 2\n", "x.toml:2:5: invalid TOML"),
])
def test_a_named_file_that_cannot_be_read_is_exit_2(tmp_path: Path, capsys,
                                                    monkeypatch: pytest.MonkeyPatch, name: str,
                                                    text: str, where: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", name]) == 2
    assert capsys.readouterr().err.startswith(where)


def test_other_files_select_the_declaration_above_them(monorepo: Path, capsys) -> None:
    _write(monorepo, {"services/brand/evals/config.yaml": "model: gpt\nlabels: [a, b]\n"})
    for evidence in ("services/brand/evals/brand.jsonl", "services/brand/evals/config.yaml"):
        assert main(["check", evidence, "--format", "json"]) == 1
        assert json.loads(capsys.readouterr().out)["declaration"] == "services/brand/ragft.yaml"


def test_a_file_with_no_declaration_above_is_named_on_stderr(monorepo: Path, capsys) -> None:
    assert main(["check", "docs/readme.md"]) == 0
    assert capsys.readouterr().err == ("ragft-lint: docs/readme.md: no declaration at or above "
                                       "this file; nothing to check for it\n")


@pytest.mark.parametrize(("text", "status", "says"), [
    ('[project]\nname = "x"\n', 0, ""),  # no table: skipped quietly
    ('[project\nname = "x"\n', 0, "pyproject.toml:1:9: invalid TOML"),  # a note, then skipped
    ('[tool.ragft-lint\nfail_on = "error"\n', 2, "pyproject.toml:1:17: invalid TOML"),
])
def test_pyproject_files(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, text: str,
                         status: int, says: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "pyproject.toml"]) == status
    err = capsys.readouterr().err
    assert (says in err) if says else err == ""
    if status == 0 and says:
        assert err.count("\n") == 1 and "skipped" in err


# -- the pytest plugin ---------------------------------------------------------------------------


def test_the_pytest_plugin_makes_an_item_per_system_of_every_declaration(
        pytester: pytest.Pytester) -> None:
    make_monorepo(pytester.path)
    _write(pytester.path, {"services/search/ragft.yaml": SEARCH + SAME_NAME.split("systems:\n")[1],
                           "services/brand/ragft.yaml": BRAND + SAME_NAME.split("systems:\n")[1]})
    result = pytester.runpytest_subprocess(*_plugin_options(), "--ragft-lint",
                                           "--collect-only", "-q")
    lines = [line for line in result.outlines if line.startswith("ragft-lint::")]
    assert lines == [
        "ragft-lint::services/brand/ragft.yaml::brand-bot",
        "ragft-lint::services/brand/ragft.yaml::bot",
        "ragft-lint::services/search/ragft.yaml::search-bot",
        "ragft-lint::services/search/ragft.yaml::bot",
    ]
    result = pytester.runpytest_subprocess(*_plugin_options(), "--ragft-lint")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*services/brand/ragft.yaml:7:*KN001*"])


def test_the_pytest_plugin_at_a_root_with_one_declaration_keeps_short_ids(
        pytester: pytest.Pytester) -> None:
    (pytester.path / ".git").mkdir()
    _write(pytester.path, {"ragft.yaml": SEARCH})
    result = pytester.runpytest_subprocess(*_plugin_options(), "--ragft-lint",
                                           "--collect-only", "-q")
    assert "ragft-lint::search-bot" in result.outlines


def test_the_api_of_a_monorepo_runs_in_a_child_as_a_user_would(tmp_path: Path) -> None:
    root = make_monorepo(tmp_path / "mono")
    code = textwrap.dedent("""\
        import ragft_lint
        report = ragft_lint.check()
        print(sorted(report.systems))
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout == ("['services/brand/ragft.yaml::brand-bot', "
                           "'services/search/ragft.yaml::search-bot']\n"), done.stderr
