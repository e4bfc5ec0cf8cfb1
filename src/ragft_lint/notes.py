"""Notes: what a run tells the user besides its findings.

A note is data, not a line of text: a code a program can match, the message a person reads,
and the file it is about where it has one. Every output shows the run's notes (text on stderr,
``--format github`` as workflow commands, SARIF as tool notifications, JSON under ``notes``,
HTML and the notebook in a box above the findings), so that a figure left unmeasured is never
told only where nobody looks.

A note that says a figure could not be measured (``unmeasured``: history cut by a shallow
clone, a file that could not be read, a reader that is not installed) fails the run under
``--strict-evidence`` or ``evidence: strict``.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Optional, Tuple, TypeVar

from .record import NamedTuple

__all__ = ["INFO", "WARNING", "Note", "unique"]

WARNING = "warning"
INFO = "info"


class Note(NamedTuple):
    """One thing the user should hear once.

    ``code`` names the kind (``history-cut``, ``not-measured``, ``no-declaration``, ...);
    ``message`` is the whole sentence, the file included; ``path`` the file or folder it is
    about, as the user names it, where there is one; ``level`` is ``warning`` or ``info``;
    ``unmeasured`` says that a figure the rules would use could not be measured.
    """

    code: str
    message: str
    path: Optional[str] = None
    level: str = WARNING
    unmeasured: bool = False

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "level": self.level, "message": self.message,
                "path": self.path, "unmeasured": self.unmeasured}


_Told = TypeVar("_Told", bound=Hashable)


def unique(told: Iterable[_Told]) -> Tuple[_Told, ...]:
    """Each note (or plugin failure) once, in the order first told: two declarations sharing
    a repository would otherwise say twice that its history is cut."""
    return tuple(dict.fromkeys(told))
