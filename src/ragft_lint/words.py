"""Counted nouns in messages: "1 record", "2 records"."""
from typing import Optional


def counted(count: int, noun: str, plural: Optional[str] = None) -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is exactly one.

    ``plural`` is for nouns that do not take an ``s`` ("query" -> "queries").
    """
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural if plural is not None else noun + 's'}"
