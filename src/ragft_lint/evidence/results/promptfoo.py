"""promptfoo's ``eval -o`` output: ``results.json``, ``.jsonl`` (one row a line) and ``.csv``.

A row is one test under one prompt and one provider; a file with several prompts or providers
is read for the one ``prompt:`` and ``provider:`` name, and without them it is a declaration
error listing them, whatever their rows hold. The figure is promptfoo's headline: passes over
rows, an errored row (``failureReason`` 2) counted as a failure as promptfoo counts it, every
row of ``--repeat N`` counted. A case (the test, named by its ``vars.id``, else ``case_id``,
else its index) scores its mean over its repeats, for pairing. ``score`` is the graded score; a
named metric (``namedScores``) is promptfoo's own aggregate, the sum of its scores over the sum
of the assertions that feed it (``namedScoresCount``), so the file's figure is that ratio.

JSON Lines are read one row at a time, keeping a few numbers per case; so is ``results.json``,
its rows streamed one at a time out of the document.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ..measurements import EXAMPLES, Malformed
from . import Ambiguous, CaseScores, NotReadable, Opener, Selectors, refuse_selectors
from .cases import Cases, no_scored_case, select_task
from .json_files import Lines
from .json_stream import Document

ERROR = 2  # promptfoo's ResultFailureReason.ERROR
CELL_VERDICTS = {"[PASS]": 1.0, "[FAIL]": 0.0, "[ERROR]": 0.0}
# (provider id, provider label, prompt index, prompt label): one column of promptfoo's table.
Key = Tuple[str, str, int, str]


def sniff(head: str, path: str) -> bool:
    if path.endswith(".csv"):
        first = head.split("\n", 1)[0]
        return ("[" in first[:1] or ",[" in first) and "] " in first and (
            ",Status" in first or any(cell in head for cell in CELL_VERDICTS))
    if path.endswith(".jsonl"):
        return '"promptIdx"' in head and '"testIdx"' in head
    return '"evalId"' in head or ('"promptIdx"' in head and '"testIdx"' in head)


class Column:
    """The rows of one prompt under one provider, a few numbers per case."""

    __slots__ = ("errored", "graded", "named", "passed")

    def __init__(self) -> None:
        # case -> [passes, rows], every case the column has a row of, in the order first seen
        self.passed: Dict[str, List[float]] = {}
        self.graded: Dict[str, List[float]] = {}  # case -> [sum of scores, scores]
        self.named: Dict[str, Dict[str, List[float]]] = {}  # metric -> case -> [sum, count]
        self.errored = 0


class Table:
    """Every column of a promptfoo file, filled one row at a time."""

    def __init__(self, path: str, metric: Optional[str] = None) -> None:
        self.cases = Cases(path, "promptfoo")  # what cannot be read, and whether it all was
        # Only the metric asked for is gathered (``pass`` is always), the names of the others
        # kept for messages: a row costs little more than its parsing.
        self.wanted = metric or "pass"
        self.names: Dict[str, Any] = {}  # the named metrics seen, in order
        self.columns: Dict[Key, Column] = {}
        self.by_index: Dict[Tuple[Any, Any], Column] = {}  # (promptIdx, provider id) -> column

    def column(self, provider: Any, prompt: Any, index: Any) -> Column:
        if isinstance(provider, dict):
            provider_id, provider_label = provider.get("id"), provider.get("label")
        else:
            provider_id, provider_label = provider, None
        label = prompt.get("label") if isinstance(prompt, dict) else None
        key = (str(provider_id or ""), str(provider_label or provider_id or ""),
               index if type(index) is int else 0, str(label if label is not None else ""))
        found = self.columns.get(key)
        if found is None:
            found = self.columns[key] = Column()
        return found

    def row(self, where: int, result: Any) -> None:
        """One row of ``results.results`` (a line of the JSON Lines file).

        Written for speed, as it runs once per row of files of many thousands: the column of
        a row is looked up by its prompt index and provider id (promptfoo numbers each prompt
        under each provider), its label read only the first time."""
        if type(result) is not dict:
            self.cases.bad(where, getattr(result, "reason", "not a record (a JSON object)"))
            return
        get = result.get
        variables = get("vars")
        case = variables.get("id") if type(variables) is dict else None
        if type(case) is not str:
            case = _case(result)
            if case is None:
                self.cases.bad(where, "no test index (`testIdx`) and no `vars.id`")
                return
        provider = get("provider")
        fast = (get("promptIdx"), provider.get("id") if type(provider) is dict else provider)
        column = self.by_index.get(fast)
        if column is None:
            column = self.by_index[fast] = self.column(provider, get("prompt"), fast[0])
        passed = column.passed.get(case)
        if passed is None:
            passed = column.passed[case] = [0.0, 0.0]
        if get("failureReason") == ERROR:
            column.errored += 1  # a failure, as promptfoo counts it, with no graded score
            passed[1] += 1.0
            return
        success = get("success")
        if success is True:
            passed[0] += 1.0
        elif success is not False:
            self.cases.bad(where, "pass: `success` is neither true nor false")
            return
        passed[1] += 1.0
        named = get("namedScores")
        if named and type(named) is dict:
            self.names.update(named)
            if self.wanted in named:
                self.named(where, column, case, result, named[self.wanted])
        if self.wanted == "score":
            value: Any = get("score")
            kind = type(value)
            if (kind is int or kind is float) and -math.inf < value < math.inf:
                _add(column.graded, case, float(value), 1.0)

    def named(self, where: int, column: Column, case: str, result: Dict[str, Any],
              value: Any) -> None:
        """A row's score for the named metric asked for, weighed by the assertions that feed
        it, as promptfoo weighs it in its aggregate."""
        name = self.wanted
        kind = type(value)
        if not ((kind is int or kind is float) and -math.inf < value < math.inf):
            self.cases.bad(where, f"{name}: score {str(value)[:40]!r} is not a number")
            return
        grading = result.get("gradingResult")
        weights = grading.get("namedScoreWeights") if type(grading) is dict else None
        if type(weights) is not dict:
            weights = _weights(result)
        weight = weights.get(name, 1.0)
        if not (type(weight) in (int, float) and 0 < weight < math.inf):
            weight = 1.0
        per_case = column.named.get(name)
        if per_case is None:
            per_case = column.named[name] = {}
        _add(per_case, case, value * weight, float(weight))

    def result(self, metric: Optional[str], task: Optional[str],
               selectors: Optional[Selectors]) -> CaseScores:
        if task is not None:
            select_task([], task)
        chosen = _select(self.columns, selectors or {})
        column = _pooled([self.columns[key] for key in chosen])
        metrics = ("pass", "score", *self.names)
        name = "pass" if metric is None else metric
        figure: Optional[float] = None
        if name == "pass":
            per_case = column.passed
        elif name == "score":
            per_case = column.graded
        elif name in self.names:
            per_case = column.named.get(name, {})
            total = math.fsum(count for _, count in per_case.values())
            if total:
                figure = math.fsum(value for value, _ in per_case.values()) / total
        else:
            from ...suggest import hint

            held = ", ".join(repr(m) for m in metrics)
            raise NotReadable(f"holds no metric {metric!r} (it holds: {held})"
                              f"{hint(name, list(metrics))}")
        if not column.passed and not self.cases.malformed:
            raise NotReadable("holds no rows: it holds no scored case")
        scores: Dict[str, float] = {}
        unscored: List[str] = []
        sums_of = per_case.get
        for case in column.passed:
            sums = sums_of(case)
            if sums is None or not sums[1]:
                unscored.append(case)
            else:
                scores[case] = sums[0] / sums[1]
        if not scores and not self.cases.malformed:  # else DA006 names the broken rows
            raise NotReadable(no_scored_case(name, len(unscored), unscored))
        cases = self.cases
        return CaseScores(cases.path, "promptfoo", name, task, scores, len(unscored),
                          tuple(unscored[:EXAMPLES]), cases.malformed,
                          tuple(cases.first_malformed), cases.complete, metrics, (),
                          column.errored if name == "pass" else 0, figure)


def _add(per_case: Dict[str, List[float]], case: str, value: float, count: float) -> None:
    held = per_case.get(case)
    if held is None:
        per_case[case] = [value, count]
    else:
        held[0] += value
        held[1] += count


def _case(result: Dict[str, Any]) -> Optional[str]:
    variables = result.get("vars")
    raw: Any = None
    if type(variables) is dict:
        raw = variables.get("id")
        if raw is None:
            raw = variables.get("case_id")
    if raw is None or type(raw) not in (str, int):
        raw = result.get("testIdx")
    kind = type(raw)
    return raw if kind is str else str(raw) if kind is int else None


def _weights(result: Dict[str, Any]) -> Dict[str, float]:
    """For files without ``gradingResult.namedScoreWeights``: the test's assertions that name
    each metric, as promptfoo counts them (``namedScoresCount``)."""
    test = result.get("testCase")
    asserts = test.get("assert") if isinstance(test, dict) else None
    counts: Dict[str, float] = {}
    for assertion in asserts if isinstance(asserts, list) else ():
        name = assertion.get("metric") if isinstance(assertion, dict) else None
        if isinstance(name, str):
            counts[name] = counts.get(name, 0.0) + 1.0
    return counts


def _names(values: Iterable[str]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _select(columns: Dict[Key, Column], selectors: Selectors) -> List[Key]:
    """The columns the declaration's ``provider:`` and ``prompt:`` name; several providers or
    prompts and no name for them is ``Ambiguous``, whatever the rows hold."""
    keys = sorted(columns, key=lambda key: key[2])
    # A prompt's index is its place in the config's list of prompts: promptfoo numbers every
    # prompt under every provider (``promptIdx``), so the index counts distinct prompts.
    places = {name: str(place) for place, name in enumerate(_names(_prompt(k) for k in keys))}

    def matches(what: str, key: Key, wanted: str) -> bool:
        if what == "provider":
            return wanted in (key[0], key[1])
        return wanted in (places[_prompt(key)], key[3])

    for what in ("provider", "prompt"):
        names = _names(key[1] if what == "provider" else _prompt(key) for key in keys)
        wanted = selectors.get(what)
        if wanted is None:
            if len(names) > 1:
                raise Ambiguous(what, names)
            continue
        found = [key for key in keys if matches(what, key, wanted)]
        if not found:
            from ...suggest import hint

            listed = ", ".join(repr(n) for n in names) or "none"
            raise NotReadable(f"holds no {what} {wanted!r} (it holds: {listed})"
                              f"{hint(wanted, list(names))}")
        keys = found
    return keys


def _prompt(key: Key) -> str:
    return key[3] or str(key[2])


def _pooled(columns: List[Column]) -> Column:
    """One column, or several that share a name (two providers under one label) as one."""
    if len(columns) == 1:
        return columns[0]
    pooled = Column()
    for column in columns:
        for mine, theirs in ((pooled.passed, column.passed), (pooled.graded, column.graded)):
            for case, (value, count) in theirs.items():
                _add(mine, case, value, count)
        for name, per_case in column.named.items():
            into = pooled.named.setdefault(name, {})
            for case, (value, count) in per_case.items():
                _add(into, case, value, count)
        pooled.errored += column.errored
    return pooled


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str],
         selectors: Optional[Selectors] = None) -> CaseScores:
    refuse_selectors(selectors, ("provider", "prompt"), "promptfoo")
    table = Table(path, metric)
    if path.endswith(".csv"):
        with open_(path) as handle:
            _csv(table, handle)
    elif path.endswith(".jsonl"):
        with open_(path) as handle:
            lines = Lines(handle)
            row = table.row
            for where, result in lines:
                row(where, result)
            table.cases.complete = lines.complete
    else:
        table = _document(table, path, open_)
    return table.result(metric, task, selectors)


ROWS = ("results", "results")
PROMPTS = ("results", "prompts")


def _document(table: Table, path: str, open_: Opener) -> Table:
    """``-o results.json``: the rows of ``results.results`` one at a time. Older files name a
    row's prompt only by its index into the header's ``results.prompts``, which promptfoo writes
    before the rows; a file holding it after them is read again, its header known."""
    labels: Optional[Dict[int, Any]] = None
    for _ in range(2):
        late = False  # rows that needed the header before it came
        with open_(path) as handle:
            stream = Document(handle, [ROWS], [PROMPTS])
            row = table.row
            for _, where, value in stream:
                if not where:  # the one value kept whole: ``results.prompts``
                    if labels is None:
                        labels = {i: p for i, p in enumerate(value) if isinstance(p, dict)} \
                            if isinstance(value, list) else {}
                    continue
                if labels is None:
                    late = late or (type(value) is dict and "prompt" not in value)
                elif type(value) is dict and "prompt" not in value:
                    index = value.get("promptIdx")
                    if type(index) not in (list, dict) and index in labels:
                        value = {**value, "prompt": labels[index]}
                row(where, value)
        if stream.found.get(ROWS) != "array":
            raise NotReadable("has no `results.results` list: not a promptfoo output file")
        if not (late and labels):
            return table
        table = Table(table.cases.path, table.wanted if table.wanted != "pass" else None)
    return table


def _csv(table: Table, handle: Any) -> None:
    """``-o results.csv``: a row per test (and repeat), the test's variables first, then for
    each prompt under each provider a column headed ``[<provider>] <prompt>`` holding the
    output, followed by its ``Status`` (``PASS``, ``FAIL``, ``ERROR``) and ``Score``; files
    without ``Status`` start the output cell with ``[PASS]``, ``[FAIL]`` or ``[ERROR]``."""
    import csv
    import io

    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)
    header: Optional[List[str]] = None
    number = 0
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                table.cases.bad(reader.line_num, f"not a CSV row: {exc}")
                continue
            if header is None:
                header = row
                continue
            if not row:
                continue
            for result in _cells(row, header, number):
                table.row(reader.line_num, result)
            number += 1
    finally:
        text.detach()  # the handle is the caller's to close


def _cells(row: List[str], header: List[str], number: int,
           ) -> Iterator[Union[Dict[str, Any], Malformed]]:
    """The rows of JSON form that one CSV row stands for, one per output column."""
    outputs = [i for i, name in enumerate(header) if name.startswith("[") and "] " in name]
    first = outputs[0] if outputs else len(header)
    variables = dict(zip(header[:first], row[:first]))
    for index, column in enumerate(outputs):
        provider, _, prompt = header[column][1:].partition("] ")
        cell = row[column] if column < len(row) else ""
        if column + 1 < len(header) and header[column + 1] == "Status":
            status = row[column + 1] if column + 1 < len(row) else ""
            verdict = f"[{status}]"
        else:
            verdict = next((v for v in CELL_VERDICTS if cell.startswith(v)), "")
        if verdict not in CELL_VERDICTS:
            yield Malformed(0, f"column {header[column]!r}: no PASS, FAIL or ERROR")
            continue
        result: Dict[str, Any] = {
            "vars": variables, "testIdx": number, "promptIdx": index,
            "provider": {"id": provider, "label": provider}, "prompt": {"label": prompt},
            "success": verdict == "[PASS]", "failureReason": ERROR if verdict == "[ERROR]" else 0}
        if column + 2 < len(header) and header[column + 2] == "Score":
            with contextlib.suppress(ValueError, IndexError):  # a score is not required
                result["score"] = float(row[column + 2])
        yield result
