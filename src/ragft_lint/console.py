"""What the command line, ``ragft-lint init`` and the notebook magic share about talking to a
person: the types of their options, whether to colour, and how plugin failures are told.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from typing import IO, TYPE_CHECKING, Any, Iterable, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from .host import Plugins

PREFIX = "ragft-lint: "

# ``--color``'s words: ``auto`` follows the terminal and the environment.
COLOUR_CHOICES = ("auto", "always", "never")


def date(text: str) -> datetime.date:
    """An option's ``YYYY-MM-DD`` date (an argparse ``type=``; see ``options.parse_date``)."""
    from .options import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def rule_list(text: str) -> Tuple[str, ...]:
    """An option's comma-separated rule ids or prefixes (an argparse ``type=``)."""
    from .options import parse_rule_list

    try:
        return parse_rule_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def check_rule_words(option: str, words: Optional[Sequence[str]], plugins: Plugins) -> None:
    """Refuse (``UsageError``) a ``--select``/``--ignore`` word that names no installed rule.

    The same test as the declaration's ``select``: ``ALL``, a rule id, or the start of one.
    Checked once the plugins are loaded, since a plugin's rules count as much as built-in ones;
    when a plugin failed to load, its rules cannot be known, and the run ends in its failure
    (status 3) rather than in a word it might have owned.
    """
    if not words or plugins.failures:
        return
    known = plugins.rule_ids
    prefixes = {rule_id[:end] for rule_id in known for end in range(1, len(rule_id) + 1)}
    for word in words:
        if word == "ALL" or word in prefixes:
            continue
        import re

        from .errors import UsageError
        from .rule import ID_WORDS
        from .suggest import hint

        # A near miss may be a whole id or a family prefix (``kn`` for ``KN``).
        families = sorted({m.group() for m in (re.match(r"[A-Z]+", r) for r in known) if m})
        said = hint(word, sorted(known) + families)
        family = re.match(r"[A-Za-z]+", word)
        if not said and family and family.group().upper() in families:
            said = f"; did you mean {family.group().upper()!r} (every {family.group().upper()} " \
                   "rule)? `ragft-lint rules` lists them"
        if not said:
            said = f"; a rule id is {ID_WORDS} (or the start of one), and `ragft-lint rules` " \
                   "lists them"
        raise UsageError(f"{option}: unknown rule or prefix {word!r}{said}")


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


# The status of a run whose reader went away (``ragft-lint rules | head``): what a shell
# reports for a tool ended by SIGPIPE, 128 + 13.
CLOSED_PIPE = 141


def quiet_closed_pipe() -> int:
    """After a write to a closed standard output: point it at the null device, so that the
    interpreter's last flush cannot complain, and return the conventional status."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test's stream)
        pass
    return CLOSED_PIPE
