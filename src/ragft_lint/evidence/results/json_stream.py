"""A JSON document read as a stream: the elements of chosen arrays one at a time.

An eval tool's result file is one JSON document whose bulk is a single array of cases
(promptfoo's ``results.results``, inspect_ai's ``samples``, deepeval's ``testCases``). Reading
it whole takes several times its size in memory; here the file is read in chunks, each element
of a chosen array parsed alone (``json.JSONDecoder.raw_decode`` on a sliding buffer) and bounded
by ``MAX_RECORD_BYTES``, a few small values kept whole, every other value parsed and dropped
within the same bound (so a broken document is refused as reading it whole refuses it), and a
value over the bound stepped over by a scanner that minds strings and brackets without building
anything. Memory stays bounded by the largest element plus the buffer.

Problems of the document are a ``NotReadable`` in the words ``json_files.loads`` uses (line and
column, and whether the file is cut off); an element over the bound is a ``Malformed`` in its
place, skipped, and the rest is read.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, BinaryIO, Dict, FrozenSet, Iterable, Iterator, Tuple

from ..measurements import Malformed
from ..readers import MAX_RECORD_BYTES
from . import NotReadable

Path = Tuple[str, ...]
# In a wanted path, any element of an array: ``("reductions", EACH, "samples")`` streams the
# ``samples`` array of every element of ``reductions``.
EACH = "*"
# What ``Document`` yields: the path, the element's number in its array from 1 (0 for a value
# kept whole), and the element (or a ``Malformed`` in place of one over the bound).
Item = Tuple[Path, int, Any]

CHUNK = 1 << 18
_SPACE = re.compile(r"[ \t\n\r]*")
_OUTSIDE = re.compile(r'[\[\]{}"]')  # what changes the depth, or opens a string
_INSIDE = re.compile(r'["\\]')  # what ends a string, or escapes its next character
_COMMA = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")  # between two elements of an array
_SCALAR_END = re.compile(r"[ \t\n\r,\]}:]")
_NUMBER = frozenset("-0123456789")
_KINDS = {"[": "array", "{": "object", '"': "string"}


class Document:
    """The elements of the arrays at ``arrays`` and the values at ``values`` (paths of object
    keys from the top, ``EACH`` for every element of an array on the way) of the JSON document
    in ``handle``, in the order the file holds them.

    ``found`` tells, once read, what stood at each wanted path (``array``, ``object``,
    ``string`` or ``value``) and which objects on the way to them were there; a path absent
    from it is not in the document."""

    def __init__(self, handle: BinaryIO, arrays: Iterable[Path], values: Iterable[Path] = (),
                 what: str = "JSON", chunk: int = CHUNK, limit: int = MAX_RECORD_BYTES) -> None:
        self.arrays: FrozenSet[Path] = frozenset(arrays)
        self.values: FrozenSet[Path] = frozenset(values)
        wanted = self.arrays | self.values
        self.prefixes = frozenset(path[:i] for path in wanted for i in range(len(path)))
        self.found: Dict[Path, str] = {}
        self.what = what
        self.chunk = max(1, chunk)
        self.limit = limit
        self._read = handle.read
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._raw = json.JSONDecoder().raw_decode
        self.buf = ""
        self.pos = 0  # everything before it is read and may be dropped
        self.eof = False
        self._bytes = 0  # bytes read so far
        self._lines = 0  # newlines before the buffer
        self._column = 0  # characters of the buffer's first line before the buffer
        self._started = False  # a byte order mark is dropped from the first text only

    def __iter__(self) -> Iterator[Item]:
        yield from self._member(())
        if self._peek():
            raise self._error("Extra data", self.pos)

    # Reading ---------------------------------------------------------------------------------

    def _more(self, size: int) -> bool:
        """Read ``size`` more bytes (at least a chunk) onto the buffer, first dropping what is
        before ``pos``; false at the end of the file."""
        if self.eof:
            return False
        if self.pos:
            dropped = self.buf[:self.pos]
            newline = dropped.rfind("\n")
            self._column = (len(dropped) - newline - 1 if newline >= 0
                            else self._column + len(dropped))
            self._lines += dropped.count("\n")
            self.buf = self.buf[self.pos:]
            self.pos = 0
        data = self._read(max(size, self.chunk))
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise NotReadable(f"is not valid UTF-8 (byte {self._bytes - pending + exc.start + 1})"
                              ) from None
        self._bytes += len(data)
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):
                text = text[1:]
        self.buf += text
        if not data:
            self.eof = True
        return True

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end), ``pos`` at it."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more(self.chunk):
                return ""

    def _error(self, message: str, at: int) -> NotReadable:
        """What ``json_files.loads`` says of the same document, at ``at`` in the buffer."""
        newline = self.buf.rfind("\n", 0, at)
        line = self._lines + self.buf.count("\n", 0, at) + 1
        column = at - newline if newline >= 0 else self._column + at + 1
        cut = " (the file is cut off)" if self.eof and at >= len(self.buf.rstrip()) else ""
        return NotReadable(f"is not valid {self.what}: {message} at line {line} column "
                           f"{column}{cut}")

    # Values ----------------------------------------------------------------------------------

    def _member(self, path: Path) -> Iterator[Item]:
        """The wanted things in the value at ``pos``, which stands at ``path``."""
        first = self._peek()
        if not first:
            raise self._error("Expecting value", self.pos)
        if path in self.arrays or path in self.values:
            self.found[path] = _KINDS.get(first, "value")
            if first == "[" and path in self.arrays:
                yield from self._array(path)
                return
            if path in self.values:
                yield path, 0, self._value()
                return
        if first == "[" and path + (EACH,) in self.prefixes:
            self.found[path] = "array"
            yield from self._each(path)
            return
        if first == "{" and path in self.prefixes:
            self.found[path] = "object"
            yield from self._object(path)
        else:
            # Parsed and dropped, so that a document that is not JSON is refused as reading
            # it whole would refuse it; only one over the bound is merely stepped over.
            self._value()

    def _object(self, path: Path) -> Iterator[Item]:
        self.pos += 1
        if self._peek() == "}":
            self.pos += 1
            return
        while True:
            if self._peek() != '"':
                raise self._error("Expecting property name enclosed in double quotes",
                                  self.pos)
            key = self._value()
            if self._peek() != ":":
                raise self._error("Expecting ':' delimiter", self.pos)
            self.pos += 1
            # A key that reads as EACH is no element of an array: it stands for nothing wanted.
            yield from self._member(path + (key if isinstance(key, str) and key != EACH else "",))
            following = self._peek()
            self.pos += 1
            if following == "}":
                return
            if following != ",":
                raise self._error("Expecting ',' delimiter", self.pos - 1)

    def _each(self, path: Path) -> Iterator[Item]:
        """An array whose elements hold wanted paths (``EACH`` in them): each element is
        announced by ``(path, number, EACH)``, then walked for what it holds."""
        self.pos += 1
        if self._peek() == "]":
            self.pos += 1
            return
        number = 0
        inner = path + (EACH,)
        while True:
            number += 1
            yield path, number, EACH
            yield from self._member(inner)
            following = self._peek()
            self.pos += 1
            if following == "]":
                return
            if following != ",":
                raise self._error("Expecting ',' delimiter", self.pos - 1)

    def _array(self, path: Path) -> Iterator[Item]:
        self.pos += 1
        if self._peek() == "]":
            self.pos += 1
            return
        number = 0
        raw, limit, comma = self._raw, self.limit, _COMMA.match
        while True:
            number += 1
            buf, start = self.buf, self.pos
            if buf[start] in "{[":
                # The common case, made quick: an object or array wholly in the buffer, then
                # a comma before the next element. An object cannot parse when cut off, so a
                # failure here only means "not this way": the general path below decides.
                try:
                    value, end = raw(buf, start)
                except (ValueError, RecursionError):
                    end = -1
                if 0 <= end - start <= limit:
                    following_comma = comma(buf, end)
                    if following_comma is not None and following_comma.end() < len(buf):
                        self.pos = following_comma.end()
                        yield path, number, value
                        continue
                    self.pos = end
                    yield path, number, value
                else:
                    yield path, number, self._value()
            else:
                yield path, number, self._value()
            following = self._peek()
            self.pos += 1
            if following == "]":
                return
            if following != ",":
                raise self._error("Expecting ',' delimiter", self.pos - 1)
            self._peek()

    def _value(self) -> Any:
        """The value at ``pos`` parsed alone, or a ``Malformed`` if it is over the bound."""
        while True:
            start = self.pos
            if start >= len(self.buf):  # at the end of the file
                raise self._error("Expecting value", start)
            if (self.buf[start] in _NUMBER and not self.eof
                    and _SCALAR_END.search(self.buf, start) is None):
                # A number cut by the buffer parses as a shorter one: read on to its end.
                if len(self.buf) - start > self.limit:
                    self._skip()
                    return Malformed(0, self._too_long())
                self._more(2 * (len(self.buf) - start))
                continue
            try:
                value, end = self._raw(self.buf, start)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise self._error(exc.msg, exc.pos) from None
                if len(self.buf) - start > self.limit:
                    return self._oversized(exc)
                # Cut off by the buffer, most likely: read as much again and parse again, so a
                # large element costs a few parses, not one per chunk.
                self._more(2 * (len(self.buf) - start))
                continue
            except RecursionError:
                raise NotReadable(f"is not valid {self.what}: nested too deeply") from None
            if end >= len(self.buf) and not self.eof:  # a number may go on in the next chunk
                self._more(2 * (len(self.buf) - start))
                continue
            self.pos = end
            if end - start > self.limit:
                return Malformed(0, self._too_long())
            return value

    def _oversized(self, exc: json.JSONDecodeError) -> Any:
        """The value at ``pos`` failed to parse with more than the bound read: if it ends
        within the bound, it is broken (the document is not JSON), else it is skipped."""
        end = _scan(self.buf, self.pos, self.buf[self.pos])
        if end is not None and end - self.pos <= self.limit:
            raise self._error(exc.msg, exc.pos)
        self._skip()
        return Malformed(0, self._too_long())

    def _too_long(self) -> str:
        return f"longer than {self.limit >> 20} MiB: not read"

    def _skip(self) -> None:
        """Step over the value at ``pos`` without building it, reading on as needed."""
        first = self.buf[self.pos]
        if first not in _KINDS:  # a number or a literal: small, unless the file is hostile
            scanned = 0
            long = False
            while True:
                found = _SCALAR_END.search(self.buf, self.pos + scanned)
                if found is not None:
                    break
                scanned = len(self.buf) - self.pos
                if scanned > self.limit:  # not kept: only its end is looked for
                    long = True
                    self.pos, scanned = len(self.buf), 0
                if not self._more(self.chunk):
                    break
            if long:
                self.pos = len(self.buf) if found is None else found.start()
            else:
                self._value()  # checked as JSON, as json.loads would
            return
        depth = 0
        inside = False
        index = self.pos
        while True:
            buf = self.buf
            pattern = _INSIDE if inside else _OUTSIDE
            found = pattern.search(buf, index)
            while found is not None:
                mark = found.group()
                index = found.end()
                if inside:
                    if mark == "\\":
                        if index >= len(buf):  # the escaped character is in the next chunk
                            index -= 1
                            break
                        index += 1
                    else:
                        inside = False
                        if depth == 0:
                            self.pos = index
                            return
                        pattern = _OUTSIDE
                elif mark == '"':
                    inside = True
                    pattern = _INSIDE
                elif mark in "[{":
                    depth += 1
                else:
                    depth -= 1
                    if depth == 0:
                        self.pos = index
                        return
                found = pattern.search(buf, index)
            else:
                index = len(buf)
            self.pos = index
            if not self._more(self.chunk):
                message = "Unterminated string" if inside else "Expecting ',' delimiter"
                raise self._error(message, len(self.buf))
            index = self.pos


def _scan(buf: str, start: int, first: str) -> Any:
    """Where the value starting at ``start`` ends within ``buf``, or None if it goes on."""
    if first not in _KINDS:
        found = _SCALAR_END.search(buf, start)
        return None if found is None else found.start()
    depth = 0
    inside = False
    index = start
    while True:
        found = (_INSIDE if inside else _OUTSIDE).search(buf, index)
        if found is None:
            return None
        mark = found.group()
        index = found.end()
        if inside:
            if mark == "\\":
                index += 1
            else:
                inside = False
                if depth == 0:
                    return index
        elif mark == '"':
            inside = True
        elif mark in "[{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return index
