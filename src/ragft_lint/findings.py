"""What a check produces: severities, locations and findings.

A finding carries everything needed to print it, so that formatters never recompute anything.
"""

from __future__ import annotations

import enum
from typing import Optional

from .record import NamedTuple


class Severity(enum.IntEnum):
    """How serious a finding is; ordered so that ``fail_on`` is a comparison."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, word: str) -> Severity:
        return cls[word.upper()]


SEVERITY_WORDS = ("error", "warning", "info")


class Location(NamedTuple):
    """A place in a file: 1-based line and column; ``path`` as the user should read it."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Finding(NamedTuple):
    """One rule's verdict on one system, located at the key that triggered it.

    ``system`` is None for a finding of the declaration as a whole (a threshold set for every
    system, TH001): it is located at its own key, and belongs to no system.
    """

    rule: str
    name: str
    severity: Severity
    system: Optional[str]
    message: str
    fix: str
    location: Location
    key: str
    waived: bool = False
    waiver_reason: Optional[str] = None

    @property
    def of_declaration(self) -> bool:
        """Whether this is a finding of the declaration as a whole, of no one system."""
        return self.system is None

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.system or "", self.key)

    def labelled(self) -> str:
        """The message with the system it is about, as the line outputs print it; a finding
        of the declaration names no system."""
        return self.message if self.system is None else f"{self.message} ({self.system})"
