"""The command line, end to end through ``main([...])`` (and once as a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ragft_lint.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

DRAFT = """\
select: [KN, EV001]
systems:
  pricing-bot:
    architecture: fine-tune
    knowledge:
      changes: quarterly
      citations: true
    eval:
      examples: 200
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(DRAFT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def test_text_output_is_one_located_line_per_finding(project: Path, capsys) -> None:
    assert main(["check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "ragft.yaml:6:16: KN001 [warning] architecture is fine-tune, but the knowledge changes "
        "quarterly: every change means another training run, where a retrieval index is "
        "refreshed in minutes (pricing-bot)"
    )
    assert out[1].startswith("ragft.yaml:7:18: KN003 [error] knowledge.citations is true")
    assert out[-1] == (
        "ragft.yaml: 1 error, 1 warning, 0 info (1 system checked); failing at error and above"
    )


def test_quiet_prints_findings_only(project: Path, capsys) -> None:
    assert main(["check", "-q"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["KN001", "KN003"]


def test_fail_on_and_selection_from_the_command_line(project: Path, capsys) -> None:
    assert main(["check", "--ignore", "KN003"]) == 0
    assert main(["check", "--ignore", "KN003", "--fail-on", "warning"]) == 1
    assert main(["check", "--select", "EV001,KN003", "-q"]) == 1
    assert [ln.split()[1] for ln in capsys.readouterr().out.splitlines() if ":" in ln][-1:] == [
        "KN003"
    ]


def test_command_line_overrides_the_declaration(project: Path, capsys) -> None:
    (project / "ragft.yaml").write_text(
        "fail_on: warning\nignore: [KN003]\nseverity: {KN001: info}\n" + DRAFT, encoding="utf-8"
    )
    assert main(["check", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("KN001", "info")]
    assert main(["check", "--fail-on", "info"]) == 1
    assert main(["check", "--ignore", "EV", "--fail-on", "info"]) == 1  # KN003 selected again


def test_json_contract(project: Path, capsys) -> None:
    assert main(["check", "--format", "json"]) == 1
    first = capsys.readouterr().out
    assert main(["check", "--format", "json"]) == 1
    assert capsys.readouterr().out == first  # byte-identical
    report = json.loads(first)
    assert set(report) == {"version", "declaration", "declarations", "findings", "summary",
                           "notes"}
    assert report["declarations"] == [report["declaration"]] and report["notes"] == []
    assert report["declaration"] == "ragft.yaml"
    assert report["summary"] == {"error": 1, "warning": 1, "info": 0, "waived": 0}
    finding = report["findings"][0]
    assert finding == {
        "rule": "KN001",
        "name": "fine-tune-on-changing-knowledge",
        "severity": "warning",
        "system": "pricing-bot",
        "message": finding["message"],
        "fix": finding["fix"],
        "path": "ragft.yaml",
        "line": 6,
        "column": 16,
        "key": "systems.pricing-bot.knowledge.changes",
        "waived": False,
    }
    keys = [(f["path"], f["line"], f["rule"]) for f in report["findings"]]
    assert keys == sorted(keys)


def test_paths_are_relative_to_the_working_directory(project: Path, capsys) -> None:
    sub = project / "services" / "bot"
    sub.mkdir(parents=True)
    (project / "ragft.yaml").rename(sub / "ragft.yaml")
    assert main(["check", "--format", "json", "services/bot"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["declaration"] == "services/bot/ragft.yaml"
    assert {f["path"] for f in report["findings"]} == {"services/bot/ragft.yaml"}


def test_a_folder_is_searched_upwards_to_the_repository_root(project: Path, capsys) -> None:
    deep = project / "src" / "pkg"
    deep.mkdir(parents=True)
    os.chdir(deep)
    assert main(["check", "-q"]) == 1
    assert capsys.readouterr().out.startswith("../../ragft.yaml:6:16: KN001")


def test_pyproject_without_the_table_is_skipped_quietly(project: Path, capsys) -> None:
    (project / "ragft.yaml").unlink()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert main(["check", "pyproject.toml"]) == 0
    assert capsys.readouterr() == ("", "")


def test_evidence_file_arguments_select_the_declaration_above(project: Path, capsys) -> None:
    (project / "evals").mkdir()
    (project / "evals" / "a.jsonl").write_text("{}\n", encoding="utf-8")
    (project / "evals" / "b.jsonl").write_text("{}\n", encoding="utf-8")
    assert main(["check", "-q", "evals/a.jsonl", "evals/b.jsonl", "ragft.yaml"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2  # the declaration is checked once


def test_no_declaration_says_where_it_looked_and_how_to_start(tmp_path: Path, monkeypatch,
                                                              capsys) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "no declaration found" in err and "ragft-lint init" in err and " in ." in err


def test_missing_path_is_a_usage_error(project: Path, capsys) -> None:
    assert main(["check", "nope.yaml"]) == 2
    assert capsys.readouterr().err == "ragft-lint: nope.yaml: no such file or folder\n"


def test_bad_command_line_exits_2(project: Path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check", "--as-of", "yesterday"])
    assert info.value.code == 2
    assert "'yesterday' is not a date" in capsys.readouterr().err


def test_rules_lists_every_rule(capsys) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ids = [line.split()[0] for line in lines]
    assert ids == sorted(ids)
    assert {"KN001", "KN002", "KN003", "KN004", "EV001"} <= set(ids)
    kn001 = next(line for line in lines if line.startswith("KN001"))
    assert kn001.split() == ["KN001", "fine-tune-on-changing-knowledge", "error", "builtin"]


def test_rule_shows_the_documentation(capsys) -> None:
    assert main(["rule", "kn003"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("KN003 citations-need-retrieval [error] (from builtin)\n")
    for section in ("Why:", "Fix:", "Fires:", "Passes:"):
        assert section in out


def test_unknown_rule_suggests_the_nearest(capsys) -> None:
    assert main(["rule", "KN0001"]) == 2
    assert "did you mean 'KN001'?" in capsys.readouterr().err


def test_internal_error_exits_3_without_traceback_unless_verbose(
    project: Path, monkeypatch, capsys
) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr("ragft_lint.engine.run", boom)
    assert main(["check"]) == 3
    err = capsys.readouterr().err
    assert err == (
        "ragft-lint: internal error: RuntimeError: kaput (run with -v for the traceback)\n"
    )
    assert main(["check", "-v"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_colour_only_on_a_terminal_and_never_with_no_color(project: Path, monkeypatch) -> None:
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    from ragft_lint.cli import run

    out = Terminal()
    run(["check", "-q"], out)
    assert "\x1b[" in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    run(["check", "-q"], out)
    assert "\x1b[" not in out.getvalue()


@pytest.mark.parametrize("example", ["support-bot", "pyproject/pyproject.toml"])
def test_shipped_examples_run_as_a_real_process(example: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ragft_lint", "check", str(EXAMPLES / example), "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    assert result.stderr == ""
    report = json.loads(result.stdout)
    errors = {(f["system"], f["rule"]) for f in report["findings"] if f["severity"] == "error"}
    # The sound systems have no error; the draft pricing-bot is there to show what fires.
    assert all(system == "pricing-bot" for system, _ in errors)
    if example == "support-bot":
        assert result.returncode == 1
        assert {"KN001", "KN002", "KN003", "EV001"} <= {rule for _, rule in errors}
    else:
        assert result.returncode in (0, 1)


def test_toml_findings_are_located_in_pyproject(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "x"

        [tool.ragft-lint.systems.bot]
        architecture = "fine-tune"
        knowledge = {changes = "daily", per_user_access = true}
        """), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "-q", "--select", "KN"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        line for line in [
            "pyproject.toml:6:24: KN001 [error] architecture is fine-tune, but the knowledge "
            "changes daily: every change means another training run, where a retrieval index "
            "is refreshed in minutes (bot)",
            "pyproject.toml:6:51: KN004 [error] knowledge.per_user_access is true, but a "
            "fine-tune makes what it learned visible to every user (bot)",
        ]
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "mermaid", "markdown"])
def test_decide_in_every_format(fmt: str, capsys) -> None:
    system = ["--system", "support-bot"] if fmt == "mermaid" else []
    assert main(["decide", str(EXAMPLES / "support-bot"), "--format", fmt, *system]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        systems = json.loads(out)["systems"]
        assert systems["support-bot"]["declared"] == "hybrid"
        assert set(systems["support-bot"]["frameworks"]) == {"failure_mode", "gates", "checklist"}
    elif fmt == "mermaid":  # raw, as a .mmd file and the Mermaid CLI want it
        assert out.startswith("flowchart TD\n") and out.count("flowchart TD") == 1
        assert "```" not in out
    elif fmt == "markdown":
        assert out.count("```mermaid\nflowchart TD\n") == 2
        assert out.startswith("## support-bot\n")
        assert "support-bot (declared hybrid)" in out
    else:
        assert out.startswith("support-bot (declared hybrid)\n")
        assert "consensus:" in out


def test_decide_on_a_bad_declaration_exits_2(project: Path, capsys) -> None:
    (project / "ragft.yaml").write_text("systems:\n  bot:\n    architecture: rags\n")
    assert main(["decide"]) == 2
    assert "did you mean 'rag'?" in capsys.readouterr().err
