"""Reading retrieval runs: per-query JSON Lines, TREC run + qrels, BEIR run JSON + qrels TSV.

Each reader streams its file and keeps, per query, only the top ``CUT`` documents and the
length of the ranking, so that a run of a hundred thousand queries a hundred deep fits in
memory. A line that cannot be read is counted as ``Malformed`` and reading goes on, as in the
other evidence readers; where a problem is in the qrels file, its reason begins with that
file's name, since the line number is one of the qrels file's.

Ranking (measured-quality.md): the order given -- the JSON Lines list, the TREC rank column
-- and, where that leaves a tie (and in a BEIR run, which has scores only), score descending,
then document id ascending. That tie rule is the spec's own: trec_eval ignores the rank
column and breaks ties by document id descending, so on tied scores the two differ.

A document repeated within one query's ranking is counted once, at its first place, and the
repeat is reported; a query id read twice (``1`` and ``"1"`` are the same id) keeps its first
ranking.
"""

from __future__ import annotations

import bisect
import json
import math
from typing import Any, BinaryIO, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from ..declaration.specs import RETRIEVAL_FORMATS
from .readers import BLOCK_BYTES, MAX_RECORD_BYTES, Reader, TextBuffer
from .retrieval_metrics import CUT, Problems, RetrievalFacts, summarise
from .safety import MAX_FILE_BYTES, open_regular, resolve

FORMS = RETRIEVAL_FORMATS
# Enough of the start of a file to tell its form by.
HEAD_BYTES = 1 << 16

Advance = Callable[[int, int], None]
Judgements = Dict[str, Dict[str, int]]


def _quiet(done: int, total: int) -> None:
    """No progress to show."""


def resolve_run(base: str, spec: Mapping[str, Any], root: str) -> Tuple[str, Optional[str]]:
    """The real paths of a declared run and of its qrels; raises ``Refused`` for either."""
    qrels = spec.get("qrels")
    return (resolve(base, str(spec["path"]), root),
            resolve(base, qrels, root) if isinstance(qrels, str) else None)


def measure_run(real: str, qrels: Optional[str], form: Optional[str], shown: str,
                qrels_shown: str = "qrels", advance: Advance = _quiet,
                ) -> Union[RetrievalFacts, str]:
    """The facts of the run at ``real`` (resolved paths), or the reason it is not a run.

    ``form`` is one of ``FORMS``, or None to guess it from the content. Raises ``Refused``
    when a file is not a readable regular file.
    """
    handle, identity = open_regular(real)
    with handle:
        if identity.size > MAX_FILE_BYTES:
            return f"is larger than {MAX_FILE_BYTES >> 30} GiB: not read"
        if form is None:
            head = handle.read(HEAD_BYTES)
            handle.seek(0)
            form = guess_form(head)
            if form is None:
                return ("is empty, not a retrieval run" if not head.strip() else
                        "matches no retrieval run form (per-query JSON Lines with retrieved "
                        "and relevant, a TREC run, a BEIR run JSON): declare format: jsonl, "
                        "trec or beir")
        problems = Problems()
        if form == "jsonl":
            return _jsonl(handle, identity.size, shown, problems, advance)
        if qrels is None:
            return f"is a {form.upper()} run, whose judgements are in another file: declare qrels"
        judgements = _read_qrels(qrels, form, qrels_shown, problems)
        if isinstance(judgements, str):
            return judgements
        if form == "trec":
            return _trec(handle, identity.size, shown, judgements, problems, advance)
        return _beir(handle, identity.size, shown, judgements, problems, advance)


def guess_form(head: bytes) -> Optional[str]:
    """The form the start of a file suggests, or None."""
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    first = next((line.strip() for line in text.splitlines() if line.strip()), b"")
    if not first:
        return None
    if first.startswith(b"{"):
        # A JSON Lines record names its fields at once; a BEIR run is an object of queries.
        if b'"retrieved"' in first or b'"relevant"' in first:
            return "jsonl"
        return "beir"
    if len(first.split()) == 6:
        return "trec"
    return None


# -- identifiers and grades ---------------------------------------------------------------


def _id(value: Any) -> Optional[str]:
    """A query or document id as text (JSON numbers and strings alike), or None."""
    if isinstance(value, str):
        return value if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _grade(value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _shown_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- per-query JSON Lines ------------------------------------------------------------------


def _jsonl(handle: BinaryIO, size: int, shown: str, problems: Problems,
           advance: Advance) -> RetrievalFacts:
    reader = Reader(handle, "jsonl", size, advance)
    rankings: Dict[str, List[str]] = {}
    depths: Dict[str, int] = {}
    judgements: Judgements = {}
    first_line: Dict[str, int] = {}
    for line, item in reader.items():
        if not isinstance(item, dict):
            problems.add(line, item.reason)
            continue
        parsed = _jsonl_record(item)
        if isinstance(parsed, str):
            problems.add(line, parsed)
            continue
        query, retrieved, grades = parsed
        if query in first_line:
            problems.add(line, f"query {query!r} was already read on line {first_line[query]}: "
                               "this line is left out")
            continue
        first_line[query] = line
        ranking, repeated = _distinct(retrieved)
        if repeated:
            problems.add(line, f"document {repeated[0]!r} appears more than once in the ranking"
                               f" ({len(repeated)} repeats): each counts at its first place")
        rankings[query] = ranking[:CUT]
        depths[query] = len(ranking)
        judgements[query] = grades
    return summarise(shown, "jsonl", rankings, depths, judgements, problems, reader.complete)


def _jsonl_record(record: Dict[str, Any]) -> Union[str, Tuple[str, List[str], Dict[str, int]]]:
    """A record's query id, ranking and grades, or why it cannot be read."""
    raw = next((record[key] for key in ("query_id", "qid", "query") if key in record), None)
    if raw is None:
        return "no query_id (nor qid, query)"
    query = _id(raw)
    if query is None:
        return f"query_id {_shown_value(raw)} is not a string or a whole number"
    retrieved = record.get("retrieved")
    if not isinstance(retrieved, list):
        return "retrieved is not a list of document ids in rank order"
    docs = [_id(doc) for doc in retrieved]
    bad = next((index for index, doc in enumerate(docs) if doc is None), None)
    if bad is not None:
        return f"retrieved[{bad}] ({_shown_value(retrieved[bad])}) is not a document id"
    relevant = record.get("relevant")
    grades: Dict[str, int] = {}
    if isinstance(relevant, list):
        for index, doc in enumerate(relevant):
            name = _id(doc)
            if name is None:
                return f"relevant[{index}] ({_shown_value(doc)}) is not a document id"
            grades[name] = 1
    elif isinstance(relevant, dict):
        for doc, value in relevant.items():
            grade = value if isinstance(value, int) and not isinstance(value, bool) else None
            if grade is None:
                return (f"the grade of relevant document {doc!r} ({_shown_value(value)}) "
                        "is not a whole number")
            grades[doc] = grade
    else:
        return "relevant is not a list of document ids nor a mapping of ids to grades"
    return query, [doc for doc in docs if doc is not None], grades


def _distinct(docs: List[str]) -> Tuple[List[str], List[str]]:
    """The documents at their first place, and the repeats left out."""
    seen: set[str] = set()
    kept: List[str] = []
    repeats: List[str] = []
    for doc in docs:
        if doc in seen:
            repeats.append(doc)
        else:
            seen.add(doc)
            kept.append(doc)
    return kept, repeats


# -- text lines (TREC run, TREC qrels, BEIR qrels) -----------------------------------------


def _lines(handle: BinaryIO, problems: Problems, prefix: str = "") -> Iterator[Tuple[int, str]]:
    """The non-blank lines of a text file, stripped; one too long or not UTF-8 is reported."""
    line = 0
    readline = handle.readline
    while True:
        raw = readline(MAX_RECORD_BYTES + 1)
        if not raw:
            return
        line += 1
        if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            problems.add(line, f"{prefix}longer than {MAX_RECORD_BYTES >> 20} MiB: not read")
            while raw and not raw.endswith(b"\n"):  # skip the rest without holding it
                raw = readline(BLOCK_BYTES)
            continue
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            problems.add(line, f"{prefix}not valid UTF-8 (byte {exc.start + 1} of the line)")
            continue
        if text:
            yield line, text


def _read_qrels(real: str, form: str, shown: str,
                problems: Problems) -> Union[Judgements, str]:
    """The judgements of a qrels file (query -> document -> grade), or why not."""
    handle, identity = open_regular(real)
    with handle:
        if identity.size > MAX_FILE_BYTES:
            return f"has qrels {shown} larger than {MAX_FILE_BYTES >> 30} GiB: not read"
        judgements: Judgements = {}
        prefix = f"{shown} line "
        first = True
        for line, text in _lines(handle, problems, prefix=f"{shown}: "):
            where = f"{prefix}{line}: "
            if form == "beir":
                columns = text.split("\t")
                if first and [c.strip().lower() for c in columns] == [
                        "query-id", "corpus-id", "score"]:
                    first = False
                    continue
                shape = "query-id, corpus-id, score separated by tabs"
                expected = 3
            else:
                columns = text.split()
                shape = "qid 0 docno rel"
                expected = 4
            first = False
            if len(columns) != expected:
                problems.add(line, f"{where}expected {expected} columns ({shape}), "
                                   f"found {len(columns)}")
                continue
            query, doc, value = columns[0], columns[-2], columns[-1]
            grade = _grade(value)
            if grade is None:
                problems.add(line, f"{where}grade {_shown_value(value)} is not a whole number")
                continue
            grades = judgements.setdefault(query, {})
            if doc in grades:
                problems.add(line, f"{where}document {doc!r} of query {query!r} is judged "
                                   "again: the first judgement counts")
                continue
            grades[doc] = grade
        return judgements


class _Top:
    """The best ``CUT`` documents of one query read so far, and how many were read."""

    __slots__ = ("count", "docs", "entries")

    def __init__(self) -> None:
        self.entries: List[Tuple[Any, ...]] = []  # (order key ..., docno), best first
        self.docs: set[str] = set()
        self.count = 0

    def add(self, key: Tuple[Any, ...], doc: str) -> bool:
        """Take a document; false when it repeats one kept (and it is left out)."""
        if doc in self.docs:
            return False
        self.count += 1
        entries = self.entries
        if len(entries) == CUT and key >= entries[-1]:
            return True
        bisect.insort(entries, key)
        self.docs.add(doc)
        if len(entries) > CUT:
            self.docs.discard(entries.pop()[-1])
        return True

    def ranking(self) -> List[str]:
        return [entry[-1] for entry in self.entries]


def _trec(handle: BinaryIO, size: int, shown: str, judgements: Judgements,
          problems: Problems, advance: Advance) -> RetrievalFacts:
    tops: Dict[str, _Top] = {}
    for line, text in _lines(handle, problems):
        if line & 0xFFFF == 0:
            advance(handle.tell(), size)
        columns = text.split()
        if len(columns) != 6:
            problems.add(line, f"expected 6 columns (qid Q0 docno rank score tag), "
                               f"found {len(columns)}")
            continue
        query, _, doc, rank_text, score_text, _ = columns
        try:
            rank = int(rank_text)
        except ValueError:
            problems.add(line, f"rank {_shown_value(rank_text)} is not a whole number")
            continue
        try:
            score = float(score_text)
        except ValueError:
            score = math.nan
        if not math.isfinite(score):
            problems.add(line, f"score {_shown_value(score_text)} is not a finite number")
            continue
        top = tops.get(query)
        if top is None:
            top = tops[query] = _Top()
        # The spec's order: rank, then score descending, then document id ascending.
        if not top.add((rank, -score, doc), doc):
            problems.add(line, f"document {doc!r} appears again for query {query!r}: "
                               "it counts at its first place")
    return _facts(shown, "trec", tops, judgements, problems, True)


def _facts(shown: str, form: str, tops: Dict[str, _Top], judgements: Judgements,
           problems: Problems, complete: bool) -> RetrievalFacts:
    return summarise(shown, form, {query: top.ranking() for query, top in tops.items()},
                     {query: top.count for query, top in tops.items()}, judgements,
                     problems, complete)


# -- BEIR run JSON ---------------------------------------------------------------------------


class _Pairs(List[Tuple[str, Any]]):
    """A JSON object as its pairs in order, so that a repeated key is seen, not lost."""


def _beir(handle: BinaryIO, size: int, shown: str, judgements: Judgements,
          problems: Problems, advance: Advance) -> RetrievalFacts:
    import codecs

    tops: Dict[str, _Top] = {}
    decoder: Any = json.JSONDecoder(object_pairs_hook=_Pairs)
    scan = decoder.scan_once
    state = TextBuffer(handle, codecs.getincrementaldecoder("utf-8-sig")(), advance, size)
    line = 1

    def skip_space() -> str:
        """Move past white space; the next character, or "" at the end of the file."""
        nonlocal line
        while True:
            text, start = state.text, state.index
            index = start
            while index < len(text) and text[index] in " \t\r\n":
                index += 1
            line += text.count("\n", start, index)
            state.index = index
            if index < len(text):
                return text[index]
            if not state.more():
                return ""

    def value() -> Any:
        """The JSON value at the read position (read on while it may be cut off), or raise."""
        nonlocal line
        while True:
            try:
                found, end = scan(state.text, state.index)
            except (StopIteration, ValueError, RecursionError):
                if len(state.text) - state.index < MAX_RECORD_BYTES and state.more():
                    continue
                raise ValueError from None
            line += state.text.count("\n", state.index, end)
            state.index = end
            return found

    def stop(reason: str) -> RetrievalFacts:
        problems.add(line, reason)
        return _facts(shown, "beir", tops, judgements, problems, False)

    try:
        if skip_space() != "{":
            return stop("not a BEIR run (a JSON object of queries, each {document id: score})")
        state.index += 1
        after_item = False
        while True:
            state.trim()
            char = skip_space()
            if char == "}":
                break
            if after_item:
                if char != ",":
                    return stop("expected ',' or '}' between queries: reading stopped")
                state.index += 1
                skip_space()
            at = line
            key = value()
            if not isinstance(key, str):
                return stop("expected a query id in double quotes: reading stopped")
            if skip_space() != ":":
                return stop("expected ':' after the query id: reading stopped")
            state.index += 1
            skip_space()
            ranked = value()
            after_item = True
            if key in tops:
                problems.add(at, f"query {key!r} appears again: its first ranking counts")
                continue
            _beir_query(key, ranked, at, tops, problems)
    except (ValueError, UnicodeDecodeError):
        return stop("not valid JSON here: reading stopped")
    return _facts(shown, "beir", tops, judgements, problems, True)


def _beir_query(query: str, ranked: Any, line: int, tops: Dict[str, _Top],
                problems: Problems) -> None:
    if not isinstance(ranked, _Pairs):
        problems.add(line, f"the ranking of query {query!r} is not an object of "
                           "{document id: score}")
        return
    top = tops[query] = _Top()
    seen: set[str] = set()
    for doc, score in ranked:
        if doc in seen:
            problems.add(line, f"document {doc!r} appears again for query {query!r}: "
                               "its first score counts")
            continue
        seen.add(doc)
        if (isinstance(score, bool) or not isinstance(score, (int, float))
                or not math.isfinite(score)):
            problems.add(line, f"score of document {doc!r} of query {query!r} "
                               f"({_shown_value(score)}) is not a finite number: left out")
        # Score descending, then document id ascending (the spec's tie rule).
        else:
            top.add((-float(score), doc), doc)


__all__ = ["FORMS", "RetrievalFacts", "guess_form", "measure_run", "resolve_run"]
