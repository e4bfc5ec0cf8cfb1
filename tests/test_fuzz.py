"""Fuzzing the loader and the command line: bad input is an error message, never a crash.

Random bytes, mutations of valid declarations, and random trees of known keys with values of
every type go through ``declaration.load`` (which may only raise ``DeclarationError``) and
through ``main`` (which may only exit 0, 1 or 2, without an internal error and without writing
anything), each input within ``SECONDS``. CI runs a fixed number of examples;
``HYPOTHESIS_PROFILE=thorough`` runs many more.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import signal
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ragft_lint.cli import main
from ragft_lint.declaration import load
from ragft_lint.errors import DeclarationError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
VALID_YAML = (EXAMPLES / "support-bot" / "ragft.yaml").read_text(encoding="utf-8")
VALID_TOML = (EXAMPLES / "pyproject" / "pyproject.toml").read_text(encoding="utf-8")

KEYS = ["systems", "bot", "architecture", "knowledge", "changes", "eval", "path", "examples",
        "fine_tune", "training_examples", "rag", "reranker", "waivers", "RG001", "reason",
        "expires", "thresholds", "min_eval_examples", "severity", "plugins", "select",
        "ignore", "fail_on", "gaps", "goals", "created_at", "labeled", "retrieval_eval",
        "precision_at_5", "sources", "<<", "format", "input"]
WORDS = ["rag", "hybrid", "fine-tune", "prompt", "weekly", "static", "error", "ALL", "KN",
         "evals/e.jsonl", "../outside", "/abs", "2026-01-01", "yes", "~", "null", ""]


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(WORDS), st.text(max_size=12), st.integers(), st.floats(),
        st.booleans(), st.none(), st.dates(min_value=datetime.date(1, 1, 1)),
        st.integers(min_value=10**30, max_value=10**60),
    )


TREES = st.recursive(
    _scalars(),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
    ),
    max_leaves=30,
)


def _yaml_text(value: Any) -> str:
    """A tree as YAML; JSON is YAML, except for dates, written as plain ISO words."""
    import json

    def convert(node: Any) -> Any:
        if isinstance(node, datetime.date):
            return node.isoformat()
        if isinstance(node, dict):
            return {k: convert(v) for k, v in node.items()}
        if isinstance(node, list):
            return [convert(v) for v in node]
        if isinstance(node, float) and node != node:
            return None
        return node

    return json.dumps(convert(value), allow_nan=True)


def _mutate(text: str, edits: List[Any]) -> str:
    for kind, position, extra in edits:
        at = position % (len(text) + 1)
        if kind == "delete":
            text = text[:at] + text[at + len(extra):]
        elif kind == "insert":
            text = text[:at] + extra + text[at:]
        else:  # duplicate a line
            lines = text.splitlines(keepends=True)
            if lines:
                index = position % len(lines)
                lines.insert(index, lines[index])
                text = "".join(lines)
    return text


EDITS = st.lists(
    st.tuples(st.sampled_from(["delete", "insert", "duplicate"]), st.integers(0, 10**6),
              st.text(alphabet=" \t\n:-[]{}&*!#'\"\\,.=<>|%@`0123456789abcxyz\x00\ufeff",
                      max_size=6)),
    min_size=1, max_size=4)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def _snapshot(folder: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# No input may take long: each example's two runs get this many seconds in all.
SECONDS = 10.0


class _TooSlow(BaseException):  # not an Exception: nothing in the code under test catches it
    pass


@contextlib.contextmanager
def _bounded() -> Iterator[None]:
    if not hasattr(signal, "setitimer"):  # no interval timer on this platform
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _TooSlow(f"an input took longer than {SECONDS:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _judge(project: Path, name: str, data: bytes) -> None:
    """Both entry points on one input: only known errors, only known exit statuses."""
    target = project / name
    target.write_bytes(data)
    with _bounded():
        _judge_in_time(project, name, target)
    target.unlink()


def _judge_in_time(project: Path, name: str, target: Path) -> None:
    try:
        load(target)
    except DeclarationError as exc:
        assert exc.lines() and all(f"{name}:" in line for line in exc.lines())
    before = _snapshot(project)
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(project)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["check", "--no-evidence", "--as-of", "2026-11-23"])
    finally:
        os.chdir(cwd)
    assert status in (0, 1, 2), err.getvalue()
    assert "internal error" not in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert _snapshot(project) == before


@given(data=st.binary(max_size=400))
def test_random_bytes_as_yaml(project: Path, data: bytes) -> None:
    _judge(project, "ragft.yaml", data)


@given(data=st.binary(max_size=400))
def test_random_bytes_as_pyproject(project: Path, data: bytes) -> None:
    _judge(project, "pyproject.toml", b"[tool.ragft-lint]\n" + data)


@given(edits=EDITS)
def test_mutated_yaml_declaration(project: Path, edits: List[Any]) -> None:
    _judge(project, "ragft.yaml", _mutate(VALID_YAML, edits).encode("utf-8", "surrogatepass"))


@given(edits=EDITS)
def test_mutated_toml_declaration(project: Path, edits: List[Any]) -> None:
    _judge(project, "pyproject.toml",
           _mutate(VALID_TOML, edits).encode("utf-8", "surrogatepass"))


@given(tree=TREES)
def test_random_trees_of_known_keys(project: Path, tree: Any) -> None:
    _judge(project, "ragft.yaml", _yaml_text(tree).encode("utf-8", "surrogatepass"))


@given(tree=st.dictionaries(st.sampled_from(KEYS), TREES, max_size=4))
def test_random_systems(project: Path, tree: Dict[str, Any]) -> None:
    declaration = {"systems": {"bot": dict(tree, architecture="hybrid")}}
    _judge(project, "ragft.yaml", _yaml_text(declaration).encode("utf-8", "surrogatepass"))
