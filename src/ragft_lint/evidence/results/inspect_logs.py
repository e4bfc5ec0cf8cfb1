"""inspect_ai's eval logs: ``.json`` documents and ``.eval`` archives (a zip of JSON).

Each scorer is a metric (a scorer whose value is a table gives one metric per key,
``<scorer>/<key>``). ``C``/``I``/``P``/``N`` are 1 / 0 / 0.5 / 0, as inspect_ai's own
``value_to_float`` reads them; a sample that ended in an error has no score. The epochs of a
sample are averaged into one score per sample id. A log whose status is not ``success`` (a run
cancelled or still going) is incomplete.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Tuple

from . import CaseScores, NotReadable, Opener
from .cases import Cases
from .json_files import document, loads

LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}


def sniff(head: str, path: str) -> bool:
    if path.endswith(".eval"):
        return head.startswith("PK")
    return '"eval"' in head and '"status"' in head and '"version"' in head


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str]) -> CaseScores:
    if path.endswith(".eval") or _is_zip(path, open_):
        header, samples = _archive(path, open_)
    else:
        data = document(path, open_)
        if not isinstance(data, dict) or not isinstance(data.get("eval"), dict):
            raise NotReadable("has no `eval` table: not an inspect_ai log")
        header = data
        listed = data.get("samples")
        samples = enumerate(listed if isinstance(listed, list) else [], 1)
    cases = Cases(path, "inspect_ai")
    spec = header.get("eval")
    name = spec.get("task") if isinstance(spec, dict) else None
    if isinstance(name, str):
        cases.tasks.append(name)
    if task is not None and task not in cases.tasks:
        raise NotReadable(f"is a log of task {name!r}, not {task!r}")
    cases.complete = header.get("status") == "success"
    for where, sample in samples:
        if isinstance(sample, dict):
            _sample(cases, where, sample)
        elif isinstance(sample, str):  # a member that could not be read: the reason
            cases.bad(where, sample)
        else:
            cases.bad(where, "a sample that is not a JSON object")
    return cases.result(metric, name if isinstance(name, str) else None)


def _sample(cases: Cases, where: int, sample: Dict[str, Any]) -> None:
    case = cases.case(sample.get("id"), where, repeat=sample.get("epoch", 1))
    if case is None:
        return
    scores = sample.get("scores")
    if not isinstance(scores, dict):
        return
    errored = bool(sample.get("error"))
    for scorer, found in scores.items():
        value = found.get("value") if isinstance(found, dict) else None
        if isinstance(value, dict):
            for key, part in value.items():
                _value(cases, case, f"{scorer}/{key}", part, where, errored)
        else:
            _value(cases, case, str(scorer), value, where, errored)


def _value(cases: Cases, case: str, metric: str, value: Any, where: int, errored: bool) -> None:
    cases.metric_seen(metric)
    if errored:
        return
    if isinstance(value, str) and value in LETTERS:
        value = LETTERS[value]
    cases.score(case, metric, value, where)


def _is_zip(path: str, open_: Opener) -> bool:
    with open_(path) as handle:
        return handle.read(4) == b"PK\x03\x04"


def _archive(path: str, open_: Opener) -> Tuple[Dict[str, Any], Iterable[Tuple[int, Any]]]:
    from .archive import Archive

    handle = open_(path)
    try:
        archive = Archive(handle)
        names = list(archive.names())
        header: Any = {}
        if "header.json" in names:
            header = loads(archive.read("header.json"), "JSON in header.json")
        elif "_journal/start.json" in names:  # a run still going: no header yet
            header = loads(archive.read("_journal/start.json"), "JSON in _journal/start.json")
            header = {"eval": header.get("eval") if isinstance(header, dict) else None,
                      "status": "started"}
        else:
            raise NotReadable("has neither header.json nor _journal/start.json: not an "
                              "inspect_ai log")
        if not isinstance(header, dict):
            raise NotReadable("header.json is not a JSON object: not an inspect_ai log")
        samples = []
        for number, name in enumerate((n for n in names if n.startswith("samples/")), 1):
            try:
                samples.append((number, loads(archive.read(name), f"JSON in {name}")))
            except NotReadable as exc:
                if "zip bomb" in exc.reason or "Zstandard" in exc.reason:
                    raise
                samples.append((number, exc.reason))
        return header, samples
    finally:
        handle.close()

