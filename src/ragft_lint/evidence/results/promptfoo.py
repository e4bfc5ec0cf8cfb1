"""promptfoo's ``eval -o results.json`` (and ``.jsonl``): one result per test and prompt.

The default metric is ``pass``, the test's own verdict (``success``); ``score`` is its graded
score, and any named score (``namedScores``) can be chosen by name. A result that failed with
an error (``failureReason`` 2) has no score. With several prompts or providers in one file a
case is the pair (prompt, test), written ``<promptIdx>:<case>``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import CaseScores, NotReadable, Opener
from ._bounded import Cases, Lines, document

ERROR = 2  # promptfoo's ResultFailureReason.ERROR


def sniff(head: str, path: str) -> bool:
    if path.endswith(".jsonl"):
        return '"promptIdx"' in head and '"testIdx"' in head
    return '"evalId"' in head or ('"promptIdx"' in head and '"testIdx"' in head)


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str]) -> CaseScores:
    cases = Cases(path, "promptfoo")
    results: List[Tuple[int, Any]]
    if path.endswith(".jsonl"):
        with open_(path) as handle:
            lines = Lines(handle)
            results = [(n, r) for n, r in lines]
            cases.complete = lines.complete
    else:
        data = document(path, open_)
        table = data.get("results") if isinstance(data, dict) else None
        found = table.get("results") if isinstance(table, dict) else None
        if not isinstance(found, list):
            raise NotReadable("has no `results.results` list: not a promptfoo output file")
        results = [(i + 1, r) for i, r in enumerate(found)]
    prompts = {r.get("promptIdx", 0) for _, r in results if isinstance(r, dict)}
    for where, result in results:
        if not isinstance(result, dict):
            cases.bad(where, getattr(result, "reason", "not a record (a JSON object)"))
            continue
        _case(cases, where, result, several_prompts=len(prompts) > 1)
    return cases.result(metric, task, default="pass")


def _case(cases: Cases, where: int, result: Dict[str, Any], several_prompts: bool) -> None:
    variables = result.get("vars")
    named = variables.get("id", variables.get("case_id")) if isinstance(variables, dict) else None
    raw = named if named is not None else result.get("testIdx")
    if several_prompts and raw is not None:
        raw = f"{result.get('promptIdx', 0)}:{raw}"
    case = cases.case(raw, where)
    if case is None:
        return
    for name in ("pass", "score"):
        cases.metric_seen(name)
    if result.get("failureReason") == ERROR:
        return  # an error: the case is counted, without a score
    cases.score(case, "pass", result.get("success"), where)
    cases.score(case, "score", result.get("score"), where)
    scores = result.get("namedScores")
    if isinstance(scores, dict):
        for name, value in scores.items():
            cases.score(case, str(name), value, where)

