"""lm-evaluation-harness: ``samples_<task>_<time>.jsonl``, one line per document and filter.

A metric is named as the harness names it in ``results_*.json``: ``acc,none`` (``acc`` is
accepted for the ``none`` filter). A case is a ``doc_id``. ``results_*.json`` holds only each
task's averages, so it is refused with a pointer to the per-case files.
"""

from __future__ import annotations

import os
from typing import Dict, List, Optional

from . import Ambiguous, CaseScores, NotReadable, Opener, Selectors, refuse_selectors
from .cases import Cases, select_task
from .json_files import Lines


def sniff(head: str, path: str) -> bool:
    name = os.path.basename(path)
    if name.startswith("samples_") and name.endswith(".jsonl"):
        return True
    if name.startswith("results_") and name.endswith(".json"):
        return '"results"' in head
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
    refuse_selectors(selectors, ("filter",), "lm-evaluation-harness")
    name = os.path.basename(path)
    if name.startswith("results_") and name.endswith(".json"):
        raise NotReadable("is lm-evaluation-harness's results_*.json, which holds each task's "
                          "averages only: point at its samples_<task>_*.jsonl (written with "
                          "--log_samples) for per-case scores")
    found = task_of(path)
    chosen = select_task([found] if found else [], task) if task is not None else found
    cases = Cases(path, "lm-evaluation-harness")
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

