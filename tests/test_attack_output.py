"""Output that cannot inject: names, folders and keys holding new lines, workflow commands and
ANSI escapes are printed escaped, on stdout and stderr, in text, github and HTML.

Each case is a real declaration in a real folder, run through the command line in a child
process, its stdout and stderr read as GitHub Actions would read them: line by line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

INJECTED = "x\n::error file=evil.py::pwned\x1b[2J\x07"

SYSTEM = """\
evidence: false
systems:
  "bot\\n::error file=evil.py::pwned\\e[2J\\a":
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
"""

KEY = """\
evidence: false
systems:
  bot:
    architecture: prompt
    "oops\\n::error file=evil.py::pwned\\e[2J": 1
"""

GOOD = """\
evidence: false
systems:
  bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
"""


def _cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ragft_lint", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


def _lines(done: subprocess.CompletedProcess[str]) -> List[str]:
    return done.stdout.splitlines() + done.stderr.splitlines()


def _assert_inert(lines: List[str], commands_allowed: bool = False) -> None:
    for text in lines:
        assert "\x1b" not in text and "\x07" not in text and "\x00" not in text, repr(text)
        if not commands_allowed:
            assert not text.lstrip().startswith("::"), repr(text)
        else:  # the format's own commands only: none that a name began
            assert not text.startswith("::error file=evil.py"), repr(text)


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_system_name_cannot_inject(tmp_path: Path, fmt: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(SYSTEM, encoding="utf-8")
    done = _cli("check", "--format", fmt, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "pwned" in done.stdout  # the name is shown, escaped
    _assert_inert(_lines(done), commands_allowed=fmt == "github")


def test_a_key_path_in_a_declaration_error_cannot_inject(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(KEY, encoding="utf-8")
    done = _cli("check", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "pwned" in done.stderr
    _assert_inert(_lines(done))


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_folder_name_cannot_inject(tmp_path: Path, fmt: str) -> None:
    (tmp_path / ".git").mkdir()
    folder = tmp_path / INJECTED
    folder.mkdir()
    (folder / "ragft.yaml").write_text(GOOD, encoding="utf-8")
    done = _cli("check", "--format", fmt, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    _assert_inert(_lines(done), commands_allowed=fmt == "github")
    folder2 = tmp_path / "::error file=evil.py::pwned"
    folder2.mkdir()
    (folder2 / "ragft.yaml").write_text(GOOD, encoding="utf-8")
    done = _cli("check", "--format", fmt, str(folder2.name), cwd=tmp_path)
    _assert_inert(_lines(done), commands_allowed=fmt == "github")


def test_a_folder_name_in_a_declaration_error_cannot_inject(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "::error file=evil.py::pwned"
    folder.mkdir()
    (folder / "ragft.yaml").write_text(KEY, encoding="utf-8")
    done = _cli("check", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    _assert_inert(_lines(done))


def test_github_values_escape_control_characters() -> None:
    from ragft_lint.output.escape import workflow_data, workflow_property

    assert workflow_data("a%b\r\nc\x1bd") == "a%25b%0D%0Ac\\x1bd"
    assert workflow_property("a:b,c\x00") == "a%3Ab%2Cc\\x00"


def test_html_escapes_control_characters(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(SYSTEM.replace("\\a", "\\a\\0"), encoding="utf-8")
    done = _cli("check", "--format", "html", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    for char in "\x00\x07\x1b":
        assert char not in done.stdout
    assert "pwned" in done.stdout


EVIDENCE = """\
systems:
  tone-bot:
    architecture: fine-tune
    gaps: [behavior]
    fine_tune:
      goals: [style]
      results: results/{name}
"""


def _evidence_project(tmp_path: Path, name: str) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "results").mkdir()
    (tmp_path / "ragft.yaml").write_text(EVIDENCE.format(name=name), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_case_id_cannot_inject(tmp_path: Path, fmt: str) -> None:
    import json

    project = _evidence_project(tmp_path, "ft.jsonl")
    cases = [{"id": f"case-{n}", "score": 1.0} for n in range(6)]
    cases += [{"id": f"{INJECTED}-{n}", "score": None} for n in range(4)]  # DA009 names them
    (project / "results" / "ft.jsonl").write_text(
        "".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    done = _cli("check", "--format", fmt, cwd=project)
    assert "DA009" in done.stdout, done.stdout + done.stderr
    _assert_inert(_lines(done), commands_allowed=fmt == "github")


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_zip_member_name_cannot_inject(tmp_path: Path, fmt: str) -> None:
    import zipfile

    project = _evidence_project(tmp_path, "ft.eval")
    log = project / "results" / "ft.eval"
    from test_tool_headlines import without_reductions

    # Without its reduced scores, so that the samples are read, one of them named to inject.
    without_reductions(Path(__file__).parent / "results" / "inspect_ai" / "capitals.eval", log)
    with zipfile.ZipFile(log, "a") as archive:  # a sample that does not parse, named to inject
        archive.writestr(f"samples/{INJECTED}.json", "{not json")
    done = _cli("check", "--format", fmt, cwd=project)
    assert "DA006" in done.stdout, done.stdout + done.stderr
    _assert_inert(_lines(done), commands_allowed=fmt == "github")
