"""promptfoo's ``eval -o results.json`` (and ``.jsonl``): one result per test and prompt.

The default metric is ``pass``, the test's own verdict (``success``); ``score`` is its graded
score, and any named score (``namedScores``) can be chosen by name. A result that failed with
an error (``failureReason`` 2) has no score. With several prompts or providers in one file a
case is the pair (prompt, test), written ``<promptIdx>:<case>``.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, List, Optional, Sequence

from . import CaseScores, NotReadable, Opener
from .cases import Cases, PerCase
from .json_files import Lines, document

ERROR = 2  # promptfoo's ResultFailureReason.ERROR


def sniff(head: str, path: str) -> bool:
    if path.endswith(".jsonl"):
        return '"promptIdx"' in head and '"testIdx"' in head
    return '"evalId"' in head or ('"promptIdx"' in head and '"testIdx"' in head)


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str]) -> CaseScores:
    cases = Cases(path, "promptfoo")
    results: Sequence[Any]
    numbers: Optional[List[int]] = None  # the line of each result; None: its place, from 1
    if path.endswith(".jsonl"):
        with open_(path) as handle:
            lines = Lines(handle)
            numbered = list(lines)
            cases.complete = lines.complete
        numbers = [n for n, _ in numbered]
        results = [r for _, r in numbered]
    else:
        data = document(path, open_)
        table = data.get("results") if isinstance(data, dict) else None
        found = table.get("results") if isinstance(table, dict) else None
        if not isinstance(found, list):
            raise NotReadable("has no `results.results` list: not a promptfoo output file")
        results = found
    prompts = {r.get("promptIdx", 0) for r in results if isinstance(r, dict)}
    _cases(cases, results, numbers, several_prompts=len(prompts) > 1)
    return cases.result(metric, task, default="pass")


def _cases(cases: Cases, results: Sequence[Any], numbers: Optional[List[int]],
           several_prompts: bool) -> None:
    """Every result's scores, in one loop: the common shapes (a new id, a verdict, a finite
    graded score) are taken as they are, any other goes through ``cases``, which says what is
    wrong with it."""
    order, values = cases.order, cases.values  # order is cases.seen: no repeats here
    passed: Optional[PerCase] = None  # values["pass"], once a case is read
    scored: PerCase = {}
    inf = math.inf
    wheres: Iterable[int] = range(1, len(results) + 1) if numbers is None else numbers
    for where, result in zip(wheres, results):
        if type(result) is not dict:
            cases.bad(where, getattr(result, "reason", "not a record (a JSON object)"))
            continue
        variables = result.get("vars")
        if type(variables) is dict:
            raw = variables.get("id")
            if raw is None and "id" not in variables:
                raw = variables.get("case_id")
            if raw is None:
                raw = result.get("testIdx")
        else:
            raw = result.get("testIdx")
        if several_prompts and raw is not None:
            raw = f"{result.get('promptIdx', 0)}:{raw}"
        kind = type(raw)
        case = raw if kind is str else str(raw) if kind is int else None
        if case is not None and case not in order:
            order[case] = where
        else:
            case = cases.case(raw, where)
            if case is None:
                continue
        if passed is None:
            passed = values.setdefault("pass", {})
            scored = values.setdefault("score", {})
        reason = result.get("failureReason")
        if reason is not None and reason == ERROR:
            continue  # an error: the case is counted, without a score
        value = result.get("success")
        if value is True:  # a new case: no value yet
            passed[case] = 1.0
        elif value is False:
            passed[case] = 0.0
        else:
            cases.score(case, "pass", value, where)
        value = result.get("score")
        if type(value) is float and -inf < value < inf:
            scored[case] = value or 0.0  # -0.0 is 0.0, as fsum makes it
        else:
            cases.score(case, "score", value, where)
        named = result.get("namedScores")
        if named is not None and isinstance(named, dict):
            for name, value in named.items():
                cases.score(case, str(name), value, where)
