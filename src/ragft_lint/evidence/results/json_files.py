"""Result files in JSON and JSON Lines, read as hostile input.

Result files come from other people's runs: a JSON document is read whole only up to a size,
JSON Lines one bounded record at a time, and every problem is a reason in words (a
``NotReadable``, or a ``Malformed`` record counted and kept as an example) rather than an
exception.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO, Dict, Iterator, Tuple, Union

from ..measurements import Malformed
from ..readers import MAX_RECORD_BYTES
from . import NotReadable, Opener

# A JSON document parsed whole (an inspect_ai log; promptfoo and deepeval files are streamed by
# ``json_stream``) is bounded well below the file limit: the parsed objects take several times
# the bytes.
MAX_DOCUMENT_BYTES = 256 << 20
# What a document may take once parsed, told from its bytes before parsing (``parsed_size``):
# three bytes of ``{},`` become a 64-byte dict, so the bytes alone do not bound the memory.
MAX_PARSED_BYTES = 1 << 30


def parsed_size(data: bytes) -> int:
    """An upper estimate of the memory the JSON in ``data`` takes once parsed: every object,
    array and value (each brace, bracket and comma, counted wherever they stand) at the size
    of an empty dict, list or short string, plus the bytes themselves."""
    return (len(data) + 72 * data.count(b"{") + 64 * data.count(b"[")
            + 56 * data.count(b","))


def loads(data: bytes, what: str = "JSON", limit: int = MAX_PARSED_BYTES) -> Any:
    """One JSON document from bytes, or ``NotReadable`` saying where it breaks, or that it
    would take more than ``limit`` bytes once parsed (it is then not parsed)."""
    if parsed_size(data) > limit:
        raise NotReadable(f"holds {what} too large to read: parsed, it would take more than "
                          f"{limit >> 20} MiB of memory (its {len(data) >> 20} MiB are mostly "
                          "small objects, lists or values)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotReadable(f"is not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise NotReadable(f"is not valid {what}: nested too deeply") from None
    except json.JSONDecodeError as exc:
        cut = " (the file is cut off)" if exc.pos >= len(text.rstrip()) else ""
        raise NotReadable(f"is not valid {what}: {exc.msg} at line {exc.lineno} column "
                          f"{exc.colno}{cut}") from None


def document(path: str, open_: Opener) -> Any:
    """The JSON document in a file, read whole up to ``MAX_DOCUMENT_BYTES``."""
    with open_(path) as handle:
        data = handle.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise NotReadable(f"is larger than {MAX_DOCUMENT_BYTES >> 20} MiB, too large to read "
                          "as one JSON document")
    return loads(data)


class Lines:
    """The JSON values of a JSON Lines file, one bounded line at a time.

    A line may hold several values one after another: promptfoo writes batches that run
    together without a newline. ``complete`` is false when the last line is cut off.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.complete = True

    def __iter__(self) -> Iterator[Tuple[int, Union[Dict[str, Any], Malformed]]]:
        readline = self.handle.readline
        scan = _DECODER.scan_once  # what json.loads runs, without its two whitespace matches
        number = 0
        while True:
            raw = readline(MAX_RECORD_BYTES + 1)
            if not raw:
                return
            number += 1
            if number > 1 and len(raw) <= MAX_RECORD_BYTES:
                # The common line, one JSON value from its first character to the newline:
                # anything else (leading space, several values, a BOM, an error) is read again
                # the careful way, which says what is wrong with it.
                try:
                    text = raw.decode()
                    value, end = scan(text, 0)
                except (ValueError, StopIteration, RecursionError):
                    pass
                else:
                    if end == len(text) or text[end:].isspace():
                        if type(value) is dict:
                            yield number, value
                        else:
                            yield number, Malformed(number, "not a record (a JSON object)")
                        continue
            yield from self._values(raw, number)

    def _values(self, raw: bytes, number: int,
                ) -> Iterator[Tuple[int, Union[Dict[str, Any], Malformed]]]:
        """The values of one line, each problem a ``Malformed`` saying what it is."""
        if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest without holding it
                raw = self.handle.readline(1 << 20)
            yield number, Malformed(number, f"longer than {MAX_RECORD_BYTES >> 20} MiB: "
                                            "not read")
            return
        last = not raw.endswith(b"\n")
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
        except UnicodeDecodeError as exc:
            yield number, Malformed(number, f"not valid UTF-8 (byte {exc.start + 1})")
            return
        decoder = _DECODER
        index = 0
        while index < len(text):
            try:
                value, index = decoder.raw_decode(text, index)
            except RecursionError:
                yield number, Malformed(number, "not valid JSON: nested too deeply")
                return
            except json.JSONDecodeError as exc:
                if last:
                    self.complete = False
                yield number, Malformed(number, f"not valid JSON: {exc.msg} (column "
                                                f"{exc.colno})")
                return
            if isinstance(value, dict):
                yield number, value
            else:
                yield number, Malformed(number, "not a record (a JSON object)")
            while index < len(text) and text[index] in " \t\r":
                index += 1


_DECODER: Any = json.JSONDecoder()
