"""The building blocks of the declaration format, for plugins that add their own keys.

A plugin describes its keys with these (``ragft_lint_system_keys``) and its settings table
(``ragft_lint_settings``); the loader then validates them like the built-in keys, with the
file, line and column of every mistake, and ``ragft-lint schema`` describes them.

    from ragft_lint import spec

    spec.Table({"ticket": spec.Str("the review ticket"), "reviewed_on": spec.Date()},
               required=("ticket",))
"""

from __future__ import annotations

from .declaration.specs import (
    AnyTable,
    Bool,
    Count,
    Date,
    Enum,
    EvidenceFile,
    List,
    Map,
    Ratio,
    Score,
    Spec,
    Str,
    StrOrFalse,
    Table,
)

__all__ = [
    "AnyTable",
    "Bool",
    "Count",
    "Date",
    "Enum",
    "EvidenceFile",
    "List",
    "Map",
    "Ratio",
    "Score",
    "Spec",
    "Str",
    "StrOrFalse",
    "Table",
]
