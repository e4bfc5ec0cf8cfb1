"""OpenAI evals' run log (``oaieval``): JSON Lines of a ``spec``, events, a ``final_report``.

The score of a sample is its ``match`` event's ``correct``; the only metric is ``accuracy``,
as the final report calls it. A sample is named by its ``sample_id``; a sample that has only
other events (a sampling that failed) has no score.

The figure is the final report's ``accuracy``, the headline ``oaieval`` prints: the per-case
scores are kept for pairing and counting. On the logs the tool writes the two agree (its
accuracy is the correct ``match`` events over all of them); where they do not (a sample
matched twice, which is counted here as malformed), the tool's own figure is the one a
declaration is held to, and its interval is widened to hold it. A final report without an
``accuracy`` leaves the mean of the cases. ``oaieval`` writes the final report last, once the
run is done: a log without one is of a run that did not finish, and holds no figure.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Optional, Set

from . import CaseScores, NotReadable, Opener, Selectors, refuse_selectors
from .cases import Cases, select_task
from .json_files import Lines

METRIC = "accuracy"
UNFINISHED = ("is an OpenAI evals run log that has no final_report: the run did not finish, so "
              "it holds no figure; point at the log of a finished run")


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
        report: Optional[Dict[str, Any]] = None
        for where, event in lines:
            if not isinstance(event, dict):
                cases.bad(where, event.reason)
                continue
            spec = event.get("spec")
            if isinstance(spec, dict) and isinstance(spec.get("eval_name"), str):
                cases.tasks.append(spec["eval_name"])
                continue
            if "final_report" in event:
                found = event["final_report"]
                report = found if isinstance(found, dict) else {}
                continue
            sample = event.get("sample_id")
            if sample is None:
                continue
            if isinstance(sample, (str, int)) and str(sample) not in cases.order:
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
    if report is None:
        raise NotReadable(UNFINISHED)
    chosen = select_task(cases.tasks, task) if task is not None else (
        cases.tasks[0] if cases.tasks else None)
    result = cases.result(metric, chosen)
    figure = report.get(METRIC)
    if (result.metric == METRIC and isinstance(figure, (int, float))
            and not isinstance(figure, bool) and math.isfinite(figure) and 0 <= figure <= 1):
        return result._replace(figure=float(figure))
    return result

