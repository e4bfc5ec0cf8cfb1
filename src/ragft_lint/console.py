"""What the command line, ``ragft-lint init`` and the notebook magic share about talking to a
person: the types of their options, whether to colour, and how plugin failures are told.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from typing import IO, Any, Iterable, List, Optional

PREFIX = "ragft-lint: "


def date(text: str) -> datetime.date:
    """An option's ``YYYY-MM-DD`` date (an argparse ``type=``)."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def rule_list(text: str) -> List[str]:
    """An option's comma-separated rule ids or prefixes (an argparse ``type=``)."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    if not words:
        raise argparse.ArgumentTypeError("expected rule ids or prefixes, separated by commas")
    return words


def colour(stream: IO[Any]) -> bool:
    """Whether to colour what goes to ``stream``: on a terminal, and not when ``NO_COLOR`` is
    set."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def tell_failures(failures: Iterable[Any], stream: Optional[IO[str]] = None) -> bool:
    """Print each plugin failure on its own line (stderr by default); True if there was one."""
    told = False
    for failure in failures:
        print(f"{PREFIX}{failure.error()}", file=stream or sys.stderr)
        told = True
    return told


def exit_status(failures: Iterable[Any], status: int) -> int:
    """Tell the plugin failures; the exit status is 3 when there were any, else ``status``."""
    return 3 if tell_failures(failures) else status
