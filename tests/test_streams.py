"""Output streams, colour and options checked like the declaration: a closed pipe through a
real subprocess pipe, --color and the colour variables, --select/--ignore, and decide's
formats, --system and --as-of."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from ragft_lint import terminal
from ragft_lint.cli import main, run

DRAFT = """\
evidence: false
systems:
  pricing-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
  faq-bot:
    architecture: prompt
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(DRAFT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


# -- a closed pipe -------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["rules"], ["check"], ["check", "--format", "json"],
                                  ["decide"], ["rule", "KN001"], ["schema"]])
def test_a_closed_pipe_ends_the_run_quietly(project: Path, args: List[str]) -> None:
    # The reading end is closed before the child writes anything: `... | head -0`.
    reading, writing = os.pipe()
    os.close(reading)
    try:
        done = subprocess.run([sys.executable, "-m", "ragft_lint", *args], cwd=project,
                              stdout=writing, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(writing)
    assert done.stderr == ""
    assert done.returncode == terminal.CLOSED_PIPE == 141


def test_a_pipe_closed_after_two_lines_ends_quietly(project: Path) -> None:
    # `ragft-lint rules | head -2`, with a reader that goes away after two lines.
    with subprocess.Popen([sys.executable, "-m", "ragft_lint", "rules"], cwd=project,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        lines = [child.stdout.readline(), child.stdout.readline()]
        child.stdout.close()
        err = child.stderr.read().decode()
        status = child.wait(timeout=60)
    assert all(line.split()[0].isalnum() for line in lines)
    assert "internal error" not in err and "Traceback" not in err
    assert status in (0, terminal.CLOSED_PIPE)  # 0 when it had written everything already


# -- colour --------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("environment", "on_terminal", "option", "coloured"), [
    ({}, True, None, True),
    ({}, False, None, False),
    ({"TERM": "dumb"}, True, None, False),
    ({"NO_COLOR": "1"}, True, None, False),
    ({"FORCE_COLOR": "1"}, False, None, True),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, None, False),
    ({}, False, "always", True),
    ({"NO_COLOR": "1"}, False, "always", True),
    ({}, True, "never", False),
    ({"FORCE_COLOR": "1"}, True, "never", False),
    ({}, True, "auto", True),
])
def test_colour(project: Path, monkeypatch: pytest.MonkeyPatch, environment: Dict[str, str],
                on_terminal: bool, option: str, coloured: bool) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    out = Terminal() if on_terminal else io.StringIO()
    run(["check", "-q", *(["--color", option] if option else [])], out)
    assert ("\x1b[" in out.getvalue()) is coloured
    assert terminal.colour(out, option) is coloured
    out = Terminal() if on_terminal else io.StringIO()
    run(["decide", *(["--color", option] if option else [])], out)
    assert ("\x1b[" in out.getvalue()) is coloured


def test_an_unknown_colour_word_is_a_usage_error(project: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["check", "--color", "sometimes"])
    assert stopped.value.code == 2
    assert "invalid choice: 'sometimes'" in capsys.readouterr().err


# -- --select and --ignore -----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "says"), [
    (["--select", "KN999"], "--select: unknown rule or prefix 'KN999'; did you mean 'KN'"),
    (["--select", "kn001"], "--select: unknown rule or prefix 'kn001'; did you mean 'KN001'?"),
    (["--select", "KN001,ZZ"], "--select: unknown rule or prefix 'ZZ'"),
    (["--ignore", "BL0001"], "--ignore: unknown rule or prefix 'BL0001'; did you mean 'BL001'?"),
])
def test_select_and_ignore_are_checked_like_the_declaration(project: Path, capsys,
                                                            args: List[str], says: str) -> None:
    assert main(["check", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"ragft-lint: {says}")


def test_known_ids_and_prefixes_still_select(project: Path, capsys) -> None:
    assert main(["check", "-q", "--select", "KN,EV00", "--ignore", "KN002"]) == 1
    rules = {line.split()[1] for line in capsys.readouterr().out.splitlines()}
    assert "KN001" in rules and "KN002" not in rules
    assert main(["check", "-q", "--select", "ALL"]) == 1


# -- decide's formats ----------------------------------------------------------------------------


def test_mermaid_is_raw_and_one_system_is_chosen(project: Path, capsys) -> None:
    assert main(["decide", "--format", "mermaid"]) == 2
    err = capsys.readouterr().err
    assert "--system NAME" in err and "pricing-bot, faq-bot" in err
    assert main(["decide", "--format", "mermaid", "--system", "faq-bot"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD\n") and "```" not in out and "faq-bot" in out
    assert "pricing-bot" not in out


def test_an_unknown_system_names_the_systems(project: Path, capsys) -> None:
    assert main(["decide", "--system", "faq-bto"]) == 2
    err = capsys.readouterr().err
    assert "no system 'faq-bto'; did you mean 'faq-bot'?" in err
    assert "'pricing-bot', 'faq-bot'" in err


def test_markdown_has_the_text_and_a_fenced_diagram_per_system(project: Path, capsys) -> None:
    assert main(["decide", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.count("```mermaid\nflowchart TD\n") == 2
    assert "## pricing-bot\n" in out and "## faq-bot\n" in out
    assert "pricing-bot (declared fine-tune)" in out


def test_decide_as_of_is_the_date_evidence_is_read_at(project: Path, capsys) -> None:
    assert main(["decide", "--as-of", "2026-11-23", "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["systems"]) == {"pricing-bot", "faq-bot"}
    with pytest.raises(SystemExit) as stopped:
        main(["decide", "--as-of", "23/11/2026"])
    assert stopped.value.code == 2
    assert "is not a date (YYYY-MM-DD)" in capsys.readouterr().err
