"""OpenAI evals' run log (``oaieval``): JSON Lines of a ``spec``, events, a ``final_report``.

The score of a sample is its ``match`` event's ``correct``; the only metric is ``accuracy``,
as the final report calls it. A sample is named by its ``sample_id``; a sample that has only
other events (a sampling that failed) has no score.
"""

from __future__ import annotations

from typing import Optional, Set

from . import CaseScores, Opener, Selectors, refuse_selectors
from .cases import Cases, select_task
from .json_files import Lines

METRIC = "accuracy"


def sniff(head: str, path: str) -> bool:
    first = head.lstrip()[:200]
    return first.startswith('{"spec"') or ('"run_id"' in head and '"sample_id"' in head
                                          and '"event_id"' in head)


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str],
         selectors: Optional[Selectors] = None) -> CaseScores:
    refuse_selectors(selectors, (), "OpenAI evals")
    cases = Cases(path, "openai-evals")
    cases.metric_seen(METRIC)
    with open_(path) as handle:
        lines = Lines(handle)
        matched: Set[str] = set()
        for where, event in lines:
            if not isinstance(event, dict):
                cases.bad(where, event.reason)
                continue
            spec = event.get("spec")
            if isinstance(spec, dict) and isinstance(spec.get("eval_name"), str):
                cases.tasks.append(spec["eval_name"])
                continue
            sample = event.get("sample_id")
            if sample is None or "final_report" in event:
                continue
            if sample not in cases.order and isinstance(sample, (str, int)):
                cases.case(sample, where)
            if event.get("type") != "match":
                continue
            if str(sample) in matched:
                cases.bad(where, f"sample {str(sample)[:60]!r} has a second match event")
                continue
            matched.add(str(sample))
            data = event.get("data")
            cases.score(str(sample), METRIC, data.get("correct") if isinstance(data, dict)
                        else None, where)
        cases.complete = lines.complete
    chosen = select_task(cases.tasks, task) if task is not None else (
        cases.tasks[0] if cases.tasks else None)
    return cases.result(metric, chosen)

