"""Source positions for the keys and values of an already-parsed TOML document.

Why this module exists: ``tomllib`` (Python 3.11+) and its backport ``tomli``
turn TOML text into plain Python objects and throw away where each piece came
from.  ragft-lint reports every finding as ``path:line:column``, so once the
real parser has accepted a document we scan the same text a second time with
the small tokenizer below and note where every key and every value starts.

Design notes:

* The scanner trusts its input.  It is meant to run only on text that
  ``tomllib``/``tomli`` parsed without error, and it validates nothing beyond
  what it needs to stay in step with the grammar.  On invalid text it still
  terminates: it either raises :class:`ValueError` or returns positions that
  mean nothing.
* One forward pass, linear in the size of the text (plus the size of the
  result: each key path is a tuple, so a path ``d`` levels deep costs ``d``).
  Nested arrays and inline tables live on an explicit stack, so deep nesting
  cannot hit the interpreter's recursion limit.  Strings are skipped with
  ``str.find``; bare keys, plain scalars, comments and the usual one-line
  shapes (``name = value``, a one-line inline table or array of simple
  values) are each taken by one precompiled regular expression (``re`` is
  imported by the TOML parsers anyway, so this costs nothing at start-up).
* The scan notes offsets; ``Positions`` turns one into a line and a column
  (by bisecting the line starts) only when it is looked up.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Dict, Iterator, Mapping, Optional, Tuple, Union

__all__ = ["Positions", "locate", "scan"]

# A bare key runs up to any of these.  TOML bare keys are ``[A-Za-z0-9_-]+``;
# the class is written as "what stops a key" rather than "what is allowed" so
# that the scanner always moves forward whatever it meets.
_BARE_KEY = re.compile(r"""[^ \t\r\n.=\[\]{},#"']*""")

# Non-string scalars (numbers, booleans, dates and times) never contain any of
# these, and one of them (or the end of the text) always follows such a value.
# A space cannot be used as a stop: ``1979-05-27 07:32:00`` is one value.
_SCALAR = re.compile(r"[^,\]}#\r\n]*")

_TRIVIA_START = frozenset(" \t\r\n#")

# Fast paths for the shapes nearly every declaration is made of; anything else (dotted or
# quoted keys, multi-line arrays and strings, comments inside values) takes the general path.
_SIMPLE_KEY = re.compile(r"([A-Za-z0-9_-]+)[ \t]*=[ \t]*")
# A one-line string without escapes, or a plain scalar (number, boolean, date).
_ONE = r"""(?:"(?!"")[^"\\\n]*"|'(?!'')[^'\n]*'|[^,\]}#\r\n"'\[{ \t][^,\]}#\r\n]*)"""
_SIMPLE_VALUE = re.compile(_ONE)
# A one-line inline table or array of simple values (an array may sit in such a table):
# matched whole, then its keys and elements are found inside it.
_FLAT_ARRAY = rf"\[[ \t]*(?:{_ONE}[ \t]*,[ \t]*)*(?:{_ONE}[ \t]*)?\]"
_FLAT_PAIR = rf"[A-Za-z0-9_-]+[ \t]*=[ \t]*(?:{_ONE}|{_FLAT_ARRAY})"
_FLAT = re.compile(
    rf"\{{[ \t]*(?:{_FLAT_PAIR}[ \t]*(?:,[ \t]*{_FLAT_PAIR}[ \t]*)*)?\}}|{_FLAT_ARRAY}"
)
_PAIR_IN_FLAT = re.compile(rf"([A-Za-z0-9_-]+)[ \t]*=[ \t]*({_ONE}|{_FLAT_ARRAY})")
_NEXT_IN_TABLE = re.compile(r"[ \t]*(?:,[ \t]*)?(?:(\})|([A-Za-z0-9_-]+)[ \t]*=[ \t]*)")
_NEXT_IN_ARRAY = re.compile(r"[ \t]*(?:,[ \t]*)?(?:(\])|(?![ \t\r\n#,\]]))")
# Whitespace, line breaks and comments.
_TRIVIA = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")

_SIMPLE_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",  # TOML 1.1
    '"': '"',
    "\\": "\\",
}

# Number of hex digits after ``\x`` (TOML 1.1), ``\u`` and ``\U``.
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def locate(text: str) -> dict[tuple[str | int, ...], tuple[int, int, int, int]]:
    """Map each key path to (key_line, key_column, value_line, value_column), all 1-based.

    ``text`` must be a TOML document that ``tomllib``/``tomli`` has already
    parsed successfully.  The returned keys are exactly the paths of every
    table, key and array element in the parsed document: strings for table
    keys (unescaped, as the parser produces them) and ints for array indices,
    including arrays of tables (``[[a]]`` gives ``("a",)``, ``("a", 0)``, ...).

    Positions:

    * key/value pair: the start of the key text (the opening quote of a
      quoted key; for a dotted key, the start of that key's own segment) and
      the first character of the value token;
    * table from a ``[a.b]`` or ``[[a.b]]`` header: key position is the last
      key of the header, value position is the header's first ``[``.  The
      array created by the first ``[[a.b]]`` header gets that header's
      positions too;
    * table created implicitly (``a`` in ``[a.b]`` or ``a.b = 1``): key and
      value position are both the first place where its key appears.  If a
      ``[a]`` header appears later, the header's positions replace these;
    * array element: it has no key, so the key position equals the value
      position (the start of the element).

    Lines are counted by ``"\\n"`` only (a ``"\\r\\n"`` ending is one line
    break; other Unicode line separators inside strings are not), and columns
    in code points of the ``str``, a tab counting as one.

    Raises:
        ValueError: if the scanner runs off the end of the text or meets
            something it cannot step over, which only happens when the text is
            not valid TOML (invalid text is otherwise not detected).
    """
    return dict(Positions(text))


Path = Tuple[Union[str, int], ...]


def scan(text: str) -> Dict[Path, Tuple[int, int]]:
    """The key and value offsets of every path (what ``Positions`` is built from)."""
    try:
        return _Scanner(text).run()
    except (IndexError, KeyError):  # ran past the end, or a bad escape
        raise ValueError("not a valid TOML document") from None


class Positions(Mapping[Path, Tuple[int, int, int, int]]):
    """What ``locate`` returns, below ``prefix``, each position worked out when asked for.

    The scan itself notes offsets only; turning them into lines and columns costs as much
    again, and a check asks for the positions of only the keys its findings point at.
    ``offsets`` are those of ``scan(text)``, when already known. Raises ``ValueError`` as
    ``locate`` does, when it has to scan.
    """

    def __init__(self, text: str, prefix: Path = (),
                 offsets: Optional[Dict[Path, Tuple[int, int]]] = None) -> None:
        self._offsets = offsets if offsets is not None else scan(text)
        self._text = text
        self._prefix = prefix
        self._starts: list[int] = []

    def __getitem__(self, path: Path) -> Tuple[int, int, int, int]:
        key_at, value_at = self._offsets[self._prefix + tuple(path)]
        if not self._starts:
            self._starts = _line_starts(self._text)
        starts = self._starts
        key_line = bisect_right(starts, key_at)
        value_line = key_line if value_at == key_at else bisect_right(starts, value_at)
        return (key_line, key_at - starts[key_line - 1] + 1,
                value_line, value_at - starts[value_line - 1] + 1)

    def __iter__(self) -> Iterator[Path]:
        prefix, size = self._prefix, len(self._prefix)
        for path in self._offsets:
            if path[:size] == prefix:
                yield path[size:]

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _line_starts(text: str) -> list[int]:
    """Offsets at which each line starts (lines end at ``"\\n"`` only)."""
    starts = [0]
    newline = text.find("\n")
    while newline >= 0:
        starts.append(newline + 1)
        newline = text.find("\n", newline + 1)
    return starts


class _Frame:
    """An open array (``next_index >= 0``) or inline table (``next_index == -1``)."""

    __slots__ = ("next_index", "path")

    def __init__(self, path: tuple[str | int, ...], next_index: int) -> None:
        self.path = path
        self.next_index = next_index


def _unescape(body: str) -> str:
    """Decode the escape sequences of a basic-string key body."""
    if "\\" not in body:
        return body
    pieces: list[str] = []
    start = 0
    slash = body.find("\\")
    while slash >= 0:
        pieces.append(body[start:slash])
        code = body[slash + 1]
        width = _HEX_ESCAPES.get(code)
        if width is None:
            pieces.append(_SIMPLE_ESCAPES[code])
            start = slash + 2
        else:
            digits = body[slash + 2 : slash + 2 + width]
            pieces.append(chr(int(digits, 16)))
            start = slash + 2 + width
        slash = body.find("\\", start)
    pieces.append(body[start:])
    return "".join(pieces)


class _Scanner:
    __slots__ = ("_found", "_size", "_table_arrays", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._size = len(text)
        # Path -> (key offset, value offset); ``Positions`` makes lines and columns of them.
        self._found: dict[tuple[str | int, ...], tuple[int, int]] = {}
        # Arrays of tables seen so far -> number of ``[[...]]`` elements.
        self._table_arrays: dict[tuple[str | int, ...], int] = {}

    # -- driver -----------------------------------------------------------

    def run(self) -> dict[tuple[str | int, ...], tuple[int, int]]:
        text = self._text
        size = self._size
        table: tuple[str | int, ...] = ()
        index = self._skip_trivia(0)
        while index < size:
            if text[index] == "[":
                index, table = self._header(index)
            else:
                index = self._key_value(table, index)
            index = self._skip_trivia(index)
        return self._found

    # -- recording --------------------------------------------------------

    def _record(self, path: tuple[str | int, ...], key_at: int, value_at: int) -> None:
        self._found[path] = (key_at, value_at)

    def _record_implicit(self, path: tuple[str | int, ...], key_at: int) -> None:
        if path not in self._found:
            self._found[path] = (key_at, key_at)

    # -- whitespace -------------------------------------------------------

    def _skip_trivia(self, index: int) -> int:
        """Skip whitespace, line breaks and comments."""
        if index < self._size and self._text[index] not in _TRIVIA_START:
            return index
        return _TRIVIA.match(self._text, index).end()  # type: ignore[union-attr]

    def _skip_blank(self, index: int) -> int:
        """Skip spaces and tabs only."""
        text = self._text
        size = self._size
        while index < size and text[index] in " \t":
            index += 1
        return index

    # -- keys and headers -------------------------------------------------

    def _read_key(self, index: int) -> tuple[list[tuple[str, int]], int]:
        """Read a (possibly dotted) key; return its parts with their offsets.

        Blanks after the key are skipped too.
        """
        text = self._text
        size = self._size
        parts: list[tuple[str, int]] = []
        while True:
            index = self._skip_blank(index)
            start = index
            char = text[index]
            if char == '"':
                end = self._basic_string_end(index)
                parts.append((_unescape(text[index + 1 : end - 1]), start))
            elif char == "'":
                end = self._find(text, "'", index + 1) + 1
                parts.append((text[index + 1 : end - 1], start))
            else:
                end = _BARE_KEY.match(text, index).end()  # type: ignore[union-attr]
                if end == index:
                    raise ValueError(f"expected a key at offset {index}")
                parts.append((text[index:end], start))
            index = self._skip_blank(end)
            if index < size and text[index] == ".":
                index += 1
                continue
            return parts, index

    def _header(self, index: int) -> tuple[int, tuple[str | int, ...]]:
        """Handle ``[a.b]`` / ``[[a.b]]``; return the new index and table path."""
        bracket = index
        is_array = self._text.startswith("[[", index)
        parts, index = self._read_key(index + (2 if is_array else 1))
        index += 2 if is_array else 1  # the closing ``]`` or ``]]``

        arrays = self._table_arrays
        path: tuple[str | int, ...] = ()
        for name, key_at in parts[:-1]:
            path += (name,)
            self._record_implicit(path, key_at)
            count = arrays.get(path)
            if count is not None:  # a key inside the latest [[...]] element
                path += (count - 1,)

        name, key_at = parts[-1]
        path += (name,)
        if is_array:
            count = arrays.get(path, 0)
            if count == 0:
                self._record(path, key_at, bracket)
            arrays[path] = count + 1
            path += (count,)
        self._record(path, key_at, bracket)
        return index, path

    def _descend(
        self, base: tuple[str | int, ...], parts: list[tuple[str, int]]
    ) -> tuple[str | int, ...]:
        """Full path of a dotted key below ``base``, noting implicit tables."""
        path = base
        for name, key_at in parts[:-1]:
            path += (name,)
            self._record_implicit(path, key_at)
        return (*path, parts[-1][0])

    def _key_value(self, table: tuple[str | int, ...], index: int) -> int:
        simple = _SIMPLE_KEY.match(self._text, index)
        if simple is not None:  # the usual ``name = ...``
            return self._value((*table, simple.group(1)), index, simple.end())
        parts, index = self._read_key(index)
        path = self._descend(table, parts)
        index = self._skip_blank(index + 1)  # past ``=``
        return self._value(path, parts[-1][1], index)

    # -- values -----------------------------------------------------------

    def _value(self, path: tuple[str | int, ...], key_at: int, index: int) -> int:
        """Scan the value starting at ``index`` and everything nested in it.

        Returns the index just past the value.
        """
        text = self._text
        found = self._found
        stack: list[_Frame] = []
        while True:
            # ``index`` is at the first character of the value for ``path``.
            found[path] = (key_at, index)
            char = text[index]
            flat = _FLAT.match(text, index) if char == "[" or char == "{" else None
            if flat is not None:
                self._flat(path, flat.start(), flat.end())
                index = flat.end()
            elif char == "[":
                stack.append(_Frame(path, 0))
                index += 1
            elif char == "{":
                stack.append(_Frame(path, -1))
                index += 1
            else:
                simple = _SIMPLE_VALUE.match(text, index)
                index = simple.end() if simple is not None else self._scalar_end(index)

            # Find the start of the next value inside the open containers,
            # closing those that end on the way.
            while stack:
                frame = stack[-1]
                # The usual cases first, in one step: ``, name = `` or ``}`` in an inline
                # table on one line; ``, `` or ``]`` in an array on one line.
                if frame.next_index < 0:
                    simple = _NEXT_IN_TABLE.match(text, index)
                    if simple is not None:
                        if simple.group(1) is not None:
                            stack.pop()
                            index = simple.end()
                            continue
                        path = (*frame.path, simple.group(2))
                        key_at = simple.start(2)
                        index = simple.end()
                        break
                else:
                    simple = _NEXT_IN_ARRAY.match(text, index)
                    if simple is not None:
                        index = simple.end()
                        if simple.group(1) is not None:
                            stack.pop()
                            continue
                        path = (*frame.path, frame.next_index)
                        frame.next_index += 1
                        key_at = index
                        break
                index = self._skip_trivia(index)
                char = text[index]
                if char == ",":
                    index += 1
                elif char == "]" or char == "}":
                    stack.pop()
                    index += 1
                elif frame.next_index >= 0:  # array element
                    path = (*frame.path, frame.next_index)
                    frame.next_index += 1
                    key_at = index
                    break
                else:  # key/value pair inside an inline table
                    parts, index = self._read_key(index)
                    path = self._descend(frame.path, parts)
                    key_at = parts[-1][1]
                    index = self._skip_blank(index + 1)  # past ``=``
                    break
            else:
                return index

    def _flat(self, path: tuple[str | int, ...], start: int, end: int) -> None:
        """Note the keys and elements of a one-line table or array of simple values."""
        text = self._text
        found = self._found
        if text[start] == "[":
            for number, element in enumerate(_SIMPLE_VALUE.finditer(text, start + 1, end)):
                found[path + (number,)] = (element.start(), element.start())
            return
        for pair in _PAIR_IN_FLAT.finditer(text, start + 1, end):
            key_path = (*path, pair.group(1))
            value_at = pair.start(2)
            found[key_path] = (pair.start(1), value_at)
            if text[value_at] == "[":
                self._flat(key_path, value_at, pair.end(2))

    def _scalar_end(self, index: int) -> int:
        text = self._text
        char = text[index]
        if char == '"':
            if text.startswith('"""', index):
                return self._multiline_end(index, '"""')
            return self._basic_string_end(index)
        if char == "'":
            if text.startswith("'''", index):
                return self._multiline_end(index, "'''")
            return self._find(text, "'", index + 1) + 1
        end = _SCALAR.match(text, index).end()  # type: ignore[union-attr]
        if end == index:
            raise ValueError(f"expected a value at offset {index}")
        return end

    @staticmethod
    def _find(text: str, needle: str, start: int) -> int:
        found = text.find(needle, start)
        if found < 0:
            raise ValueError(f"unterminated string starting before offset {start}")
        return found

    @staticmethod
    def _escaped(text: str, quote: int, floor: int) -> bool:
        """Whether the character at ``quote`` is escaped by a backslash.

        Counts the run of backslashes right before it (not before ``floor``,
        the start of the string body): an odd run escapes it.  The run cannot
        belong to an earlier escape, because every escape ends with a
        character other than a backslash, so checks of different quotes look
        at disjoint runs and the total work stays linear.
        """
        start = quote
        while start > floor and text[start - 1] == "\\":
            start -= 1
        return (quote - start) % 2 == 1

    def _basic_string_end(self, index: int) -> int:
        """Index just past a one-line ``"..."`` string opened at ``index``."""
        text = self._text
        body = index + 1
        search = body
        while True:
            quote = self._find(text, '"', search)
            if not self._escaped(text, quote, body):
                return quote + 1
            search = quote + 1

    def _multiline_end(self, index: int, delimiter: str) -> int:
        """Index just past a ``\"\"\"...\"\"\"`` or ``'''...'''`` string."""
        text = self._text
        body = index + 3
        search = body
        mark = delimiter[0]
        while True:
            close = self._find(text, delimiter, search)
            if mark == '"' and self._escaped(text, close, body):
                search = close + 1
                continue
            # Up to two more quote marks right before the real closing
            # delimiter belong to the string (``""""`` is ``"`` + close).
            end = close + 3
            for _ in range(2):
                if end < self._size and text[end] == mark:
                    end += 1
            return end
