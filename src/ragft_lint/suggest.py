"""The "did you mean" of every error message about a mistyped word.

Imported on every error path (and by the format's building blocks), so it stays light:
``difflib`` is imported only when a word actually has to be matched.
"""

from __future__ import annotations

from typing import Optional, Sequence


def did_you_mean(word: str, options: Sequence[str]) -> Optional[str]:
    """The option ``word`` was most likely meant to be, or None when none is close enough."""
    import difflib

    # Case and ``_`` against ``-`` are the commonest slips, and difflib would rank them low.
    lowered = {o.lower().replace("_", "-"): o for o in options}
    normal = word.lower().replace("_", "-")
    if normal in lowered:
        return lowered[normal]
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def hint(word: object, options: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` to end a message with, or ``""`` when nothing is close.

    ``word`` may be any value a user wrote: only a string can be a near miss.
    """
    guess = did_you_mean(word, options) if isinstance(word, str) else None
    return f"; did you mean {guess!r}?" if guess else ""
