"""Talking to a terminal: whether to colour, and a reader that went away.

Shared by the command line, ``ragft-lint init`` and the notebook's text.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any, Optional, TextIO

# ``--color``'s words: ``auto`` follows the terminal and the environment.
COLOUR_CHOICES = ("auto", "always", "never")


def colour(stream: IO[Any], choice: Optional[str] = None) -> bool:
    """Whether to colour what goes to ``stream``.

    ``choice`` is ``--color``: ``always`` and ``never`` decide alone. Otherwise (``auto``):
    never with ``NO_COLOR`` set (non-empty), always with ``FORCE_COLOR`` set (non-empty), never
    on a terminal that says it cannot (``TERM=dumb``), and else only on a terminal.
    """
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


# The status of a run whose reader went away (``ragft-lint rules | head``): what a shell
# reports for a tool ended by SIGPIPE, 128 + 13.
CLOSED_PIPE = 141


def quiet_closed_pipe(stream: Optional[IO[Any]] = None) -> int:
    """After a write to a closed standard output (``stream``, default sys.stdout): point it at
    the null device, so that the interpreter's last flush cannot complain, and return the
    conventional status."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, (stream or sys.stdout).fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test's stream)
        pass
    return CLOSED_PIPE


def output_apart() -> TextIO:
    """Standard output on a descriptor of its own, for the run's output alone; descriptor 1 and
    ``sys.stdout`` then lead to standard error (anything else that prints: plugin code, its
    threads, a C library). Where there is no real descriptor, standard output as it is."""
    stdout = sys.stdout
    try:
        stdout.flush()
        number = stdout.fileno()
        kept = os.dup(number)
        os.dup2(sys.stderr.fileno(), number)
    except (OSError, ValueError, AttributeError):
        return stdout
    return os.fdopen(kept, "w", encoding=stdout.encoding, errors=stdout.errors)
