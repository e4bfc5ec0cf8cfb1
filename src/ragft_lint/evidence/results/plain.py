"""The plain form: JSON Lines of ``{"id": ..., "score": 0..1}`` or ``{"id": ..., "pass": bool}``.

For a team whose tool is its own: one line per case, any other fields ignored.
"""

from __future__ import annotations

from typing import Optional

from . import CaseScores, Opener
from ._bounded import Cases, Lines

METRICS = ("score", "pass")


def sniff(head: str, path: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return '"id"' in first and ('"score"' in first or '"pass"' in first)


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str]) -> CaseScores:
    cases = Cases(path, "plain")
    with open_(path) as handle:
        lines = Lines(handle)
        for where, record in lines:
            if not isinstance(record, dict):
                cases.bad(where, record.reason)
                continue
            case = cases.case(record.get("id"), where)
            if case is None:
                continue
            for name in METRICS:
                if name in record:
                    cases.metric_seen(name)
                    if name == "pass" and not isinstance(record[name], (bool, type(None))):
                        cases.bad(where, "pass is not true or false")
                        continue
                    cases.score(case, name, record[name], where, low=0.0, high=1.0)
        cases.complete = lines.complete
    return cases.result(metric, task)

