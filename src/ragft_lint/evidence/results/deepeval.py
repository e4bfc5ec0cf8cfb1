"""deepeval's test run JSON (``.deepeval/.latest_run_full.json``, ``test_run_<time>.json``, and
``.latest_test_run.json``, which holds the same under ``testRunData``).

The default metric is ``pass``, the test case's own verdict as deepeval's pass rate counts it:
a case passes when every metric passed, and fails when any failed or ended in an error. Any
metric in ``metricsData`` can be chosen by its name (``Exact Match``) for its ``score``; a
metric that ended in an error has no score. A case is named by its ``name``, else its
``order``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import CaseScores, NotReadable, Opener, Selectors, refuse_selectors
from .cases import Cases
from .json_stream import Document, Path

TOP = ("testCases",)
NESTED = ("testRunData", "testCases")


def sniff(head: str, path: str) -> bool:
    return ('"testCases"' in head or '"testFile"' in head or '"testRunId"' in head
            or '"testRunData"' in head)


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str],
         selectors: Optional[Selectors] = None) -> CaseScores:
    refuse_selectors(selectors, (), "deepeval")
    # Both places are read as they come, as which one holds the run is known only once the
    # file is read: ``.latest_test_run.json`` holds it under ``testRunData``.
    found: Dict[Path, Tuple[Cases, List[int]]] = {}
    with open_(path) as handle:
        stream = Document(handle, [TOP, NESTED])
        for place, where, test in stream:
            held = found.get(place) or found.setdefault(place, _fresh(path))
            if isinstance(test, dict):
                held[1][0] += _case(held[0], where, test)
            else:
                _bad(held[0], where, test)
    place = NESTED if stream.found.get(NESTED[:1]) == "object" else TOP
    if stream.found.get(place) != "array":
        raise NotReadable("has no `testCases` list: not a deepeval test run")
    cases, (errored,) = found.get(place) or _fresh(path)
    scores = cases.result(metric, task, default="pass")
    return scores._replace(errored=errored) if scores.metric == "pass" else scores


def _fresh(path: str) -> Tuple[Cases, List[int]]:
    """The cases of one place in the file, and the count of those that ended in an error."""
    cases = Cases(path, "deepeval")
    cases.metric_seen("pass")
    return cases, [0]


def _bad(cases: Cases, where: int, test: Any) -> None:
    reason = getattr(test, "reason", None)  # an element over the bound
    cases.bad(where, reason if isinstance(reason, str) else
              "a test case that is not a JSON object")


def _case(cases: Cases, where: int, test: Dict[str, Any]) -> int:
    """Read one test case; 1 when a metric of it ended in an error, else 0."""
    case = cases.case(test.get("name", test.get("order")), where)
    if case is None:
        return 0
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
    # An error fails the case, as deepeval's pass rate counts it, whatever ``success`` says.
    cases.score(case, "pass", False if errored else test.get("success"), where)
    return 1 if errored else 0

