"""Answers given before ``init`` asks: a YAML or JSON file of answers by question name
(``--answers FILE``) and single answers on the command line (``--set NAME=VALUE``).

Each answer is kept as the text a person would have typed, so that it goes through the same
parser (and the same messages) as an answer on the terminal; each carries where it came from,
for the message that refuses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, Tuple

from ..declaration.discovery import display_path
from ..suggest import hint
from .errors import InitError
from .questions import default_name, questions

__all__ = ["from_file", "from_flags", "names"]

MAX_ANSWERS_BYTES = 1 << 20  # an answers file is a few lines; a bigger one is not read


def names() -> Tuple[str, ...]:
    """Every question's name, whatever the survey finds (its questions included)."""
    from .survey import Found

    every = Found("e", "t", "r", "q", (("x", "plain"),), "s")
    return tuple(question.name for question in questions(default_name(Path(".")), every))


def _text(value: Any) -> str:
    """An answer as it would be typed."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "none"
    return str(value)


def _checked(name: Any, where: str) -> str:
    known = names()
    if not isinstance(name, str) or name not in known:
        raise InitError(f"{where}: {name!r} is not a question of init (known: "
                        f"{', '.join(known)}){hint(str(name), known)}")
    return name


def from_file(path: Path) -> Dict[str, Tuple[str, str]]:
    """The answers a YAML or JSON mapping holds, by question name; a null answers nothing."""
    shown = display_path(path)
    try:
        if path.stat().st_size > MAX_ANSWERS_BYTES:
            raise InitError(f"{shown}: larger than {MAX_ANSWERS_BYTES >> 20} MiB; an answers "
                            "file holds one line per question")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InitError(f"{shown}: cannot read the answers: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InitError(f"{shown}: not UTF-8 text") from None
    try:
        from ruamel.yaml import YAML

        data = YAML(typ="safe", pure=True).load(text)  # JSON is YAML too
    except Exception as exc:  # the reader's own errors carry the line; show them as they are
        first = str(exc).strip().splitlines()
        raise InitError(f"{shown}: not a YAML or JSON mapping of answers: "
                        f"{first[0] if first else type(exc).__name__}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InitError(f"{shown}: expected a mapping of question names to answers, found "
                        f"{type(data).__name__}")
    return {_checked(name, shown): (_text(value), shown)
            for name, value in data.items() if value is not None}


def from_flags(pairs: Iterable[str]) -> Dict[str, Tuple[str, str]]:
    """The answers of ``--set NAME=VALUE`` flags (a later one wins)."""
    given: Dict[str, Tuple[str, str]] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            raise InitError(f"--set {pair}: expected NAME=VALUE, such as --set "
                            "architecture=rag")
        given[_checked(name.strip(), f"--set {pair}")] = (value, f"--set {pair}")
    return given
