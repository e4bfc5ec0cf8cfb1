"""Reading retrieval runs: per-query JSON Lines, TREC run + qrels, BEIR run JSON + qrels TSV.

Each reader streams its file and keeps, per query, only the top ``CUT`` documents and the
length of the ranking, so that a run of a hundred thousand queries a hundred deep fits in
memory. A line that cannot be read is counted as ``Malformed`` and reading goes on, as in the
other evidence readers; where a problem is in the qrels file, its reason begins with that
file's name, since the line number is one of the qrels file's.

Ranking is trec_eval's (measured-quality.md): by score, highest first, equal scores by
document id descending (compared as byte strings, which for UTF-8 is the order of the code
points); the rank column of a TREC run is ignored, as trec_eval ignores it. A JSON Lines run
has no scores: its list order is the ranking.

Scores are compared at trec_eval's precision: it keeps each score as a C ``float`` (32 bits),
so two scores that differ only beyond it are equal, and their order is the document ids'.

A document repeated within one query's ranking, which trec_eval refuses, is reported with both
lines and counted once, at its highest score. A TREC run written query by query (as runs are)
is read holding one query's documents at a time plus the best few of every query; a run whose
queries' lines are interleaved is read again, holding every query's document ids, so that a
repeat is found wherever it stands. A query id read twice in JSON Lines or BEIR (``1`` and
``"1"`` are the same id) keeps its first ranking.
"""

from __future__ import annotations

import heapq
import math
from typing import (
    Any,
    BinaryIO,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
)

from ..declaration.specs import RETRIEVAL_FORMATS, RETRIEVAL_QUERIES
from .readers import BLOCK_BYTES, MAX_RECORD_BYTES, Reader
from .retrieval_metrics import (
    CUT,
    KEEP,
    Judgements,
    Problems,
    Reading,
    RetrievalFacts,
    shown_value,
    single,
)
from .safety import MAX_FILE_BYTES, open_regular, resolve

FORMS = RETRIEVAL_FORMATS
# Enough of the start of a file to tell its form by.
HEAD_BYTES = 1 << 16

Advance = Callable[[int, int], None]


def _quiet(done: int, total: int) -> None:
    """No progress to show."""


def resolve_run(base: str, spec: Mapping[str, Any], root: str) -> Tuple[str, Optional[str]]:
    """The real paths of a declared run and of its qrels; raises ``Refused`` for either."""
    qrels = spec.get("qrels")
    return (resolve(base, str(spec["path"]), root),
            resolve(base, qrels, root) if isinstance(qrels, str) else None)


def measure_run(real: str, qrels: Optional[str], form: Optional[str], shown: str,
                qrels_shown: str = "qrels", advance: Advance = _quiet,
                averaged: str = "judged") -> Union[RetrievalFacts, str]:
    """The facts of the run at ``real`` (resolved paths), or the reason it is not a run.

    ``form`` is one of ``FORMS``, or None to guess it from the content; ``averaged`` one of
    ``RETRIEVAL_QUERIES`` (which judged queries the figures average). Raises ``Refused`` when a
    file is not a readable regular file.
    """
    if averaged not in RETRIEVAL_QUERIES:
        averaged = "judged"
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
        read = Reading(shown, form, problems, averaged)
        if form == "jsonl":
            return _jsonl(handle, identity.size, read, advance)
        if qrels is None:
            return (f"is a {form.upper()} run, whose relevance judgements are in another file: "
                    "name them beside the run, as in `rag.retrieval_eval.path: {path: RUN, "
                    "qrels: PATH}`, so that the run can be measured")
        judgements = _read_qrels(qrels, form, qrels_shown, _InQrels(problems, qrels_shown))
        if isinstance(judgements, str):
            return judgements
        read.judgements = judgements
        if form == "trec":
            return _trec(handle, identity.size, read, advance)
        from .beir_run import read_beir

        return read_beir(handle, identity.size, read, advance)


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
    """A relevance grade: a whole number, also when written ``1.0`` (trec_eval reads ``1.0``
    as 1); None for anything else (``0.5``, text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                value = float(value)
            except ValueError:
                return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


# -- per-query JSON Lines ------------------------------------------------------------------


def _jsonl(handle: BinaryIO, size: int, read: Reading, advance: Advance) -> RetrievalFacts:
    reader = Reader(handle, "jsonl", size, advance)
    problems = read.problems
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
                               f" of query {query!r} ({len(repeated)} repeats), which trec_eval "
                               "refuses: each counts once, at its first (highest) place")
        if grades:  # judged; a record with nothing in `relevant` is as a query without qrels
            read.judgements[query] = grades
        read.in_order(query, ranking[:CUT], len(ranking))
    return read.facts(reader.complete)


def _jsonl_record(record: Dict[str, Any]) -> Union[str, Tuple[str, List[str], Dict[str, int]]]:
    """A record's query id, ranking and grades, or why it cannot be read."""
    raw = next((record[key] for key in ("query_id", "qid", "query") if key in record), None)
    if raw is None:
        return "no query_id (nor qid, query)"
    query = _id(raw)
    if query is None:
        return f"query_id {shown_value(raw)} is not a string or a whole number"
    retrieved = record.get("retrieved")
    if not isinstance(retrieved, list):
        return "retrieved is not a list of document ids in rank order"
    docs = [_id(doc) for doc in retrieved]
    bad = next((index for index, doc in enumerate(docs) if doc is None), None)
    if bad is not None:
        return f"retrieved[{bad}] ({shown_value(retrieved[bad])}) is not a document id"
    relevant = record.get("relevant")
    grades: Dict[str, int] = {}
    if isinstance(relevant, list):
        for index, doc in enumerate(relevant):
            name = _id(doc)
            if name is None:
                return f"relevant[{index}] ({shown_value(doc)}) is not a document id"
            grades[name] = 1
    elif isinstance(relevant, dict):
        for doc, value in relevant.items():
            grade = None if isinstance(value, str) else _grade(value)
            if grade is None:
                return (f"the grade of relevant document {doc!r} ({shown_value(value)}) "
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


def _line_blocks(handle: BinaryIO, problems: Problems,
                 prefix: str = "") -> Iterator[Tuple[int, List[str]]]:
    """The lines of a text file a block at a time, as (number of the first, their texts); a
    line too long or not UTF-8 is reported and given as "". Blocks keep the per-line work of
    reading in C, and memory to a block and the longest line."""
    line = 1  # the number of the next line to give
    pending = b""  # the start of a line whose end is in a later block
    skipping = False  # inside a line too long to read
    block = handle.read(BLOCK_BYTES)
    if block.startswith(b"\xef\xbb\xbf"):
        block = block[3:]
    while block:
        parts = block.split(b"\n")
        if skipping:
            if len(parts) == 1:
                block = handle.read(BLOCK_BYTES)
                continue
            skipping = False  # the long line ends in this block
            del parts[0]
            line += 1
        else:
            parts[0] = pending + parts[0]
        pending = parts.pop()
        texts = _decoded(parts, line, problems, prefix)
        if len(pending) > MAX_RECORD_BYTES:
            problems.add(line + len(parts), _too_long(prefix))
            pending, skipping = b"", True
        yield line, texts
        line += len(parts)
        block = handle.read(BLOCK_BYTES)
    if pending and not skipping:
        yield line, _decoded([pending], line, problems, prefix)


def _too_long(prefix: str) -> str:
    return f"{prefix}longer than {MAX_RECORD_BYTES >> 20} MiB: not read"


def _decoded(parts: List[bytes], line: int, problems: Problems, prefix: str) -> List[str]:
    """The lines' texts; each one too long or not UTF-8 is reported, in order, and is ""."""
    if max(map(len, parts), default=0) <= MAX_RECORD_BYTES:
        try:
            return b"\n".join(parts).decode("utf-8").split("\n")
        except UnicodeDecodeError:
            pass
    texts: List[str] = []
    for index, part in enumerate(parts):  # a line at a time, to say which ones
        if len(part) > MAX_RECORD_BYTES:
            problems.add(line + index, _too_long(prefix))
            texts.append("")
            continue
        try:
            texts.append(part.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problems.add(line + index,
                         f"{prefix}not valid UTF-8 (byte {exc.start + 1} of the line)")
            texts.append("")
    return texts


class _InQrels(Problems):
    """The problems of the judgements file, kept with the run's: each is placed in the qrels
    file (its line counted negative, which DA006 shows as the reason's own place), never at
    the run's line of the same number."""

    def __init__(self, run: Problems, shown: str) -> None:
        self.run = run
        self.lead = f"{shown}: "
        self.shown = shown

    def add(self, line: int, reason: str) -> None:
        if reason.startswith(self.lead):  # said by the block reader: name the line
            reason = f"{self.shown} line {line}: {reason[len(self.lead):]}"
        self.run.add(-line, reason)


def _read_qrels(real: str, form: str, shown: str,
                problems: Problems) -> Union[Judgements, str]:
    """The judgements of a qrels file (query -> document -> grade), or why not."""
    handle, identity = open_regular(real)
    with handle:
        if identity.size > MAX_FILE_BYTES:
            return f"has qrels {shown} larger than {MAX_FILE_BYTES >> 30} GiB: not read"
        judgements: Judgements = {}
        beir = form == "beir"
        shape, expected = (("query-id, corpus-id, score separated by tabs", 3) if beir else
                           ("qid 0 docno rel", 4))
        header = beir  # a BEIR qrels file may start with its column names
        for start, texts in _line_blocks(handle, problems, prefix=f"{shown}: "):
            for line, text in enumerate(texts, start):
                columns = text.strip().split("\t") if beir else text.split()
                if columns == [""] or not columns:
                    continue
                if header:
                    header = False
                    if [c.strip().lower() for c in columns] == ["query-id", "corpus-id", "score"]:
                        continue
                if len(columns) != expected:
                    problems.add(line, f"{shown} line {line}: expected {expected} columns "
                                       f"({shape}), found {len(columns)}")
                    continue
                query, doc, value = columns[0], columns[-2], columns[-1]
                try:
                    grade: Optional[int] = int(value)
                except ValueError:
                    grade = _grade(value)
                if grade is None:
                    problems.add(line, f"{shown} line {line}: grade {shown_value(value)} is not "
                                       "a whole number (trec_eval reads 1.0 as 1, but a grade has"
                                       " no fraction)")
                    continue
                grades = judgements.get(query)
                if grades is None:
                    grades = judgements[query] = {}
                elif doc in grades:
                    problems.add(line, f"{shown} line {line}: document {doc!r} of query "
                                       f"{query!r} is judged again: the first judgement counts")
                    continue
                grades[doc] = grade
        return judgements


class _Top:
    """The best ``KEEP`` documents of one query read so far, worst first (a heap of
    (score, id, line)), and how many distinct documents were read."""

    __slots__ = ("count", "heap")

    def __init__(self) -> None:
        self.heap: List[Tuple[float, str, int]] = []
        self.count = 0

    def again(self, entry: Tuple[float, str, int]) -> None:
        """A document read again: it counts once, at the higher of its scores."""
        heap = self.heap
        doc = entry[1]
        for index, kept in enumerate(heap):
            if kept[1] == doc:
                if entry[0] > kept[0]:
                    heap[index] = entry
                    heapq.heapify(heap)
                return
        # Not kept: its first score was below the best KEEP, and the second may not be.
        if len(heap) < KEEP:
            heapq.heappush(heap, entry)
        elif entry > heap[0]:
            heapq.heapreplace(heap, entry)


def _trec(handle: BinaryIO, size: int, read: Reading, advance: Advance) -> RetrievalFacts:
    problems = read.problems
    before = (problems.count, list(problems.first))  # the qrels file's
    if not _trec_pass(handle, size, read, advance, grouped=True):
        # A query's lines came back after another query's: read again, keeping the best few
        # documents of every query until the end.
        handle.seek(0)
        read.restart(*before)
        _trec_pass(handle, size, read, advance, grouped=False)
    return read.facts(True)


def _trec_pass(handle: BinaryIO, size: int, read: Reading, advance: Advance,
               grouped: bool) -> bool:
    """Read a TREC run; with ``grouped``, score each query when its lines end, and give up
    (false) when a query's lines come back after another's."""
    problems = read.problems
    tops: Dict[str, _Top] = {}
    # The line of every document of the query being read: what a repeat is checked against;
    # not grouped, every query's, kept to the end.
    seens: Dict[str, Dict[str, int]] = {}
    current: Optional[str] = None
    top = _Top()
    seen: Dict[str, int] = {}
    push, replace = heapq.heappush, heapq.heapreplace
    held = single()  # one C float: a score stored in it reads back at trec_eval's precision
    for start, texts in _line_blocks(handle, problems):
        advance(handle.tell(), size)
        # The loop of a run of a million lines: kept to what each line needs.
        for line, text in enumerate(texts, start):
            try:
                query, _, doc, _, score_text, _ = text.split()  # the rank is not read
            except ValueError:
                found = len(text.split())
                if found:
                    problems.add(line, "expected 6 columns (qid Q0 docno rank score tag), "
                                       f"found {found}")
                continue
            try:
                score = float(score_text)
            except ValueError:
                score = math.nan
            if score - score != 0.0:  # NaN or infinite
                problems.add(line, f"score {shown_value(score_text)} is not a finite number")
                continue
            held[0] = score  # beyond a C float's range: infinite, as in trec_eval
            score = held[0]
            if query != current:
                if grouped:
                    if current is not None:
                        read.ranked(current, top.heap, top.count)
                    if query in read.scores:
                        return False
                    top, seen = _Top(), {}
                else:
                    kept = tops.get(query)
                    if kept is None:
                        top, seen = _Top(), {}
                        tops[query], seens[query] = top, seen
                    else:
                        top, seen = kept, seens[query]
                current = query
            entry = (score, doc, line)
            if doc in seen:
                problems.add(line, f"document {doc!r} of query {query!r} is also on line "
                                   f"{seen[doc]}: trec_eval refuses a repeated document; it "
                                   "counts once, at its higher score")
                top.again(entry)
                continue
            seen[doc] = line
            top.count += 1
            heap = top.heap
            if len(heap) < KEEP:
                push(heap, entry)
            elif entry > heap[0]:  # ids differ within a query: the line never decides
                replace(heap, entry)
    if grouped and current is not None:
        read.ranked(current, top.heap, top.count)
    for query, kept in tops.items():
        read.ranked(query, kept.heap, kept.count)
    return True


__all__ = ["FORMS", "RetrievalFacts", "guess_form", "measure_run", "resolve_run"]
