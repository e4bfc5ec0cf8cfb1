"""inspect_ai's eval logs: ``.json`` documents and ``.eval`` archives (a zip of JSON).

Each score is a metric, named as inspect_ai names it in the log's results (a scorer whose value
is a table gives one score per key: ``exact``, also reachable as ``<scorer>/exact``). A case is
a sample id, scored as inspect_ai scores it: after the log's own epoch reducer (its
``reductions``: ``max`` takes the best epoch, not the mean), values read as its
``value_to_float`` reads them (``C``/``yes``/``true`` 1, ``I``/``N``/``no``/``false`` 0, ``P``
0.5, numbers as numbers). A log written with ``log_samples=False`` holds no samples: its figure
and count are the header's. A log whose status is not ``success`` holds no figure: it is
refused, naming the status.

Both forms are read a sample at a time: a ``.json`` log as a stream (``json_stream``), an
``.eval`` archive member by member.
"""

from __future__ import annotations

import math
import statistics
from typing import Any, Callable, Dict, List, Optional

from . import CaseScores, NotReadable, Opener, Selectors, refuse_selectors
from .cases import Cases, choose_metric
from .json_files import MAX_DOCUMENT_BYTES, loads
from .json_stream import EACH, Document

LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
WORDS = {"yes": 1.0, "true": 1.0, "no": 0.0, "false": 0.0}
# A sample member is parsed whole, so its parsed size is bounded well below what a member may
# decompress to: 60 MiB of ``{},`` would take gigabytes as Python objects.
SAMPLE_PARSED_BYTES = 256 << 20


def sniff(head: str, path: str) -> bool:
    if path.endswith(".eval"):
        return head.startswith("PK")
    return '"eval"' in head and '"status"' in head and '"version"' in head


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str],
         selectors: Optional[Selectors] = None) -> CaseScores:
    refuse_selectors(selectors, (), "inspect_ai")
    if path.endswith(".eval") or _is_zip(path, open_):
        return _archive(path, open_, metric, task)
    return _streamed(path, open_, metric, task)


SAMPLES = ("samples",)
REDUCTIONS = ("reductions",)
REDUCED = ("reductions", EACH, "samples")
SCORER = ("reductions", EACH, "scorer")
HEADER = (("version",), ("status",), ("eval",), ("results",))


def _streamed(path: str, open_: Opener, metric: Optional[str],
              task: Optional[str]) -> CaseScores:
    """A ``.json`` log read as a stream: the header's few tables kept, each sample scored and
    dropped before the next is read, and the log's own reductions (written after the
    samples, and preferred to them when present) read a reduced sample at a time. A sample is
    bounded as a whole document was (``MAX_DOCUMENT_BYTES``): one sample's transcript may be
    long."""
    header: Dict[str, Any] = {}
    sampled = Cases(path, "inspect_ai")
    reduced = Cases(path, "inspect_ai")
    reduction: Optional[_Reduction] = None
    reductions = 0
    with open_(path) as handle:
        stream = Document(handle, [SAMPLES, REDUCED], [*HEADER, SCORER],
                          limit=MAX_DOCUMENT_BYTES)
        for place, where, value in stream:
            if place == SAMPLES:
                _one(sampled, where, value)
            elif place == REDUCED:
                if reduction is not None:  # announced before its samples, always
                    reduction.sample(where, value)
            elif place == REDUCTIONS:  # the next reduction begins
                if reduction is not None:
                    reduction.close()
                reduction = _Reduction(reduced)
                reductions += 1
            elif place == SCORER:
                if reduction is not None:
                    reduction.named(value)
            else:
                header[place[0]] = value
    if reduction is not None:
        reduction.close()
    if not isinstance(header.get("eval"), dict):
        raise NotReadable("has no `eval` table: not an inspect_ai log")
    cases = reduced if reductions and stream.found.get(REDUCTIONS) == "array" else sampled
    _check(cases, header, task)
    return _result(cases, metric, header)


class _Reduction:
    """One element of a log's ``reductions``, its reduced samples read one at a time. Its
    scorer is named before its samples in the logs inspect_ai writes; samples read before the
    name wait for it (a few numbers each)."""

    def __init__(self, cases: Cases) -> None:
        self.cases = cases
        self.scorer: Optional[str] = None
        self.seen: Dict[str, int] = {}
        self.waiting: List[Any] = []

    def named(self, scorer: Any) -> None:
        if isinstance(scorer, str):
            self.scorer = scorer
            for where, case, value in self.waiting:
                _value(self.cases, case, scorer, value, where)
            self.waiting = []

    def sample(self, where: int, sample: Any) -> None:
        if not isinstance(sample, dict):
            reason = getattr(sample, "reason", None)  # an element over the bound
            self.cases.bad(where, reason if isinstance(reason, str)
                           else "a reduced sample that is not a JSON object")
            return
        case = _id(self.cases, sample.get("sample_id"), where, self.seen)
        if case is None:
            return
        value = sample.get("value")
        if isinstance(value, dict):
            for key, part in value.items():
                _value(self.cases, case, str(key), part, where)
        elif self.scorer is not None:
            _value(self.cases, case, self.scorer, value, where)
        else:
            self.waiting.append((where, case, value))

    def close(self) -> None:
        if self.scorer is None:
            self.cases.bad(0, "a reduction without a scorer")


def _task(header: Dict[str, Any]) -> Optional[str]:
    spec = header.get("eval")
    name = spec.get("task") if isinstance(spec, dict) else None
    return name if isinstance(name, str) else None


def _cases(path: str, header: Dict[str, Any], task: Optional[str]) -> Cases:
    """The cases of a log whose header is ``header``, checked to be finished and of ``task``."""
    cases = Cases(path, "inspect_ai")
    _check(cases, header, task)
    return cases


def _check(cases: Cases, header: Dict[str, Any], task: Optional[str]) -> None:
    """Refuse a log whose run did not finish, or of another task than ``task``."""
    status = header.get("status")
    if status != "success":
        said = "none" if status is None else repr(status)
        raise NotReadable(f"is an inspect_ai log whose run did not finish (status {said}): it "
                          "holds no figure; point at the log of a finished run")
    name = _task(header)
    if name is not None:
        cases.tasks.append(name)
    if task is not None and task not in cases.tasks:
        raise NotReadable(f"is a log of task {name!r}, not {task!r}")


def value_to_float(value: Any) -> Any:
    """A score value as inspect_ai's ``value_to_float`` reads it; other values as they are."""
    if isinstance(value, str):
        if value in LETTERS:
            return LETTERS[value]
        lowered = value.lower()
        if lowered in WORDS:
            return WORDS[lowered]
        if lowered.replace(".", "").isnumeric():
            return float(value)
    return value


def _names(header: Dict[str, Any]) -> Dict[str, str]:
    """Each score of the log's results by the names a declaration may use: inspect_ai's own
    (``exact``) and, for a scorer that returned a table, ``<scorer>/<name>``."""
    results = header.get("results")
    scores = results.get("scores") if isinstance(results, dict) else None
    names: Dict[str, str] = {}
    for score in scores if isinstance(scores, list) else ():
        if isinstance(score, dict) and isinstance(score.get("name"), str):
            names[score["name"]] = score["name"]
            if isinstance(score.get("scorer"), str) and score["scorer"] != score["name"]:
                names[f"{score['scorer']}/{score['name']}"] = score["name"]
    return names


def _reduced(cases: Cases, reductions: List[Any]) -> None:
    """The samples' scores after the log's own epoch reducer, one per sample and score."""
    for element in reductions:
        reduction = _Reduction(cases)
        if isinstance(element, dict):
            reduction.named(element.get("scorer"))
            samples = element.get("samples")
            for where, sample in enumerate(samples if isinstance(samples, list) else (), 1):
                reduction.sample(where, sample)
        reduction.close()


def _id(cases: Cases, raw: Any, where: int, seen: Dict[str, int]) -> Optional[str]:
    """A sample id, new within one reduction (each reduction lists every sample once)."""
    case = None if isinstance(raw, bool) or not isinstance(raw, (str, int)) else str(raw)
    if case is None:
        cases.bad(where, "no sample id")
        return None
    if case in seen:
        cases.bad(where, f"sample id {case[:60]!r} repeats the one at {seen[case]}")
        return None
    seen[case] = where
    cases.order.setdefault(case, where)
    return case


def _one(cases: Cases, where: int, sample: Any) -> None:
    if isinstance(sample, dict):
        _sample(cases, where, sample)
    else:
        reason = getattr(sample, "reason", None)  # an element over the bound
        cases.bad(where, reason if isinstance(reason, str) else
                  "a sample that is not a JSON object")


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
                cases.metric_seen(str(key))
                if not errored:
                    _value(cases, case, str(key), part, where)
        else:
            cases.metric_seen(str(scorer))
            if not errored:
                _value(cases, case, str(scorer), value, where)


def _value(cases: Cases, case: str, metric: str, value: Any, where: int) -> None:
    cases.metric_seen(metric)
    cases.score(case, metric, value_to_float(value), where)


def _median(values: List[float]) -> float:
    return float(statistics.median(values))


REDUCERS: Dict[str, Callable[[List[float]], float]] = {
    "mean": lambda values: math.fsum(values) / len(values), "median": _median,
    "max": max, "min": min, "mode": lambda values: float(statistics.mode(values))}


def _reduce_epochs(cases: Cases, header: Dict[str, Any]) -> None:
    """Samples read one epoch at a time (a log without ``reductions``) reduced as the log's
    reducer says; ``Cases`` would average them."""
    spec = header.get("eval")
    config = spec.get("config") if isinstance(spec, dict) else None
    named = config.get("epochs_reducer") if isinstance(config, dict) else None
    reducer = named[0] if isinstance(named, list) and len(named) == 1 else "mean"
    if reducer == "mean" or not cases.several:
        return
    apply: Callable[[List[float]], float]
    if isinstance(reducer, str) and reducer.startswith("at_least_") and reducer[9:].isdigit():
        need = int(reducer[9:])

        def apply(values: List[float]) -> float:  # at_least_N: N epochs scored 1 or more
            return 1.0 if sum(v >= 1.0 for v in values) >= need else 0.0
    elif isinstance(reducer, str) and reducer in REDUCERS:
        apply = REDUCERS[reducer]
    else:
        raise NotReadable(f"reduces epochs with {reducer!r} and records no reduced scores "
                          "(`reductions`): write the log again with a recent inspect_ai, "
                          "which records them")
    for per_case in cases.values.values():
        for case, held in per_case.items():
            if isinstance(held, list):
                per_case[case] = float(apply(held))


def _result(cases: Cases, metric: Optional[str], header: Dict[str, Any]) -> CaseScores:
    names = _names(header)
    aliases = {alias: name for alias, name in names.items() if alias != name}
    if not cases.order:
        return _aggregate(cases, metric, header, names)
    _reduce_epochs(cases, header)
    found = cases.result(metric, _task(header), aliases=aliases)
    return found._replace(unscored=found.unscored + _errored(header))


def _errored(header: Dict[str, Any]) -> int:
    """The samples that ended in an error, which inspect_ai leaves out of its reduced scores
    (and its figure): the header counts them, as samples run less samples completed."""
    results = header.get("results")
    total = results.get("total_samples") if isinstance(results, dict) else None
    completed = results.get("completed_samples") if isinstance(results, dict) else None
    spec = header.get("eval")
    config = spec.get("config") if isinstance(spec, dict) else None
    epochs = config.get("epochs") if isinstance(config, dict) else None
    if not (isinstance(total, int) and isinstance(completed, int) and total > completed):
        return 0
    return (total - completed) // (epochs if isinstance(epochs, int) and epochs > 0 else 1)


def _aggregate(cases: Cases, metric: Optional[str], header: Dict[str, Any],
               names: Dict[str, str]) -> CaseScores:
    """A log without samples (``log_samples=False``): the figure its header holds, and the
    number of samples scored, for the score named (or the only one)."""
    results = header.get("results")
    scores = results.get("scores") if isinstance(results, dict) else None
    held = {s["name"]: s for s in (scores if isinstance(scores, list) else ())
            if isinstance(s, dict) and isinstance(s.get("name"), str)}
    if not held:
        raise NotReadable("holds no samples and no results: it holds no scored case")
    chosen = choose_metric(tuple(held), names.get(metric, metric) if metric else None, None, {})
    score = held.get(chosen or "", {})
    metrics = score.get("metrics")
    first = next(iter(metrics.values()), None) if isinstance(metrics, dict) else None
    value = first.get("value") if isinstance(first, dict) else None
    count = score.get("scored_samples", results.get("completed_samples")
                      if isinstance(results, dict) else None)
    if not (isinstance(value, (int, float)) and math.isfinite(value)
            and isinstance(count, int) and count > 0):
        raise NotReadable(f"holds no samples, and its results give no figure for "
                          f"{chosen!r}: it holds no scored case")
    return CaseScores(cases.path, cases.tool, chosen, _task(header), {}, 0, (), cases.malformed,
                      tuple(cases.first_malformed), True, tuple(held), tuple(cases.tasks),
                      figure=float(value), counted=count)


def _is_zip(path: str, open_: Opener) -> bool:
    with open_(path) as handle:
        return handle.read(4) == b"PK\x03\x04"


def _archive(path: str, open_: Opener, metric: Optional[str],
             task: Optional[str]) -> CaseScores:
    """The scores of an ``.eval`` archive: its ``reductions.json`` when it has one, else each
    sample member parsed on its own and reduced to its scores before the next is read, so a
    log of many large samples takes the memory of one. A member that would parse to more
    than ``SAMPLE_PARSED_BYTES`` is not parsed."""
    from .archive import Archive

    handle = open_(path)
    try:
        archive = Archive(handle)
        names = list(archive.names())
        header: Any = {}
        if "header.json" in names:
            header = loads(archive.read("header.json"), "JSON in header.json")
        elif "_journal/start.json" in names:  # the run did not finish: no header yet
            header = {"status": "started"}
        else:
            raise NotReadable("has neither header.json nor _journal/start.json: not an "
                              "inspect_ai log")
        if not isinstance(header, dict):
            raise NotReadable("header.json is not a JSON object: not an inspect_ai log")
        cases = _cases(path, header, task)
        if "reductions.json" in names:
            reductions = loads(archive.read("reductions.json"), "JSON in reductions.json")
            if isinstance(reductions, list) and reductions:
                _reduced(cases, reductions)
                return _result(cases, metric, header)
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
        return _result(cases, metric, header)
    finally:
        handle.close()
