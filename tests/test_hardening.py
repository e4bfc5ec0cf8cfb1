"""Bad declarations of every kind: one message with file, line and column, exit 2, no
traceback, nothing written, and the run ends (each case runs under a generous time limit in a
child process, so a hang fails the test instead of stalling the suite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, NamedTuple, Union

import pytest


class Case(NamedTuple):
    name: str  # the declaration's file name
    content: Union[bytes, Callable[[], bytes]]
    expected: str  # the start of the message, after "file:"


def _deep_yaml() -> bytes:
    return ("a: " + "[" * 5000 + "]" * 5000 + "\n").encode()


def _deep_toml() -> bytes:
    return ("[tool.ragft-lint]\nx = " + "[" * 5000 + "]" * 5000 + "\n").encode()


def _deep_inline_toml() -> bytes:
    return ("[tool.ragft-lint]\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n").encode()


def _long_key() -> bytes:
    return ("[tool.ragft-lint]\n" + ".".join(["a"] * 20000) + " = 1\n").encode()


def _long_header() -> bytes:
    return ("[tool.ragft-lint." + ".".join(["a"] * 20000) + "]\n").encode()


def _alias_bomb() -> bytes:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return ("\n".join(lines) + "\n").encode()


def _too_big() -> bytes:
    return b"systems:\n" + b"# padding\n" * 110_000


def _too_big_toml() -> bytes:
    return b"[tool.ragft-lint]\n" + b"# padding\n" * 110_000


TOML_HEAD = b"[tool.ragft-lint]\n"

CASES: Dict[str, Case] = {
    # TOML that does not parse
    "toml-unclosed-string": Case("pyproject.toml", TOML_HEAD + b'fail_on = "error\n',
                                 ":2:"),
    "toml-bad-value": Case("pyproject.toml", TOML_HEAD + b"fail_on = error\n", ":2:"),
    "toml-duplicate-key": Case("pyproject.toml", TOML_HEAD + b'fail_on = "a"\nfail_on = "b"\n',
                               ":3:"),
    "toml-duplicate-table": Case("pyproject.toml", TOML_HEAD + b"[tool.ragft-lint]\n", ":2:"),
    "toml-bad-date": Case("pyproject.toml",
                          TOML_HEAD + b"[systems.a]\narchitecture = \"rag\"\n"
                          b"eval = {created_at = 2026-02-30}\n", ":4:"),
    "toml-unclosed-table": Case("pyproject.toml", b"[tool.ragft-lint\n", ":1:"),
    "toml-deep-arrays": Case("pyproject.toml", _deep_toml, ":"),
    "toml-deep-inline-tables": Case("pyproject.toml", _deep_inline_toml, ":"),
    "toml-key-of-many-parts": Case("pyproject.toml", _long_key, ":2:1: invalid TOML: a key"),
    "toml-header-of-many-parts": Case("pyproject.toml", _long_header, ":1:1: invalid TOML: a key"),
    "toml-huge-integer": Case("pyproject.toml", TOML_HEAD + b"x = " + b"9" * 5000 + b"\n",
                              ":2:5: invalid TOML: an integer too large"),
    "toml-top-level-scalar": Case("pyproject.toml", b'tool = {ragft-lint = 3}\n',
                                  ":1:"),
    # YAML that does not parse or is not a declaration
    "yaml-bad-indent": Case("ragft.yaml", b"systems:\n  a:\n    architecture: rag\n   x: 1\n",
                            ":4:"),
    "yaml-unclosed-flow": Case("ragft.yaml", b"systems: {a: [1, 2\n", ":"),
    "yaml-tab-indent": Case("ragft.yaml", b"systems:\n\ta: 1\n", ":2:"),
    "yaml-empty": Case("ragft.yaml", b"", ":1:1: the declaration is empty"),
    "yaml-only-comments": Case("ragft.yaml", b"# nothing\n", ":1:1: the declaration is empty"),
    "yaml-top-level-scalar": Case("ragft.yaml", b"hello\n", ":1:1: a declaration is a mapping"),
    "yaml-top-level-list": Case("ragft.yaml", b"- a\n- b\n", ":1:1: a declaration is a mapping"),
    "yaml-multi-document": Case("ragft.yaml", b"systems: {}\n---\nsystems: {}\n",
                                ":3:1: the file holds more than one YAML document"),
    "yaml-duplicate-key": Case("ragft.yaml", b"fail_on: error\nfail_on: info\n",
                               ":2:1: duplicate key 'fail_on'"),
    "yaml-python-tag": Case("ragft.yaml",
                            b"systems: !!python/object/apply:os.system ['touch pwned']\n",
                            ":1:10: the tag '!!python/object/apply:os.system' is not allowed"),
    "yaml-unknown-tag": Case("ragft.yaml", b"fail_on: !secret error\n",
                             ":1:10: the tag '!secret' is not allowed"),
    "yaml-merge-of-a-scalar": Case("ragft.yaml", b"systems:\n  a:\n    <<: 3\n",
                                   ":3:9: a merge key (<<) takes a mapping"),
    "yaml-recursive-alias": Case("ragft.yaml", b"a: &a [*a]\n", ":"),
    "yaml-self-alias-mapping": Case("ragft.yaml", b"a: &a {b: *a}\n", ":"),
    "yaml-alias-bomb": Case("ragft.yaml", _alias_bomb,
                            ":1:5: the declaration expands to more than 100000 values"),
    "yaml-deep-nesting": Case("ragft.yaml", _deep_yaml, ":"),
    "yaml-huge-integer": Case("ragft.yaml", b"systems:\n  a:\n    architecture: rag\n"
                                            b"    baseline_queries: " + b"9" * 5000 + b"\n",
                              ":4:23: integer too large"),
    "yaml-undefined-alias": Case("ragft.yaml", b"fail_on: *nowhere\n", ":1:10:"),
    # Encodings and bytes
    "not-utf8": Case("ragft.yaml", b"fail_on: \xff\xfe error\n", ":1:10: the file is not valid"),
    "utf16": Case("ragft.yaml", "fail_on: error\n".encode("utf-16"), ":1:1: the file is UTF-16"),
    "nul-byte": Case("ragft.yaml", b"fail_on: er\x00ror\n", ":1:12: the file holds a NUL byte"),
    "binary": Case("ragft.yaml", bytes(range(256)) * 4, ":"),
    "over-the-size-limit": Case("ragft.yaml", _too_big, ":1:1: the file is"),
    "pyproject-over-the-size-limit": Case("pyproject.toml", _too_big_toml, ":1:1: the file is"),
}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_bad_declaration(case_id: str, tmp_path: Path) -> None:
    case = CASES[case_id]
    (tmp_path / ".git").mkdir()
    data = case.content() if callable(case.content) else case.content
    (tmp_path / case.name).write_bytes(data)
    before = sorted(p.name for p in tmp_path.iterdir())
    done = subprocess.run(
        [sys.executable, "-m", "ragft_lint", "check", "--no-evidence"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60, env=dict(os.environ, NO_COLOR="1"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines, "no message"
    first = lines[0]
    assert first.startswith(case.name + case.expected), first
    assert len(first) < 400, "a message echoes too much of the input"
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_traceback_only_with_verbose_on_an_internal_error(tmp_path: Path) -> None:
    """An unexpected error is one line and exit 3; -v adds the traceback."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text("systems:\n  a:\n    architecture: rag\n")
    # No input reaches an internal error (that is the point of this file), so break the text
    # formatter in the child process to stand for a bug.
    script = (
        "import sys, ragft_lint.output.text as t\n"
        "def boom(*a, **k):\n    raise ZeroDivisionError('boom')\n"
        "t.render = boom\n"
        "from ragft_lint.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n")
    quiet = subprocess.run([sys.executable, "-c", script, "check", "--no-evidence"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 3
    assert quiet.stderr.strip() == ("ragft-lint: internal error: ZeroDivisionError: boom "
                                    "(run with -v for the traceback)")
    loud = subprocess.run([sys.executable, "-c", script, "check", "--no-evidence", "-v"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert loud.returncode == 3
    assert "Traceback" in loud.stderr


def test_a_large_pyproject_without_the_table_is_no_declaration(tmp_path: Path) -> None:
    """A project's own pyproject.toml over the limit is not refused when it declares nothing."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_bytes(b"[project]\nname = 'big'\n" + b"# x\n" * 400_000)
    (tmp_path / "ragft.yaml").write_text("systems:\n  a:\n    architecture: prompt\n")
    done = subprocess.run(
        [sys.executable, "-m", "ragft_lint", "check", "--no-evidence"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60, env=dict(os.environ, NO_COLOR="1"))
    assert done.returncode in (0, 1), done.stderr
    assert "ragft.yaml" in done.stdout
