"""Values out of range: exit 2 for a declaration or the command line, a miss for a cache entry,
never an internal error (exit 3) or a crash.

Each case is built for real: declarations holding a NUL byte in a path, dates at the ends of
Python's range, values nested a hundred thousand levels deep; a git repository checked at
``--as-of`` the first or last day Python knows; cache entries edited to hold ``1e400``, a count
of ``10**30`` and a value nested a hundred thousand levels deep.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest

from evidence_project import Project, chat, jsonl
from ragft_lint.cli import main

RAG_WITH_NUL = """\
systems:
  a:
    architecture: rag
    gaps: [knowledge]
    knowledge:
      changes: weekly
    rag:
      retrieval_eval:
        path: "evals/x\\0y.jsonl"
"""

TOML_WITH_NUL = """\
[tool.ragft-lint.systems.a]
architecture = "rag"
gaps = ["knowledge"]
knowledge = {changes = "weekly", sources = ["docs/x\\u0000y.md"]}
"""


def _cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ragft_lint", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name, text", [("ragft.yaml", RAG_WITH_NUL),
                                        ("pyproject.toml", TOML_WITH_NUL)])
@pytest.mark.parametrize("evidence", [True, False])
def test_a_nul_byte_in_a_declared_path_is_a_declaration_error(
        tmp_path: Path, name: str, text: str, evidence: bool) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / name).write_text(text, encoding="utf-8")
    done = _cli("check", *([] if evidence else ["--no-evidence"]), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr
    assert f"{name}:" in done.stderr and "NUL" in done.stderr


HUGE = "9" * 400


@pytest.mark.parametrize("command", ["check", "decide"])
@pytest.mark.parametrize("name, text", [
    ("pyproject.toml", f"""\
[tool.ragft-lint]
thresholds = {{min_training_examples = 1e308, context_fit_ratio = {HUGE}}}
[tool.ragft-lint.systems.a]
architecture = "prompt"
knowledge = {{corpus_tokens = {HUGE}}}
prompt = {{context_window_tokens = {HUGE}}}
"""),
    ("ragft.yaml", """\
thresholds: {context_fit_ratio: .inf}
systems:
  a:
    architecture: prompt
    knowledge: {corpus_tokens: 90071992547409930}
    prompt: {context_window_tokens: 1000}
"""),
])
def test_numbers_past_what_a_float_holds_are_declaration_errors_at_their_keys(
        tmp_path: Path, command: str, name: str, text: str) -> None:
    """A count a float cannot hold exactly, or a ratio past it, is exit 2 naming the key (it
    was an overflow inside DE001, exit 3, or a silent acceptance)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / name).write_text(text, encoding="utf-8")
    done = _cli(command, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "raised" not in done.stderr
    assert "knowledge.corpus_tokens: expected a whole number from 0 to 9007199254740992" \
        in done.stderr
    assert "thresholds.context_fit_ratio: expected a number above 0, up to " in done.stderr


def _repository(tmp_path: Path) -> Project:
    project = Project(tmp_path / "project", git=True)
    project.write("docs/a.md", "a\n")
    project.declare("""\
        systems:
          bot:
            architecture: rag
            gaps: [knowledge]
            knowledge: {changes: weekly, sources: ["docs/**"]}
        """)
    project.commit(datetime.date(2026, 1, 5))
    return project


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "9500-01-01", "1800-01-01"])
def test_as_of_outside_the_safe_range_is_a_usage_error(
        tmp_path: Path, day: str) -> None:
    project = _repository(tmp_path)
    done = _cli("check", "--as-of", day, cwd=project.root)
    assert done.returncode == 2, done.stderr
    assert "--as-of" in done.stderr and "Traceback" not in done.stderr
    assert "internal error" not in done.stderr
    # The ends of the range check the history as any other day.
    for day in ("1900-01-01", "9000-12-31"):
        done = _cli("check", "--as-of", day, cwd=project.root)
        assert done.returncode in (0, 1), done.stderr
        assert "raised" not in done.stderr and "internal error" not in done.stderr


def test_the_api_refuses_an_as_of_date_outside_the_range(tmp_path: Path) -> None:
    import ragft_lint
    from ragft_lint.errors import UsageError

    project = _repository(tmp_path)
    with pytest.raises(UsageError, match="as_of"):
        ragft_lint.check(project.root / "ragft.yaml", as_of=datetime.date(9999, 12, 31))


@pytest.mark.parametrize("every", ["weekly", "monthly", "quarterly", "yearly"])
def test_a_fine_tune_trained_on_the_last_day_python_knows_is_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], every: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(f"""\
systems:
  a:
    architecture: fine-tune
    gaps: [behavior]
    fine_tune:
      trained_at: 9999-12-31
      retrain_every: {every}
""", encoding="utf-8")
    status = main(["check", "--no-evidence", "--as-of", "9000-12-31", str(tmp_path)])
    err = capsys.readouterr().err
    assert status in (0, 1), err
    assert "FT010" not in err and "raised" not in err


@pytest.mark.parametrize("deep", ["'- ' * 100000 + 'x'", "'[' * 100000 + ']' * 100000",
                                  "'{a: ' * 100000 + '}' * 100000",
                                  "'? ' * 100000 + 'x'"])
def test_a_declaration_nested_a_hundred_thousand_levels_deep_is_refused(
        tmp_path: Path, deep: str) -> None:
    (tmp_path / ".git").mkdir()
    text = "systems:\n  a:\n    architecture: prompt\n    x:\n      " + eval(deep) + "\n"
    (tmp_path / "ragft.yaml").write_text(text, encoding="utf-8")
    done = _cli("check", "--no-evidence", cwd=tmp_path)
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert "ragft.yaml:5:" in done.stderr and "nested" in done.stderr


# -- cache entries ---------------------------------------------------------------------------

DECLARATION = """\
    systems:
      bot:
        architecture: fine-tune
        gaps: [behavior]
        fine_tune:
          training_data: data/train.jsonl
          training_examples: 4000
          trained_at: 2026-05-02
          results: evals/ft.jsonl
        eval:
          path: evals/eval.jsonl
          examples: 200
          labeled: true
    """


def _cached_project(tmp_path: Path) -> Project:
    project = Project(tmp_path / "project")
    project.write("data/train.jsonl", jsonl(chat(f"tq {n:06d} " + "x" * 200, f"answer {n}")
                                            for n in range(4000)))
    project.write("evals/eval.jsonl", jsonl({"input": f"eq {n:06d} " + "x" * 200,
                                             "expected_output": "y"} for n in range(200)))
    project.write("evals/ft.jsonl", jsonl({"id": f"case-{n:06d}" + "x" * 300,
                                           "score": (n % 7) / 7} for n in range(5000)))
    project.declare(DECLARATION)
    past = time.time() - 3600
    for path in project.root.rglob("*.jsonl"):
        os.utime(path, (past, past))
    return project


def _entries(project: Project) -> List[Path]:
    from ragft_lint.evidence import cache as cache_module

    return sorted((project.root / cache_module.FOLDER).glob("*/*.json"))


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


# 1e400 alone is refused today by the entries' own checks; with a count of 10**30 beside it,
# it is the entry a planted file would hold.
@pytest.mark.parametrize("edit", ["huge numbers", "deep value", "deep entry"])
def test_a_cache_entry_out_of_range_is_a_miss(tmp_path: Path, edit: str) -> None:
    project = _cached_project(tmp_path)
    first = _cli("check", "--format", "json", "--as-of", "2026-06-01", cwd=project.root)
    assert first.returncode in (0, 1), first.stderr
    entries = _entries(project)
    assert entries
    edited = 0
    for path in entries:
        text = path.read_text(encoding="utf-8")
        if edit == "huge numbers":
            new = text.replace('"estimate":[', '"estimate":[1e400,').replace(
                '"values":[', '"values":[1e400,')
            new = new.replace('"count":', f'"count":{10 ** 30},"was":')
            new = new.replace('"examples":', f'"examples":{10 ** 30},"was":')
            new = new.replace('"records":', f'"records":{10 ** 30},"was":')
        elif edit == "deep value":
            new = text.replace('"value":{', f'"value":{{"deep":{_deep(100_000)},', 1)
        else:
            new = _deep(100_000)
        if new != text:
            edited += 1
            path.write_text(new, encoding="utf-8")
    assert edited
    again = _cli("check", "--format", "json", "--as-of", "2026-06-01", cwd=project.root)
    assert "internal error" not in again.stderr and "raised" not in again.stderr, again.stderr
    assert again.returncode == first.returncode, again.stderr
    assert json.loads(again.stdout) == json.loads(first.stdout)
