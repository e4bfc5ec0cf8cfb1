"""Reading evidence files record by record: JSON Lines, JSON arrays, CSV and Parquet.

A reader yields ``(line, item)`` pairs: ``item`` is a record (a dict) or, for a record that
cannot be read, a ``Malformed`` saying why; reading goes on after a bad JSON Lines or CSV
record so that every one of them is counted. Where the format leaves no way to go on (a JSON
array broken in the middle, bytes that are not UTF-8 in a CSV file), the reader stops and sets
``complete`` to false.

JSON Lines, the usual format of training sets, is read in large binary blocks, each decoded
once and parsed in place by the JSON module's C scanner, record after record, without
splitting it into lines first. A line longer than ``MAX_RECORD_BYTES`` is reported and skipped
without being held in memory.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO, Callable, Iterator, Optional, Tuple

from .measurements import Malformed

BLOCK_BYTES = 1 << 20
MAX_RECORD_BYTES = 8 << 20

Item = Tuple[int, Any]
# Called with the bytes (or rows) read so far and the total, after each block.
Advance = Callable[[int, int], None]


class ReaderUnavailable(Exception):
    """The optional library a format needs is not installed; the message names it."""


class Reader:
    """The records of one open evidence file, in one format."""

    def __init__(self, handle: BinaryIO, fmt: str, size: int, advance: Advance, *,
                 start_of_file: bool = True) -> None:
        self.handle = handle
        self.fmt = fmt
        self.size = size
        self.advance = advance
        self.complete = True
        self.unit = "row" if fmt == "parquet" else "line"
        # False when ``handle`` reads a stretch of JSON Lines that starts later in the file,
        # where a byte order mark is not one.
        self.start_of_file = start_of_file
        # The lines read, once JSON Lines are read to the end.
        self.lines = 0

    def items(self) -> Iterator[Item]:
        if self.fmt == "jsonl":
            return self._jsonl()
        if self.fmt == "json":
            return self._json_array()
        if self.fmt == "csv":
            return self._csv()
        return self._parquet()

    # -- JSON Lines ------------------------------------------------------------------------

    def _jsonl(self) -> Iterator[Item]:
        scan = _scanner()
        read = self.handle.read
        advance, size = self.advance, self.size
        line = 0
        done = 0
        rest = b""
        skipping = False  # inside a line too long to hold
        while True:
            chunk = read(BLOCK_BYTES)
            if not chunk:
                break
            if done == 0 and self.start_of_file and chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]
            done += len(chunk)
            advance(done, size)
            if skipping:
                newline = chunk.find(b"\n")
                if newline < 0:
                    continue
                chunk = chunk[newline + 1:]
                skipping = False
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n") + 1
            if rest and cut:
                # Only the line carried over from earlier blocks can be longer than a block.
                first = data.find(b"\n")
                if first > MAX_RECORD_BYTES:
                    line += 1
                    yield line, Malformed(line, _too_long())
                    data = data[first + 1:]
                    cut -= first + 1
            rest = data[cut:]
            if len(rest) > MAX_RECORD_BYTES:
                # Report the long line after the complete lines before it.
                cut_lines = data[:cut]
                yield from self._jsonl_block(cut_lines, line, scan)
                line += cut_lines.count(b"\n") + 1
                yield line, Malformed(line, _too_long())
                rest = b""
                skipping = True
                continue
            if cut:
                block = data[:cut]
                yield from self._jsonl_block(block, line, scan)
                line += block.count(b"\n")
        if rest and not skipping:
            yield from self._jsonl_block(rest + b"\n", line, scan)
            line += 1
        self.lines = line

    def _jsonl_block(self, block: bytes, line: int, scan: Any) -> Iterator[Item]:
        """The records of complete lines (``block`` ends with a newline) after ``line``."""
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            yield from self._jsonl_lines_one_by_one(block, line, scan)
            return
        find = text.find
        index = 0
        end_of_text = len(text)
        while index < end_of_text:
            line += 1
            try:
                value, end = scan(text, index)
            except (StopIteration, ValueError, RecursionError):
                end = -1
            # The common case: one record, then the end of its line. A record that ran on
            # over several lines (the scanner skips newlines inside a value) is not one line
            # of JSON Lines, so it goes the slow way too, one line at a time.
            if end >= 0 and find("\n", index, end) < 0:
                after = text[end]
                if after == "\n" or (after == "\r" and text[end + 1] == "\n"):
                    index = end + (1 if after == "\n" else 2)
                    if value.__class__ is dict:
                        yield line, value
                    else:
                        yield line, Malformed(line, _not_a_record(value))
                    continue
            newline = find("\n", index)
            item = _parse_line(text[index:newline], line)
            index = newline + 1
            if item is not None:
                yield line, item

    def _jsonl_lines_one_by_one(self, block: bytes, line: int, scan: Any) -> Iterator[Item]:
        """The slow way through a block holding bytes that are not UTF-8: line by line."""
        for raw in block.split(b"\n")[:-1]:
            line += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield line, Malformed(line, f"not valid UTF-8 (byte {exc.start + 1} of the line)")
                continue
            item = _parse_line(text, line)
            if item is not None:
                yield line, item

    # -- JSON arrays -----------------------------------------------------------------------

    def _json_array(self) -> Iterator[Item]:
        import codecs

        scan = _scanner()
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        state = TextBuffer(self.handle, decoder, self.advance, self.size)
        line = 1  # the line of position state.index

        def skip_space() -> None:
            nonlocal line
            while True:
                start = state.index
                text = state.text
                index = start
                while index < len(text) and text[index] in " \t\r\n":
                    index += 1
                line += text.count("\n", start, index)
                state.index = index
                if index < len(text) or not state.more():
                    return

        try:
            skip_space()
            if state.index >= len(state.text):
                self.complete = False
                yield line, Malformed(line, "empty file, not a JSON array of records")
                return
            if state.text[state.index] != "[":
                self.complete = False
                yield line, Malformed(line, "not a JSON array of records (a JSON Lines file "
                                            "ends in .jsonl, or declares format: jsonl)")
                return
            state.index += 1
            skip_space()
            if state.text[state.index:state.index + 1] == "]":
                state.index += 1
            else:
                while True:
                    value = None
                    while True:
                        try:
                            value, end = scan(state.text, state.index)
                            break
                        except (StopIteration, ValueError, RecursionError) as exc:
                            if (len(state.text) - state.index < MAX_RECORD_BYTES
                                    and state.more()):
                                continue  # the element may just be cut off: read on
                            self.complete = False
                            position = getattr(exc, "pos", state.index)
                            where = line + state.text.count("\n", state.index, position)
                            yield where, Malformed(where, _json_error(exc))
                            return
                    yield line, (value if value.__class__ is dict
                                 else Malformed(line, _not_a_record(value)))
                    line += state.text.count("\n", state.index, end)
                    state.index = end
                    state.trim()
                    skip_space()
                    following = state.text[state.index:state.index + 1]
                    state.index += 1
                    if following == ",":
                        skip_space()
                        continue
                    if following == "]":
                        break
                    self.complete = False
                    yield line, Malformed(line, "expected ',' or ']' after a record")
                    return
            skip_space()
            if state.index < len(state.text):
                yield line, Malformed(line, "extra data after the array")
        except UnicodeDecodeError:
            self.complete = False
            yield line, Malformed(line, "not valid UTF-8")

    # -- CSV -------------------------------------------------------------------------------

    def _csv(self) -> Iterator[Item]:
        import csv
        import io

        # Bytes that are not UTF-8 are kept apart (as lone surrogates) so that the rows holding
        # them are reported one by one and the others are still read.
        text = io.TextIOWrapper(self.handle, encoding="utf-8-sig", errors="surrogateescape",
                                newline="")
        reader = csv.reader(text)
        try:
            try:
                header = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.complete = False
                yield 1, Malformed(1, f"the header cannot be read: {exc}")
                return
            start = reader.line_num + 1
            rows = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield reader.line_num, Malformed(reader.line_num, str(exc))
                    if reader.line_num < start:  # no progress: give up rather than loop
                        self.complete = False
                        return
                    start = reader.line_num + 1
                    continue
                line, start = start, reader.line_num + 1
                rows += 1
                if rows % 4096 == 0:
                    self.advance(self.handle.tell(), self.size)
                if not row:
                    continue
                try:
                    "".join(row).encode("utf-8")
                except UnicodeEncodeError:
                    yield line, Malformed(line, "not valid UTF-8")
                    continue
                if len(row) != len(header):
                    yield line, Malformed(line, f"{len(row)} fields where the header has "
                                                f"{len(header)}")
                else:
                    yield line, dict(zip(header, row))
        finally:
            text.detach()

    # -- Parquet ---------------------------------------------------------------------------

    def _parquet(self) -> Iterator[Item]:
        import importlib

        try:
            parquet: Any = importlib.import_module("pyarrow.parquet")
        except ImportError:
            raise ReaderUnavailable("pyarrow") from None
        row = 0
        try:
            document = parquet.ParquetFile(self.handle)
            total = document.metadata.num_rows
            for batch in document.iter_batches(batch_size=4096):
                for record in batch.to_pylist():
                    row += 1
                    yield row, record
                self.advance(row, total)
        except Exception as exc:  # pyarrow's errors have no common base worth naming
            self.complete = False
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            yield row + 1, Malformed(row + 1, f"cannot be read as Parquet: {first}")


class TextBuffer:
    """Decoded text of a file read a block at a time, with a read position."""

    def __init__(self, handle: BinaryIO, decoder: Any, advance: Advance, size: int) -> None:
        self.handle = handle
        self.decoder = decoder
        self.advance = advance
        self.size = size
        self.done = 0
        self.text = ""
        self.index = 0
        self.eof = False

    def more(self) -> bool:
        """Read the next block onto the text; false at the end of the file."""
        if self.eof:
            return False
        chunk = self.handle.read(BLOCK_BYTES)
        self.done += len(chunk)
        self.advance(self.done, self.size)
        if not chunk:
            self.eof = True
            self.text += self.decoder.decode(b"", True)
            return False
        self.text += self.decoder.decode(chunk)
        return True

    def trim(self) -> None:
        """Forget the text already read, once there is enough of it to be worth a copy."""
        if self.index > BLOCK_BYTES:
            self.text = self.text[self.index:]
            self.index = 0


def _scanner() -> Any:
    """The JSON module's scanner: one value at a given position of a text (C where built)."""
    decoder: Any = json.JSONDecoder()
    return decoder.scan_once


def _parse_line(text: str, line: int) -> Optional[Any]:
    """A line the fast path could not take: a record, a ``Malformed``, or None when blank."""
    stripped = text.strip()
    if not stripped:
        return None
    try:
        value = json.loads(stripped)
    except RecursionError:
        return Malformed(line, "not valid JSON: nested too deeply")
    except ValueError as exc:
        return Malformed(line, _json_error(exc, len(text) - len(text.lstrip())))
    if value.__class__ is dict:
        return value
    return Malformed(line, _not_a_record(value))


def _json_error(exc: BaseException, offset: int = 0) -> str:
    if isinstance(exc, RecursionError):
        return "not valid JSON: nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} (column {exc.colno + offset})"
    return "not valid JSON: no value where a record should start"


def _not_a_record(value: Any) -> str:
    kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null",
             int: "a number", float: "a number"}
    return f"{kinds.get(type(value), 'a value')}, not a record (a JSON object)"


def _too_long() -> str:
    return f"longer than {MAX_RECORD_BYTES >> 20} MiB: not read"
