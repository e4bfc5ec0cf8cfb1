"""ragas results exported as CSV, JSON Lines or a JSON array (``to_pandas()`` then ``to_csv``, or
``to_json`` with ``lines=True`` or ``orient="records"``).

Every column that is not one of ragas's inputs is a metric (``faithfulness``,
``context_recall``, ...); with several, ``metric:`` names the one that counts. Empty and NaN
cells, common when a judge call fails, are unscored. A case is named by an ``id`` (or
``sample_id``) column, else by its question (``user_input``, ``question``), else by its row.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Set, Tuple, Union

from ..measurements import Malformed
from . import CaseScores, Opener, Selectors, refuse_selectors
from .cases import Cases
from .json_files import Lines

INPUTS = {"user_input", "retrieved_contexts", "reference_contexts", "retrieved_context_ids",
          "reference_context_ids", "response", "multi_responses", "reference", "rubrics",
          "reference_tool_calls", "question", "contexts", "answer", "ground_truth",
          "ground_truths", "reference_answer"}
IDS = ("id", "sample_id")
QUESTIONS = ("user_input", "question")


def sniff(head: str, path: str) -> bool:
    if path.endswith(".csv"):
        first = head.splitlines()[0] if head else ""
        columns = {c.strip().strip('"') for c in first.split(",")}
        if any(c.startswith("[") and "] " in c for c in columns):
            return False  # promptfoo's table: a column per `[provider] prompt`
        return bool(columns & {"user_input", "question"}) and bool(columns - INPUTS - set(IDS))
    return ('"user_input"' in head or '"question"' in head) and (
        '"response"' in head or '"answer"' in head or '"retrieved_contexts"' in head)


def _rows(path: str, handle: Any, cases: Cases) -> Iterator[Tuple[int, Union[Dict[str, Any],
                                                                         Malformed]]]:
    if path.endswith((".csv", ".json")):  # a JSON array of records: to_json(orient="records")
        from ..readers import Reader

        reader = Reader(handle, "csv" if path.endswith(".csv") else "json", 0,
                        lambda done, total: None)
        yield from reader.items()
        cases.complete = reader.complete
    else:
        lines = Lines(handle)
        yield from lines
        cases.complete = lines.complete


def read(path: str, open_: Opener, metric: Optional[str], task: Optional[str],
         selectors: Optional[Selectors] = None) -> CaseScores:
    refuse_selectors(selectors, (), "ragas")
    cases = Cases(path, "ragas")
    words: Set[str] = set()  # columns that held text: inputs of the user's own, not metrics
    with open_(path) as handle:
        for where, row in _rows(path, handle, cases):
            if not isinstance(row, dict):
                cases.bad(where, row.reason)
                continue
            key = next((row[k] for k in (*IDS, *QUESTIONS) if row.get(k) not in (None, "")),
                       where)
            case = cases.case(key if isinstance(key, (str, int)) else str(where), where)
            if case is None:
                continue
            for column, value in row.items():
                if column in INPUTS or column in IDS or column in words:
                    continue
                if _is_text(value):
                    words.add(column)
                    cases.values.pop(column, None)
                    continue
                cases.score(case, column, value, where)
    return cases.result(metric, task)


def _is_text(value: Any) -> bool:
    if isinstance(value, (list, dict)) or (isinstance(value, str) and value.strip()[:1] in "[{"
                                           and value.strip()):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value.strip().lower() not in ("", "nan", "none", "null")
    return False

