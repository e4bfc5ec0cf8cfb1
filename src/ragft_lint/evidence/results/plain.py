"""The plain form: JSON Lines of ``{"id": ..., "score": 0..1}`` or ``{"id": ..., "pass": bool}``.

For a team whose tool is its own: one line per case, any other fields ignored.
"""

from __future__ import annotations

from typing import Optional

from . import CaseScores, Opener, Selectors, refuse_selectors
from .cases import Cases, PerCase
from .json_files import Lines

METRICS = ("score", "pass")


def sniff(head: str, path: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return '"id"' in first and ('"score"' in first or '"pass"' in first)


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str],
         selectors: Optional[Selectors] = None) -> CaseScores:
    refuse_selectors(selectors, (), "plain")
    cases = Cases(path, "plain")
    order, values = cases.order, cases.values  # order is cases.seen: no repeats here
    scored: Optional[PerCase] = None  # values["score"], once a case has one
    passed: Optional[PerCase] = None
    with open_(path) as handle:
        lines = Lines(handle)
        for where, record in lines:
            if not isinstance(record, dict):
                cases.bad(where, record.reason)
                continue
            # The common record, a new string id and a score from 0 to 1, is taken as it is;
            # any other goes through ``cases``, which says what is wrong with it.
            case = record.get("id")
            if type(case) is str and case not in order:
                order[case] = where
            else:
                case = cases.case(case, where)
                if case is None:
                    continue
            if "score" in record:
                if scored is None:
                    scored = values.setdefault("score", {})
                value = record["score"]
                kind = type(value)
                if kind is int and (value == 0 or value == 1):
                    scored[case] = 1.0 if value else 0.0  # a new case: no value yet
                elif kind is float and 0.0 <= value <= 1.0:
                    scored[case] = value or 0.0  # -0.0 is 0.0, as fsum makes it
                else:
                    cases.score(case, "score", value, where, low=0.0, high=1.0)
            if "pass" in record:
                if passed is None:
                    passed = values.setdefault("pass", {})
                value = record["pass"]
                if value is True or value is False:
                    passed[case] = 1.0 if value else 0.0
                elif value is not None:
                    cases.bad(where, "pass is not true or false")
        cases.complete = lines.complete
    return cases.result(metric, task)
