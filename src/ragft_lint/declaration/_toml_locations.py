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
  ``str.find``; no regular expressions are used.
* Only the standard library's built-in ``str`` methods are used, so importing
  this module costs next to nothing.
"""

from __future__ import annotations

__all__ = ["locate"]

# A bare key ends at any of these.  TOML bare keys are ``[A-Za-z0-9_-]+``; the
# set is written as "what stops a key" rather than "what is allowed" so that
# the scanner always moves forward whatever it meets.
_BARE_KEY_STOP = frozenset(" \t\r\n.=[]{},#\"'")

# Non-string scalars (numbers, booleans, dates and times) never contain any of
# these, and one of them (or the end of the text) always follows such a value.
# A space cannot be used as a stop: ``1979-05-27 07:32:00`` is one value.
_SCALAR_STOP = frozenset(",]}#\r\n")

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
    scanner = _Scanner(text)
    try:
        return scanner.run()
    except (IndexError, KeyError):  # ran past the end, or a bad escape
        raise ValueError("not a valid TOML document") from None


class _LineIndex:
    """Converts string offsets to 1-based (line, column) pairs.

    The scanner asks for offsets in nearly increasing order (it only steps
    back within a header line), so a cursor that walks from the previous
    answer makes the total work linear in the number of lines.
    """

    __slots__ = ("_cursor", "_starts")

    def __init__(self, text: str) -> None:
        starts = [0]
        newline = text.find("\n")
        while newline >= 0:
            starts.append(newline + 1)
            newline = text.find("\n", newline + 1)
        self._starts = starts
        self._cursor = 0

    def position(self, offset: int) -> tuple[int, int]:
        starts = self._starts
        line = self._cursor
        last = len(starts) - 1
        while line < last and starts[line + 1] <= offset:
            line += 1
        while starts[line] > offset:
            line -= 1
        self._cursor = line
        return line + 1, offset - starts[line] + 1


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
    __slots__ = ("_found", "_lines", "_size", "_table_arrays", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._size = len(text)
        self._lines = _LineIndex(text)
        self._found: dict[tuple[str | int, ...], tuple[int, int, int, int]] = {}
        # Arrays of tables seen so far -> number of ``[[...]]`` elements.
        self._table_arrays: dict[tuple[str | int, ...], int] = {}

    # -- driver -----------------------------------------------------------

    def run(self) -> dict[tuple[str | int, ...], tuple[int, int, int, int]]:
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
        key_line, key_column = self._lines.position(key_at)
        if value_at == key_at:
            value_line, value_column = key_line, key_column
        else:
            value_line, value_column = self._lines.position(value_at)
        self._found[path] = (key_line, key_column, value_line, value_column)

    def _record_implicit(self, path: tuple[str | int, ...], key_at: int) -> None:
        if path not in self._found:
            self._record(path, key_at, key_at)

    # -- whitespace -------------------------------------------------------

    def _skip_trivia(self, index: int) -> int:
        """Skip whitespace, line breaks and comments."""
        text = self._text
        size = self._size
        while index < size:
            char = text[index]
            if char in " \t\r\n":
                index += 1
            elif char == "#":
                newline = text.find("\n", index)
                index = size if newline < 0 else newline + 1
            else:
                break
        return index

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
                end = index
                while end < size and text[end] not in _BARE_KEY_STOP:
                    end += 1
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
        stack: list[_Frame] = []
        while True:
            # ``index`` is at the first character of the value for ``path``.
            self._record(path, key_at, index)
            char = text[index]
            if char == "[":
                stack.append(_Frame(path, 0))
                index += 1
            elif char == "{":
                stack.append(_Frame(path, -1))
                index += 1
            else:
                index = self._scalar_end(index)

            # Find the start of the next value inside the open containers,
            # closing those that end on the way.
            while stack:
                frame = stack[-1]
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
        size = self._size
        end = index
        while end < size and text[end] not in _SCALAR_STOP:
            end += 1
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
