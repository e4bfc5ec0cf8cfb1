"""deepeval's test run JSON (``.deepeval/.latest_run_full.json``, ``test_run_<time>.json``).

The default metric is ``pass``, the test case's own verdict (``success``: every metric passed);
any metric in ``metricsData`` can be chosen by its name (``Exact Match``) for its ``score``. A
metric that ended in an error has no score. A case is named by its ``name``, else its
``order``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from . import CaseScores, NotReadable, Opener
from .cases import Cases
from .json_files import document


def sniff(head: str, path: str) -> bool:
    return '"testCases"' in head or '"testFile"' in head or '"testRunId"' in head


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str]) -> CaseScores:
    data = document(path, open_)
    found = data.get("testCases") if isinstance(data, dict) else None
    if not isinstance(found, list):
        raise NotReadable("has no `testCases` list: not a deepeval test run")
    cases = Cases(path, "deepeval")
    cases.metric_seen("pass")
    for where, test in enumerate(found, 1):
        if isinstance(test, dict):
            _case(cases, where, test)
        else:
            cases.bad(where, "a test case that is not a JSON object")
    return cases.result(metric, task, default="pass")


def _case(cases: Cases, where: int, test: Dict[str, Any]) -> None:
    case = cases.case(test.get("name", test.get("order")), where)
    if case is None:
        return
    metrics = test.get("metricsData")
    errored = False
    for data in metrics if isinstance(metrics, list) else ():
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            cases.bad(where, "a metric without a name")
            continue
        name = data["name"]
        cases.metric_seen(name)
        if data.get("error"):
            errored = True
            continue
        cases.score(case, name, data.get("score"), where)
    if not errored:
        cases.score(case, "pass", test.get("success"), where)

