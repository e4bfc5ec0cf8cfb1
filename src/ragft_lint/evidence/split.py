"""Measuring a large JSON Lines file on every core: byte ranges read side by side.

A JSON Lines file of a few hundred megabytes takes seconds to parse, and one process uses one
core. Where forking is possible and safe (``parallel.can_fork``), such a file is cut into one
byte range per core, each starting just after a newline, and each range is measured by its
own process (this one takes the first); the parts are then joined (``measure.join``) into
exactly what measuring the file in one piece gives: the same counts, the same first examples,
the same line numbers, duplicates and shared inputs across the ranges included.

Every process reads its range with ``os.pread`` on the one file descriptor opened (and
checked) for the file, so that nothing is opened twice and no process moves another's read
position; each streams its range a block at a time, so memory stays that of one process per
core. A child that fails in any way only costs time: this process then measures its range.
Small files, and other formats (a CSV record or a JSON array element may span lines), are
measured in one piece.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO, Callable, Dict, List, Optional, Tuple

from .. import parallel
from .layouts import Extract
from .measure import InputIndex, Part, Scan, join, tally
from .readers import Advance, Reader

# Below this size a file is measured in one piece: forking, and joining the parts, would
# cost more than the second core saves.
MIN_BYTES = 8 << 20
# Each range holds at least this much, so a file just over MIN_BYTES is not cut in many.
MIN_RANGE_BYTES = 4 << 20
# How far past a cut to look for the end of its line, a block at a time.
SEEK_BLOCK = 1 << 16


def ranges(fd: int, size: int, count: int) -> List[Tuple[int, int]]:
    """Up to ``count`` byte ranges covering ``[0, size)``, each but the first starting just
    after a newline; fewer when the lines are long enough to swallow a cut."""
    starts = [0]
    for number in range(1, count):
        cut = max(size * number // count, starts[-1] + 1)
        start = _line_start(fd, cut, size)
        if start >= size:
            break
        if start > starts[-1]:
            starts.append(start)
    ends = starts[1:] + [size]
    return list(zip(starts, ends))


def scan(handle: BinaryIO, size: int, extract: Extract, path: str, advance: Advance, *,
         duplicates: bool = False, index: bool = False,
         against: Optional[InputIndex] = None) -> Scan:
    """``measure.scan`` of the JSON Lines file open on ``handle`` (``size`` bytes), in byte
    ranges measured side by side where the file is large enough and the platform allows."""
    options: Dict[str, Any] = {"duplicates": duplicates, "index": index, "against": against}
    count = _processes(size)
    fd = handle.fileno()
    spans = ranges(fd, size, count) if count > 1 else []
    if len(spans) < 2:  # in one piece, the plain way (no os.pread on every platform)
        reader = Reader(handle, "jsonl", size, advance)
        return join([tally(reader, extract, **options)], path, "line")
    first_end = spans[0][1]

    def shown(done: int, total: int) -> None:  # this process's share, as a share of the file
        advance(done * size // max(first_end, 1), size)

    tasks: List[Callable[[], Part]] = [_measurer(fd, spans[0], size, extract, shown, options)]
    tasks += [_measurer(fd, span, size, extract, _quiet, options) for span in spans[1:]]
    parts = parallel.side_by_side(tasks)
    return join(parts, path, "line")


def _measurer(fd: int, span: Tuple[int, int], size: int, extract: Extract, advance: Advance,
              options: Any) -> Callable[[], Part]:
    """What measures one range: in this process, or in a child that sends its part back."""
    start, end = span

    def measure() -> Part:
        reader = Reader(_Range(fd, start, end), "jsonl", size, advance,  # type: ignore[arg-type]
                        start_of_file=start == 0)
        part = tally(reader, extract, **options)
        if os.getpid() != parent and part.seen is not None:
            # Sent back through a pipe: two arrays of machine integers pickle, and unpickle,
            # far faster than a dict of as many Python ints.
            from array import array

            part = part._replace(seen=(array("q", part.seen), array("q", part.seen.values())))
        return part

    parent = os.getpid()
    return measure


class _Range:
    """The bytes ``[start, end)`` of an open file, read with ``os.pread`` (no shared offset)."""

    def __init__(self, fd: int, start: int, end: int) -> None:
        self.fd = fd
        self.position = start
        self.end = end

    def read(self, size: int = -1) -> bytes:
        left = self.end - self.position
        if left <= 0:
            return b""
        wanted = left if size < 0 else min(size, left)
        data = os.pread(self.fd, wanted, self.position)
        self.position += len(data)
        if not data:  # the file shrank while being read: stop where it ends
            self.end = self.position
        return data


def _line_start(fd: int, cut: int, size: int) -> int:
    """The offset just after the first newline at or after ``cut - 1`` (``size`` if none)."""
    position = cut - 1
    while position < size:
        block = os.pread(fd, SEEK_BLOCK, position)
        if not block:
            return size
        newline = block.find(b"\n")
        if newline >= 0:
            return position + newline + 1
        position += len(block)
    return size


def _processes(size: int) -> int:
    """How many processes a file of ``size`` bytes is measured by: one below ``MIN_BYTES``,
    or where forking is not possible or safe; else one per core, each with at least
    ``MIN_RANGE_BYTES``."""
    if size < MIN_BYTES or not hasattr(os, "pread") or not parallel.can_fork():
        return 1
    return max(1, min(parallel.cores(), size // MIN_RANGE_BYTES))


def _quiet(done: int, total: int) -> None:
    """A child's progress: only this process writes to the terminal."""
