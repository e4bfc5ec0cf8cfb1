"""``--format github``: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragft_lint.cli import main
from ragft_lint.findings import Finding, Location, Severity
from ragft_lint.output.github import annotation

FIXED = ["--as-of", "2026-11-23", "--no-evidence"]

DECLARATION = """\
select: [KN, EV001]
systems:
  pricing-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: quarterly
      citations: true
    eval:
      examples: 200
    waivers:
      KN002:
        reason: "legal asked for a frozen snapshot"
  faq-bot:
    architecture: rag
    knowledge:
      corpus_tokens: 40000
    prompt:
      context_window_tokens: 128000
"""

KN001 = (
    "::warning file=ragft.yaml,line=7,col=16,title=KN001::"
    "architecture is fine-tune, but the knowledge changes quarterly: every change means another "
    "training run, where a retrieval index is refreshed in minutes (pricing-bot)"
    "%0AFix: serve the changing facts through retrieval (architecture rag or hybrid)"
)
KN003 = (
    "::error file=ragft.yaml,line=8,col=18,title=KN003::"
    "knowledge.citations is true, but a fine-tune-only system has no source in its context to "
    "cite (pricing-bot)"
    "%0AFix: retrieve the sources so each answer can cite them (architecture rag or hybrid)"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _finding(**changes: object) -> Finding:
    finding = Finding(
        rule="KN003",
        name="citations-need-retrieval",
        severity=Severity.ERROR,
        system="legal-bot",
        message="knowledge.citations is true",
        fix="",
        location=Location("ragft.yaml", 7, 18),
        key="systems.legal-bot.knowledge.citations",
    )
    return finding._replace(**changes)


def test_exact_annotations_for_a_declaration(project: Path, capsys) -> None:
    assert main(["check", "--format", "github", *FIXED]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert captured.out.endswith("\n")
    assert lines[:2] == [KN001, KN003]
    assert lines[2] == (
        "::notice file=ragft.yaml,line=17,col=22,title=KN006::"
        "knowledge.corpus_tokens is 40000, no more than context_fit_ratio (0.5) of "
        "prompt.context_window_tokens (128000), that is 64000 tokens: the whole corpus fits "
        "in the prompt (faq-bot)%0AFix: try the corpus in the prompt with prompt caching and "
        "keep retrieval only if it scores better on the eval set"
    )
    assert len(lines) == 3  # no summary line: every line is a workflow command


def test_annotations_agree_with_the_text_output(project: Path, capsys) -> None:
    assert main(["check", "-q", *FIXED]) == 1
    text = capsys.readouterr().out.splitlines()
    assert main(["check", "--format", "github", *FIXED]) == 1
    github = capsys.readouterr().out.splitlines()
    assert len(text) == len(github)
    for plain, command in zip(text, github):
        place, rule_id = plain.split(": ")[0], plain.split(" ")[1]
        path, line, column = place.split(":")
        assert command.startswith(f"file={path},line={line},col={column},title={rule_id}::",
                                  command.index(" ") + 1)


def test_waived_findings_give_no_annotation(project: Path, capsys) -> None:
    assert main(["check", "--format", "json", *FIXED]) == 1
    assert '"rule": "KN002"' in capsys.readouterr().out  # it fires, and is waived
    assert main(["check", "--format", "github", *FIXED]) == 1
    assert "KN002" not in capsys.readouterr().out


def test_a_clean_run_prints_nothing(project: Path, capsys) -> None:
    assert main(["check", "--format", "github", "--select", "KN006,KN004", *FIXED]) == 0
    out = capsys.readouterr().out
    assert out.startswith("::notice ")
    assert main(["check", "--format", "github", "--select", "KN004", *FIXED]) == 0
    assert capsys.readouterr().out == ""


def test_severity_words_map_to_commands() -> None:
    assert annotation(_finding()).startswith("::error ")
    assert annotation(_finding(severity=Severity.WARNING)).startswith("::warning ")
    assert annotation(_finding(severity=Severity.INFO)).startswith("::notice ")


def test_annotation_without_a_fix() -> None:
    assert annotation(_finding()) == (
        "::error file=ragft.yaml,line=7,col=18,title=KN003::"
        "knowledge.citations is true (legal-bot)"
    )


def test_message_escapes_percent_and_new_lines_but_keeps_colons() -> None:
    finding = _finding(message="100% of answers: cite\r\nthe source, always", fix="a: b, c%")
    assert annotation(finding) == (
        "::error file=ragft.yaml,line=7,col=18,title=KN003::"
        "100%25 of answers: cite%0D%0Athe source, always (legal-bot)%0AFix: a: b, c%25"
    )


def test_properties_escape_colon_comma_percent_and_new_lines() -> None:
    finding = _finding(location=Location("C:/a,b/50%\nx.yaml", 3, 4),
                       rule="X:1,2%\r\n3")
    assert annotation(finding) == (
        "::error file=C%3A/a%2Cb/50%25%0Ax.yaml,line=3,col=4,"
        "title=X%3A1%2C2%25%0D%0A3::knowledge.citations is true (legal-bot)"
    )


def test_the_title_is_the_bare_rule_id() -> None:
    """interfaces.md: ``::error file=…,line=…,col=…,title=ID::message``: the id alone, not the
    id and the rule's name."""
    command = annotation(_finding(name="citations-need-retrieval"))
    properties = command[len("::error "):].split("::", 1)[0]
    assert properties.split(",")[-1] == "title=KN003"
    assert "citations-need-retrieval" not in command


def test_no_value_can_end_the_command_early() -> None:
    finding = _finding(location=Location("a::b.yaml", 1, 1), message="x::y\nz", fix="")
    command = annotation(finding)
    properties, message = command[len("::error "):].split("::", 1)
    assert "::" not in properties and "\n" not in command
    assert properties.split(",")[0] == "file=a%3A%3Ab.yaml"
    assert message == "x::y%0Az (legal-bot)"
