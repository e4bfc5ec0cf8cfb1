"""Reading a BEIR run: a JSON object of queries, each an object of {document id: score}.

Read as a stream, one query's object at a time, so that memory holds the largest query plus
the best few documents of each (``retrieval_metrics.KEEP``). A document repeated within a
query's object counts once, at its highest score; a query id repeated keeps its first ranking.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import math
from typing import Any, BinaryIO, Callable, Dict, List, Tuple

from .readers import MAX_RECORD_BYTES, TextBuffer
from .retrieval_metrics import KEEP, Reading, RetrievalFacts, shown_value, single

Advance = Callable[[int, int], None]


class _Pairs(List[Tuple[str, Any]]):
    """A JSON object as its pairs in order, so that a repeated key is seen, not lost."""


def read_beir(handle: BinaryIO, size: int, read: Reading, advance: Advance) -> RetrievalFacts:
    import codecs

    problems = read.problems
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
        return read.facts(False)

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
            if key in read.scores:
                problems.add(at, f"query {key!r} appears again: its first ranking counts")
                continue
            _beir_query(key, ranked, at, read)
    except (ValueError, UnicodeDecodeError):
        return stop("not valid JSON here: reading stopped")
    return read.facts(True)


def _beir_query(query: str, ranked: Any, line: int, read: Reading) -> None:
    problems = read.problems
    if not isinstance(ranked, _Pairs):
        problems.add(line, f"the ranking of query {query!r} is not an object of "
                           "{document id: score}")
        return
    scores: Dict[str, float] = {}
    held = single()  # one C float: a score read back from it is the one trec_eval ranks by
    for doc, score in ranked:
        value = math.nan
        if not isinstance(score, bool) and isinstance(score, (int, float)):
            with contextlib.suppress(OverflowError):  # an integer past a double's range
                value = float(score)
        if not math.isfinite(value):
            problems.add(line, f"score of document {doc!r} of query {query!r} "
                               f"({shown_value(score)}) is not a finite number: left out")
            continue
        held[0] = value
        value = held[0]
        if doc in scores:
            problems.add(line, f"document {doc!r} appears again for query {query!r}, which "
                               "trec_eval refuses: it counts once, at its higher score")
            scores[doc] = max(scores[doc], value)
            continue
        scores[doc] = value
    best = heapq.nlargest(KEEP, ((score, doc) for doc, score in scores.items()))
    read.ranked(query, best, len(scores))


__all__ = ["read_beir"]
