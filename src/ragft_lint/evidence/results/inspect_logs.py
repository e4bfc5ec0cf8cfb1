"""inspect_ai's eval logs: ``.json`` documents and ``.eval`` archives (a zip of JSON).

Each scorer is a metric (a scorer whose value is a table gives one metric per key,
``<scorer>/<key>``). ``C``/``I``/``P``/``N`` are 1 / 0 / 0.5 / 0, as inspect_ai's own
``value_to_float`` reads them; a sample that ended in an error has no score. The epochs of a
sample are averaged into one score per sample id. A log whose status is not ``success`` (a run
cancelled or still going) is incomplete.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from . import CaseScores, NotReadable, Opener
from .cases import Cases
from .json_files import document, loads

LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
# A sample member is parsed whole, so its parsed size is bounded well below what a member may
# decompress to: 60 MiB of ``{},`` would take gigabytes as Python objects.
SAMPLE_PARSED_BYTES = 256 << 20


def sniff(head: str, path: str) -> bool:
    if path.endswith(".eval"):
        return head.startswith("PK")
    return '"eval"' in head and '"status"' in head and '"version"' in head


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str]) -> CaseScores:
    if path.endswith(".eval") or _is_zip(path, open_):
        return _archive(path, open_, metric, task)
    data = document(path, open_)
    if not isinstance(data, dict) or not isinstance(data.get("eval"), dict):
        raise NotReadable("has no `eval` table: not an inspect_ai log")
    listed = data.get("samples")
    cases = _cases(path, data, task)
    for where, sample in enumerate(listed if isinstance(listed, list) else [], 1):
        _one(cases, where, sample)
    return cases.result(metric, _task(data))


def _task(header: Dict[str, Any]) -> Optional[str]:
    spec = header.get("eval")
    name = spec.get("task") if isinstance(spec, dict) else None
    return name if isinstance(name, str) else None


def _cases(path: str, header: Dict[str, Any], task: Optional[str]) -> Cases:
    """The cases of a log whose header is ``header``, checked to be of ``task`` if named."""
    cases = Cases(path, "inspect_ai")
    name = _task(header)
    if name is not None:
        cases.tasks.append(name)
    if task is not None and task not in cases.tasks:
        raise NotReadable(f"is a log of task {name!r}, not {task!r}")
    cases.complete = header.get("status") == "success"
    return cases


def _one(cases: Cases, where: int, sample: Any) -> None:
    if isinstance(sample, dict):
        _sample(cases, where, sample)
    else:
        cases.bad(where, "a sample that is not a JSON object")


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


def _archive(path: str, open_: Opener, metric: Optional[str],
             task: Optional[str]) -> CaseScores:
    """The scores of an ``.eval`` archive, each sample member parsed on its own and reduced
    to its scores before the next is read: a log of many large samples takes the memory of
    one. A member that would parse to more than ``SAMPLE_PARSED_BYTES`` is not parsed."""
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
        cases = _cases(path, header, task)
        for number, name in enumerate((n for n in names if n.startswith("samples/")), 1):
            try:
                sample = loads(archive.read(name), f"JSON in {name}", SAMPLE_PARSED_BYTES)
            except NotReadable as exc:
                if "zip bomb" in exc.reason or "Zstandard" in exc.reason:
                    raise
                cases.bad(number, exc.reason)
                continue
            _one(cases, number, sample)
            del sample  # the next member is parsed without this one held
        return cases.result(metric, _task(header))
    finally:
        handle.close()
