"""lm-evaluation-harness: ``samples_<task>_<time>.jsonl``, one line per document and filter,
and ``results_<time>.json``, each task's figures.

A metric is named as the harness names it in ``results_*.json``: ``acc,none`` (``acc`` is
accepted for the ``none`` filter). A case is a ``doc_id``. ``results_*.json`` holds no cases,
only each task's figures: it is read as an aggregate, the figure the harness prints in its
table for the task and metric named, over the task's ``n-samples`` (``effective``, else
``original``; a group's is the sum of its subtasks'). DA008 and DA009 hold it to the
declaration; a comparison with it is unpaired.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any, Dict, List, Optional, Set

from . import Ambiguous, CaseScores, NotReadable, Opener, Selectors, refuse_selectors
from .cases import Cases, choose_metric, select_task
from .json_files import Lines, document

TOOL = "lm-evaluation-harness"
# ``results_*.json`` under another name: its first key is ``results``, a table of tasks whose
# metrics are named ``metric,filter``: ``{"results": {"<task>": {... "acc,none":``.
RESULTS_HEAD = re.compile(r'\{\s*"results"\s*:\s*\{\s*"[^"]*"\s*:\s*\{'
                          r'[^{}]*?"[^",]+,[^",]*"\s*:')


def sniff(head: str, path: str) -> bool:
    name = os.path.basename(path)
    if name.startswith("samples_") and name.endswith(".jsonl"):
        return True
    if name.startswith("results_") and name.endswith(".json"):
        return '"results"' in head
    if RESULTS_HEAD.match(head.lstrip()):
        return True
    return '"doc_id"' in head and '"filtered_resps"' in head


def task_of(path: str) -> Optional[str]:
    """The task in ``samples_<task>_<time>.jsonl`` (a task name may hold ``_`` itself)."""
    name = os.path.basename(path)
    if not name.startswith("samples_"):
        return None
    stem = name[len("samples_"):].rsplit(".", 1)[0]
    task, _, stamp = stem.rpartition("_")
    return task if task and stamp[:1].isdigit() else stem


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str],
         selectors: Optional[Selectors] = None) -> CaseScores:
    refuse_selectors(selectors, ("filter",), TOOL)
    name = os.path.basename(path)
    if (name.startswith("results_") and name.endswith(".json")) or (
            not name.endswith(".jsonl") and _is_results(path, open_)):
        return _aggregate(path, open_, metric, task, (selectors or {}).get("filter"))
    found = task_of(path)
    chosen = select_task([found] if found else [], task) if task is not None else found
    cases = Cases(path, TOOL)
    cases.tasks.extend([found] if found else [])
    filters: Dict[str, List[str]] = {}  # metric -> the filters it is read under
    with open_(path) as handle:
        lines = Lines(handle)
        for where, row in lines:
            if not isinstance(row, dict):
                cases.bad(where, row.reason)
                continue
            keep = row.get("filter", "none")
            case = cases.case(row.get("doc_id"), where, repeat=keep)
            if case is None:
                continue
            names: List[str] = [m for m in row.get("metrics") or () if isinstance(m, str)]
            for metric_name in names:
                full = f"{metric_name},{keep}"
                held = filters.setdefault(metric_name, [])
                if str(keep) not in held:
                    held.append(str(keep))
                cases.score(case, full, row.get(metric_name), where)
        cases.complete = lines.complete
    return cases.result(_metric(metric, filters, (selectors or {}).get("filter")), chosen)


def _metric(metric: Optional[str], filters: Dict[str, List[str]], wanted: Optional[str],
            ) -> Optional[str]:
    """The metric as the file names it (``acc,none``) for ``metric:`` and ``filter:``: a
    metric read under several filters needs ``filter:``, whatever its values."""
    if metric is not None and "," in metric:
        return metric
    if wanted is not None:
        held = sorted({f for names in filters.values() for f in names})
        if wanted not in held:
            from ...suggest import hint

            raise NotReadable(f"holds no filter {wanted!r} (it holds: "
                              f"{', '.join(repr(f) for f in held) or 'none'})"
                              f"{hint(wanted, held)}")
        if metric is not None:
            return f"{metric},{wanted}"
        under = [f"{name},{wanted}" for name, names in filters.items() if wanted in names]
        return under[0] if len(under) == 1 else None
    if metric is not None and metric in filters:
        if len(filters[metric]) > 1:
            raise Ambiguous("filter", filters[metric])
        return f"{metric},{filters[metric][0]}"
    return metric



def _is_results(path: str, open_: Opener) -> bool:
    with open_(path) as handle:
        head = handle.read(4096).decode("utf-8", errors="replace")
    return RESULTS_HEAD.match(head.lstrip()) is not None


def _aggregate(path: str, open_: Opener, metric: Optional[str], task: Optional[str],
               wanted: Optional[str]) -> CaseScores:
    """``results_*.json``: the figure of the task and metric named (or the only one), over
    the task's sample count; no cases."""
    data = document(path, open_)
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict):
        raise NotReadable("has no `results` table: not an lm-evaluation-harness results file")
    tasks = [str(name) for name, table in results.items() if isinstance(table, dict)]
    if not tasks:
        raise NotReadable("holds no task's results: it holds no scored case")
    chosen = select_task(tasks, task) or tasks[0]
    table: Dict[str, Any] = results[chosen]
    filters: Dict[str, List[str]] = {}  # metric -> the filters the task holds it under
    for key in table:
        base, comma, keep = str(key).partition(",")
        if comma and not base.endswith("_stderr"):
            filters.setdefault(base, []).append(keep)
    held = tuple(f"{base},{keep}" for base, names in filters.items() for keep in names)
    named = choose_metric(held, _metric(metric, filters, wanted), None, {})
    value = table.get(named or "")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            value):
        raise NotReadable(f"gives no figure for {named!r} of task {chosen!r}: it holds no "
                          "scored case")
    count = _count(data, chosen, set())
    if count is None:
        raise NotReadable(f"gives no sample count (`n-samples`) for task {chosen!r}: the "
                          "number of cases behind its figure is not known")
    if count == 0:
        raise NotReadable(f"scored no sample of task {chosen!r}: it holds no scored case")
    return CaseScores(path, TOOL, named, chosen, {}, 0, (), 0, (), True, held, tuple(tasks),
                      figure=float(value), counted=count)


def _count(data: Dict[str, Any], task: str, seen: Set[str]) -> Optional[int]:
    """The samples a task's figure is over: its ``n-samples`` (``effective``, else
    ``original``), or for a group, which has none, the sum of its subtasks' (its
    ``group_subtasks``); None when the file does not say."""
    counts = data.get("n-samples")
    entry = counts.get(task) if isinstance(counts, dict) else None
    if isinstance(entry, dict):
        for key in ("effective", "original"):
            number = entry.get(key)
            if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
                return number
        return None
    groups = data.get("group_subtasks")
    subtasks = groups.get(task) if isinstance(groups, dict) else None
    if not isinstance(subtasks, list) or not subtasks or task in seen:
        return None
    total = 0
    for subtask in subtasks:
        number = _count(data, str(subtask), seen | {task}) if isinstance(subtask, str) else None
        if number is None:
            return None
        total += number
    return total
