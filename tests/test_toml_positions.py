"""Tests for ragft_lint.declaration.toml_positions.locate."""

from __future__ import annotations

import contextlib
import datetime
import functools
import math
import random
import sys
from typing import Any, Iterator, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ragft_lint.declaration.toml_positions import locate

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


# ---------------------------------------------------------------------------
# helpers (deliberately written differently from the scanner under test)
# ---------------------------------------------------------------------------


def all_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every table key, key and array index path of a parsed document."""
    if isinstance(node, dict):
        for key, child in node.items():
            path = (*prefix, key)
            yield path
            yield from all_paths(child, path)
    elif isinstance(node, list):
        for number, child in enumerate(node):
            path = (*prefix, number)
            yield path
            yield from all_paths(child, path)


def lookup(document: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = document
    for part in path:
        node = node[part]
    return node


@functools.lru_cache(maxsize=4)
def line_starts(text: str) -> list[int]:
    starts = [0]
    for number, line in enumerate(text.split("\n")):
        starts.append(starts[number] + len(line) + 1)
    return starts


def to_offset(text: str, line: int, column: int) -> int:
    """Offset of a 1-based (line, column), lines split on "\\n" only."""
    starts = line_starts(text)
    assert 1 <= line < len(starts), (line, len(starts))
    assert 1 <= column <= starts[line] - starts[line - 1], (line, column)
    return starts[line - 1] + column - 1


def string_token(text: str, start: int) -> str:
    """The full source text of the TOML string starting at ``start``.

    A plain character-by-character scan, independent of the scanner's
    find-and-count-backslashes approach.
    """
    if text.startswith(('"""', "'''"), start):
        delimiter = text[start : start + 3]
        index = start + 3
        while True:
            if delimiter == '"""' and text[index] == "\\":
                index += 2
                continue
            if text.startswith(delimiter, index):
                end = index + 3
                while end < len(text) and text[end] == delimiter[0] and end - index < 5:
                    end += 1
                return text[start:end]
            index += 1
    quote = text[start]
    index = start + 1
    while True:
        if quote == '"' and text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            return text[start : index + 1]
        index += 1


BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def key_written_at(text: str, offset: int, key: str) -> bool:
    """Whether ``key`` (bare, literal- or basic-quoted) is written at ``offset``."""
    char = text[offset]
    if char == '"':
        token = string_token(text, offset)
        return list(tomllib.loads(token + " = 0")) == [key]
    if char == "'":
        return text.startswith("'" + key + "'", offset)
    end = offset + len(key)
    return (
        text.startswith(key, offset)
        and all(c in BARE for c in key)
        and (end == len(text) or text[end] not in BARE)
    )


def same_value(left: Any, right: Any) -> bool:
    if isinstance(left, float) and math.isnan(left):
        return isinstance(right, float) and math.isnan(right)
    return type(left) is type(right) and bool(left == right)


def value_written_at(text: str, offset: int, value: Any) -> bool:
    """Whether the source at ``offset`` is the start of a token for ``value``."""
    char = text[offset]
    if isinstance(value, dict):
        return char in "{["
    if isinstance(value, list):
        return char == "["
    if isinstance(value, str):
        token = string_token(text, offset)
    else:
        end = offset
        while end < len(text) and text[end] not in ",]}#\r\n":
            end += 1
        token = text[offset:end].strip()
    return same_value(tomllib.loads("v = " + token)["v"], value)


def check_document(text: str) -> dict[tuple[Any, ...], tuple[int, int, int, int]]:
    """The strong property: same paths as the parser, positions point at text."""
    document = tomllib.loads(text)
    found = locate(text)
    expected = set(all_paths(document))
    assert set(found) == expected, (
        f"missing: {sorted(map(str, expected - set(found)))}\n"
        f"extra: {sorted(map(str, set(found) - expected))}"
    )
    for path, (key_line, key_column, value_line, value_column) in found.items():
        key_at = to_offset(text, key_line, key_column)
        value_at = to_offset(text, value_line, value_column)
        value = lookup(document, path)
        last = path[-1]
        if isinstance(last, int):
            # An array element, or a [[table]] element (positioned at its header).
            if key_at == value_at:
                assert value_written_at(text, value_at, value), path
            else:
                assert text[value_at] == "[" and isinstance(value, dict), path
                name = path[-2]
                assert isinstance(name, str), path
                assert key_written_at(text, key_at, name), path
            continue
        assert key_written_at(text, key_at, last), (path, text[key_at : key_at + 20])
        if key_at == value_at:
            # Implicitly created table: positioned at its key.
            assert isinstance(value, dict), path
        else:
            assert value_written_at(text, value_at, value), (path, text[value_at : value_at + 20])
            if text[value_at] == "[" and isinstance(value, (dict, list)) and value_at < key_at:
                # Created by a header: the key is on the header's line.
                assert key_line == value_line, path
    return found


# ---------------------------------------------------------------------------
# exact positions
# ---------------------------------------------------------------------------

EXACT_CASES: list[tuple[str, str, tuple[Any, ...], tuple[int, int, int, int]]] = [
    ("simple", "a = 1", ("a",), (1, 1, 1, 5)),
    ("spacing", "  a   =   'x'", ("a",), (1, 3, 1, 11)),
    ("tabs count as one column", "\ta\t=\t1", ("a",), (1, 2, 1, 6)),
    ("no spaces", "a=true", ("a",), (1, 1, 1, 3)),
    ("second line", "a = 1\nb = 2", ("b",), (2, 1, 2, 5)),
    ("dotted first", "a.b.c = 1", ("a",), (1, 1, 1, 1)),
    ("dotted middle", "a.b.c = 1", ("a", "b"), (1, 3, 1, 3)),
    ("dotted last", "a.b.c = 1", ("a", "b", "c"), (1, 5, 1, 9)),
    ("spaces around dots", "a . b\t.  c = 1", ("a", "b", "c"), (1, 10, 1, 14)),
    ("dotted implicit keeps first place", "a.b = 1\na.c = 2", ("a",), (1, 1, 1, 1)),
    ("basic quoted key", '"my key" = 1', ("my key",), (1, 1, 1, 12)),
    ("literal quoted key", "'a.b' = 1", ("a.b",), (1, 1, 1, 9)),
    ("escaped key", '"t\\tab\\u00e9\\"" = 1', ('t\tabé"',), (1, 1, 1, 19)),
    ("empty quoted key", '"" = 1', ("",), (1, 1, 1, 6)),
    ("quoted part of dotted key", 'x."y.z".w = 1', ("x", "y.z", "w"), (1, 9, 1, 13)),
    ("numeric bare key", "1234 = 1", ("1234",), (1, 1, 1, 8)),
    ("float-looking dotted key", "3.14 = 1", ("3", "14"), (1, 3, 1, 8)),
    ("dashed key", "ragft-lint = 1", ("ragft-lint",), (1, 1, 1, 14)),
    ("header table", "[a.b]\nx = 1", ("a", "b"), (1, 4, 1, 1)),
    ("header implicit parent", "[a.b]\nx = 1", ("a",), (1, 2, 1, 2)),
    ("key under header", "[a.b]\nx = 1", ("a", "b", "x"), (2, 1, 2, 5)),
    ("header with blanks", "  [ a . 'b c' ]  # note\nx = 1", ("a", "b c"), (1, 9, 1, 3)),
    ("later explicit super-table", "[a.b]\n[a]\nc = 1", ("a",), (2, 2, 2, 1)),
    ("array of tables, array", "[[a.b]]\n[[a.b]]", ("a", "b"), (1, 5, 1, 1)),
    ("array of tables, first", "[[a.b]]\n[[a.b]]", ("a", "b", 0), (1, 5, 1, 1)),
    ("array of tables, second", "[[a.b]]\nx = 1\n[[a.b]]\nx = 2", ("a", "b", 1), (3, 5, 3, 1)),
    ("key in second element", "[[a.b]]\nx = 1\n[[a.b]]\nx = 2", ("a", "b", 1, "x"), (4, 1, 4, 5)),
    ("array of tables, blanks", "[[ t ]]", ("t", 0), (1, 4, 1, 1)),
    ("sub-table of element", "[[f]]\n[f.g]\n[[f]]\n[f.g]", ("f", 1, "g"), (4, 4, 4, 1)),
    ("nested arrays of tables", "[[f]]\n[[f.v]]\n[[f.v]]", ("f", 0, "v", 1), (3, 5, 3, 1)),
    ("array", "s = [1, 2]", ("s",), (1, 1, 1, 5)),
    ("array element", "s = [1, 2]", ("s", 1), (1, 9, 1, 9)),
    ("nested array", "s = [[1], [2, [3]]]", ("s", 1, 1, 0), (1, 16, 1, 16)),
    ("empty array", "s = []", ("s",), (1, 1, 1, 5)),
    (
        "multi-line array",
        "s = [\n  1, # one, two\n  # ] not the end\n  2,\n]\nt = 3",
        ("s", 1),
        (4, 3, 4, 3),
    ),
    ("after multi-line array", "s = [\n  1, # one\n  2,\n]\nt = 3", ("t",), (5, 1, 5, 5)),
    ("inline table", "t = {x = 1, y.z = 'q'}", ("t",), (1, 1, 1, 5)),
    ("inline dotted implicit", "t = {x = 1, y.z = 'q'}", ("t", "y"), (1, 13, 1, 13)),
    ("inline dotted key", "t = {x = 1, y.z = 'q'}", ("t", "y", "z"), (1, 15, 1, 19)),
    ("nested inline table", "t = {a = {b = {c = 1}}}", ("t", "a", "b", "c"), (1, 16, 1, 20)),
    ("empty inline table", "t = {}", ("t",), (1, 1, 1, 5)),
    ("array of inline tables", "p = [{n = 1}, {n = 2}]", ("p", 1, "n"), (1, 16, 1, 20)),
    ("hash in string", 'a = "x # y" # real\nb = 2', ("b",), (2, 1, 2, 5)),
    ("hash in literal", "a = 'x # [y]' \nb = 2", ("b",), (2, 1, 2, 5)),
    ("escaped quote", 'a = "x\\"y"\nb = 1', ("b",), (2, 1, 2, 5)),
    ("escaped backslash before quote", 'a = ["x\\\\", 2]', ("a", 1), (1, 13, 1, 13)),
    ("multi-line basic", 'a = """\nx = 1\n[b]\n"""\nc = 2', ("c",), (5, 1, 5, 5)),
    ("one quote before close", 'a = """x""""\nb = 1', ("b",), (2, 1, 2, 5)),
    ("two quotes before close", 'a = """x"""""\nb = 1', ("b",), (2, 1, 2, 5)),
    ("escaped quotes in multi-line", 'a = """x\\"""y"""\nb = 1', ("b",), (2, 1, 2, 5)),
    ("line-ending backslash", 'a = """x \\\n   y"""\nb = 1', ("b",), (3, 1, 3, 5)),
    ("multi-line literal", "a = '''\n'' [x]\nk = 'v'\n''''\nb = 1", ("b",), (5, 1, 5, 5)),
    ("two quotes before literal close", "a = '''x'''''\nb = 1", ("b",), (2, 1, 2, 5)),
    ("multi-line string in array", 'a = ["""\n]""", 2]', ("a", 1), (2, 7, 2, 7)),
    ("crlf", "a = 1\r\nb = [\r\n  2,\r\n]\r\n", ("b", 0), (3, 3, 3, 3)),
    ("crlf header", "[x]\r\ny = 1\r\n", ("x", "y"), (2, 1, 2, 5)),
    ("code point columns", 't = {a = "日本語", b = 1}', ("t", "b"), (1, 17, 1, 21)),
    ("non-ascii key", '"é" = "ü"', ("é",), (1, 1, 1, 7)),
    ("unicode line separator in string", 'a = "x\u2028y"\nb = 1', ("b",), (2, 1, 2, 5)),
    ("offset date-time", "d = 1979-05-27T07:32:00Z\ne = 1", ("d",), (1, 1, 1, 5)),
    ("space date-time", "d = [1979-05-27 07:32:00.5+01:00, 1]", ("d", 1), (1, 35, 1, 35)),
    ("local date and time", "d = [1979-05-27, 07:32:00]", ("d", 1), (1, 18, 1, 18)),
    ("floats", "f = [1e3, inf, -inf, nan, +1_000, 0xDEAD_BEEF]", ("f", 5), (1, 35, 1, 35)),
    ("comment without newline", "a = 1 # end", ("a",), (1, 1, 1, 5)),
    ("quotes in comment", "a = 1 # \"\"\" '''\nb = 2", ("b",), (2, 1, 2, 5)),
    ("keyword-like bare keys", "true.inf = {nan = 1}", ("true", "inf", "nan"), (1, 13, 1, 19)),
    ("header below dotted table", "a.b.c = 1\n[a.b.d]", ("a", "b", "d"), (2, 6, 2, 1)),
]


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [pytest.param(text, path, expected, id=name) for name, text, path, expected in EXACT_CASES],
)
def test_exact_position(
    text: str, path: tuple[Any, ...], expected: tuple[int, int, int, int]
) -> None:
    assert locate(text)[path] == expected
    # Every snippet is also checked against the parser as a whole.
    check_document(text)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "  \t\r\n# x"])
def test_empty_documents(text: str) -> None:
    assert locate(text) == {}


def test_fake_headers_in_strings_are_not_reported() -> None:
    text = (
        'a = """\n[fake.header]\nkey = "x"\n"""\n'
        "b = '''\n[[fake.array]]\nkey = 'x'\n'''\n"
        'c = "[fake] = 1 # not a comment"\n'
    )
    found = check_document(text)
    assert set(found) == {("a",), ("b",), ("c",)}


def test_every_path_exists_in_parsed_document() -> None:
    document = tomllib.loads(PYPROJECT)
    for path in locate(PYPROJECT):
        lookup(document, path)  # raises KeyError/IndexError if the path is bogus


# ---------------------------------------------------------------------------
# whole documents: paths equal the parser's, positions point at the text
# ---------------------------------------------------------------------------

PYPROJECT = """\
# A realistic project file.
[build-system]
requires = ["setuptools>=61", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "support-bot"
version = "0.3.1"
description = \"\"\"A bot that answers
support questions. Not a table:
[fake.header]
key = "x"
\"\"\"
authors = [
    {name = "Ada", email = "ada@example.com"},
    {name = "Bob"},  # trailing comment
]
dependencies = [
    "httpx>=0.27",
    'tomli; python_version < "3.11"',
]
readme = {file = "README.md", content-type = "text/markdown"}

[project.optional-dependencies]
dev = ["pytest", "mypy"]

[project.scripts]
support-bot = "support_bot.cli:main"

[tool.ragft-lint]
select = ["RAG001", "FT002"]  # rules to run
ignore = []
strict = true
max-staleness-days = 30

[tool.ragft-lint.systems.support-bot]
kind = "rag+ft"
description = '''
[tool.ragft-lint.fake]
changes = "daily"
'''
training_data = {path = "data/train.jsonl", format = "jsonl"}
base-model = "llama-3-8b"

[tool.ragft-lint.systems.support-bot.knowledge]
changes = "weekly"
sources = [
  "docs/**/*.md",
  "kb/*.html",
]
last-refresh = 2024-07-23
embedding.model = "bge-small"
embedding.dimensions = 384

[tool.ragft-lint.systems.support-bot.evaluation]
threshold = 0.85
sets = [["golden", 200], ["adversarial", 50]]

[[tool.ragft-lint.systems.support-bot.evaluation.runs]]
date = 2024-07-01T12:00:00Z
score = 0.91

[[tool.ragft-lint.systems.support-bot.evaluation.runs]]
date = 2024-07-15 12:00:00+02:00
score = 8.9e-1
notes = "ok # fine"

[tool.ruff]
line-length = 100
"""

KITCHEN_SINK = r'''
# Comments everywhere.  # nested hash
str1 = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF."
str2 = "ends with backslash \\"
str3 = 'C:\Users\nodejs\templates'
str4 = '<\i\c*\s*>'
str5 = ""
str6 = ''
ml1 = """
Roses are red
Violets are blue"""
ml2 = """\
       The quick brown \
       fox jumps over \
       the lazy dog.\
       """
ml3 = """Here are two quotation marks: "". Simple enough."""
ml4 = """Here are three quotation marks: ""\"."""
ml5 = """Here are fifteen quotation marks: ""\"""\"""\"""\"""\"."""
ml6 = """"This," she said, "is just a pointless statement.""""
ml7 = @@@Here are fifteen apostrophes: @@@''
ml8 = @@@
The first newline is
trimmed in raw strings.
   All other whitespace
   is preserved. [not.a.table]
a = 1
@@@
ml9 = @@@'That,' she said, 'is still pointless.@@@'
int1 = +99
int2 = 42
int3 = 0
int4 = -17
int5 = 1_000
hex = 0xdead_beef
oct = 0o755
bin = 0b1101_0110
flt1 = +1.0
flt2 = 3.1415
flt3 = -0.01
flt4 = 5e+22
flt5 = 1e06
flt6 = -2E-2
flt7 = 6.626e-34
flt8 = 224_617.445_991_228
sf1 = inf
sf2 = +inf
sf3 = -inf
sf4 = nan
sf5 = +nan
sf6 = -nan
bool1 = true
bool2 = false
odt1 = 1979-05-27T07:32:00Z
odt2 = 1979-05-27T00:32:00-07:00
odt3 = 1979-05-27T00:32:00.999999-07:00
odt4 = 1979-05-27 07:32:00Z
ldt1 = 1979-05-27T07:32:00
ldt2 = 1979-05-27T00:32:00.999999
ld1 = 1979-05-27
lt1 = 07:32:00
lt2 = 00:32:00.999999
integers = [ 1, 2, 3 ]
colors = [ "red", "yellow", "green" ]
nested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]
nested_mixed_array = [ [ 1, 2 ], ["a", "b", "c"] ]
string_array = [ "all", 'strings', """are the same""", @@@type@@@ ]
numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]
contributors = [
  "Foo Bar <foo@example.com>",
  { name = "Baz Qux", email = "bazqux@example.com", url = "https://example.com/bazqux" }
]
integers2 = [
  1, 2, 3
]
integers3 = [
  1,
  2, # this is ok
]
weird = [ # comment ] ,
  [ # [
    "]", '[' , """
],[""", # ]
  ], [[[]]], [{}], {a.b = [{c = {}}]}
  ,
]
name = { first = "Tom", last = "Preston-Werner" }
point = { x = 1, y = 2 }
animal = { type.name = "pug" }
nested = { a = { b = { c = [1, { d = "}" }] } }, e = "{" }
site."google.com" = true
fruit.apple.color = "red"
fruit.apple.taste.sweet = true
3.14159 = "pi"
"127.0.0.1" = "value"
"character encoding" = "value"
'key2' = "value"
'quoted "value"' = "value"
"ʎǝʞ" = "value"
"\u0041\U0001F600\"\\" = "escaped key"
bare_key = "value"
bare-key = "value"
1234 = "value"

[table-1]
key1 = "some string"
key2 = 123

[table-2]
key1 = "another string"
key2 = 456

[dog."tater.man"]
type.name = "pug"

[a.b.c]            # this is best practice
[ d.e.f ]          # same as [d.e.f]
[ g .  h  . i ]    # same as [g.h.i]
[ j . "ʞ" . 'l' ]  # same as [j."ʞ".'l']

[x.y.z.w] # for this to work
[x] # defining a super-table afterward is ok

[fruit.apple.texture]  # you can add sub-tables
smooth = true

[[products]]
name = "Hammer"
sku = 738594937

[[products]]  # empty table within the array

[[products]]
name = "Nail"
sku = 284758393
color = "gray"

[[fruits]]
name = "apple"

[fruits.physical]  # subtable
color = "red"
shape = "round"

[[fruits.varieties]]  # nested array of tables
name = "red delicious"

[[fruits.varieties]]
name = "granny smith"

[[fruits]]
name = "banana"

[[fruits.varieties]]
name = "plantain"
'''.replace("@@@", "'''")

UNICODE_AND_TABS = (
    '"名前" = "値"\t# コメント\n'
    "[\"セクション\".'ключ']\n"
    "\t'δ'\t=\t[\t'щ',\t\"ж\"\t]\n"
    'emoji = {"🙂" = "😀", more = ["🚀", {x = "🙃"}]}\n'
    'sep = "line\u2028separator\u2029para\x85next"\n'
    "after = 1\n"
)

ARRAYS_OF_TABLES = """\
[[a]]
[[a]]
x = 1
[a.b]
y = 2
[[a.c]]
[[a.c]]
z = [{q = 1}, {q = [2, {r = 3}]}]
[[a]]
[a.b.c]
[[a.b.c.d]]
"""


DOCUMENTS = {
    "pyproject": PYPROJECT,
    "kitchen-sink": KITCHEN_SINK,
    "kitchen-sink-crlf": KITCHEN_SINK.replace("\n", "\r\n"),
    "unicode-and-tabs": UNICODE_AND_TABS,
    "arrays-of-tables": ARRAYS_OF_TABLES,
    "no-final-newline": "a = [1,\n2]\n[b]\nc = 'd'",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_paths_match_parser(name: str) -> None:
    check_document(DOCUMENTS[name])


# TOML 1.1 additions: only checked where the installed parser accepts them
# (tomllib up to 3.13 speaks TOML 1.0; recent tomli speaks 1.1).
TOML_1_1 = {
    "multi-line inline table": "a = {\n  x = 1, # c\n  y = [\n 1],\n  z.w = 2,\n}\nb = 3\n",
    "new escapes": 'a = "\\e \\x41"\n"\\x41\\e" = 1\n',
    "time without seconds": "t = [10:30, 1979-05-27 07:32]\nu = 1\n",
}


@pytest.mark.parametrize("name", sorted(TOML_1_1))
def test_toml_1_1_documents(name: str) -> None:
    text = TOML_1_1[name]
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        pytest.skip("the installed parser does not accept this TOML 1.1 feature")
    check_document(text)


def under(base: tuple[str | int, ...], *rest: str | int) -> tuple[str | int, ...]:
    return (*base, *rest)


def test_pyproject_positions() -> None:
    found = locate(PYPROJECT)
    lines = PYPROJECT.split("\n")
    system = ("tool", "ragft-lint", "systems", "support-bot")
    knowledge = under(system, "knowledge")
    header_line = lines.index("[tool.ragft-lint.systems.support-bot.knowledge]") + 1
    assert found[knowledge] == (header_line, 38, header_line, 1)
    assert found[under(knowledge, "changes")] == (header_line + 1, 1, header_line + 1, 11)
    assert found[under(knowledge, "sources", 1)] == (header_line + 4, 3, header_line + 4, 3)
    assert found[under(knowledge, "embedding")][:2] == (header_line + 7, 1)
    data_line = lines.index('training_data = {path = "data/train.jsonl", format = "jsonl"}') + 1
    assert found[under(system, "training_data")] == (data_line, 1, data_line, 17)
    assert found[under(system, "training_data", "format")] == (data_line, 45, data_line, 54)
    # The tool table only appears implicitly: at its first mention.
    assert found[("tool",)] == (lines.index("[tool.ragft-lint]") + 1, 2) * 2
    runs = under(system, "evaluation", "runs")
    second_run = [n for n, line in enumerate(lines, 1) if line.startswith("[[tool.")][1]
    assert found[under(runs, 1)] == (second_run, 50, second_run, 1)
    assert found[under(runs, 1, "notes")][0] == second_run + 3
    assert ("tool", "ragft-lint", "fake") not in found
    assert ("fake",) not in found


def test_randomly_mutated_documents() -> None:
    """Whenever a random edit keeps a document valid, the property still holds."""
    rng = random.Random(20240723)
    pieces = ['"', "'", "#", "[", "]", "{", "}", ",", "=", ".", "\n", " ", "\\", "x", "1"]
    base = KITCHEN_SINK + PYPROJECT.replace("[tool.ruff]", "[tool.other]")
    checked = 0
    for _ in range(400):
        text = base
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            if rng.random() < 0.5:
                text = text[:at] + text[at + 1 :]
            else:
                text = text[:at] + rng.choice(pieces) + text[at:]
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            with contextlib.suppress(ValueError):
                locate(text)  # must terminate; anything but a crash is fine
            continue
        check_document(text)
        checked += 1
    assert checked > 50, checked


# ---------------------------------------------------------------------------
# size and depth
# ---------------------------------------------------------------------------


def test_large_document() -> None:
    lines = []
    for table in range(2000):
        lines.append(f"[section.t{table}]")
        for key in range(10):
            kind = key % 5
            if kind == 0:
                lines.append(f'k{key} = "value {table} # {key}"')
            elif kind == 1:
                lines.append(f"k{key} = [{table}, {key}, {{x = {key}}}]")
            elif kind == 2:
                lines.append(f"'k{key}'.sub = 1979-05-27 07:32:00Z")
            elif kind == 3:
                lines.append(f'k{key} = """\n[fake.t{table}]\nk{key} = 1\n"""')
            else:
                lines.append(f"k{key} = {{a = {{b = [1.5, inf]}}}}")
    text = "\n".join(lines) + "\n"
    found = locate(text)
    assert set(found) == set(all_paths(tomllib.loads(text)))
    last_line = text.split("\n").index("k9 = {a = {b = [1.5, inf]}}", -12) + 1
    assert found[("section", "t1999", "k9")] == (last_line, 1, last_line, 6)


def test_deeply_nested_arrays_do_not_recurse() -> None:
    depth = sys.getrecursionlimit() * 3
    text = "x = " + "[" * depth + "]" * depth + "\ny = 1\n"
    found = locate(text)
    assert len(found) == depth + 1
    assert found[("x",) + (0,) * (depth - 1)] == (1, 4 + depth, 1, 4 + depth)
    assert found[("y",)] == (2, 1, 2, 5)


def test_deeply_nested_inline_tables_do_not_recurse() -> None:
    depth = sys.getrecursionlimit() * 3
    text = "x = " + "{a = " * depth + "1" + "}" * depth + "\ny = 1\n"
    found = locate(text)
    assert len(found) == depth + 2
    assert found[("x",) + ("a",) * depth] == (1, 5 * depth + 1, 1, 5 * depth + 5)


def test_long_strings_with_many_escapes() -> None:
    count = 50_000
    text = (
        's1 = "' + '\\"' * count + '"\n'
        's2 = "' + "\\\\" * count + '"\n'
        's3 = """' + 'a""\\"""' * count + '"""\n'
        "s4 = '''" + "b''" * count + "'''\n"
        "end = 1\n"
    )
    found = check_document(text)
    assert found[("end",)] == (5, 1, 5, 7)


# ---------------------------------------------------------------------------
# invalid input: not supported, but must not hang
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['a = "abc', "a = '''abc''", "a = [1, 2", "a = ", "a = {b = ", "[", "= 1", '"\\q" = 1'],
)
def test_truncated_input_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        locate(text)


def test_value_token_types() -> None:
    """Sanity check of the helper used by the property tests."""
    assert value_written_at("v = 1979-05-27", 4, datetime.date(1979, 5, 27))
    assert not value_written_at("v = 1", 4, 1.0)


# -- one-line tables and arrays, which the scanner takes in one step ---------------------------

_TRICKY = st.text(alphabet=st.sampled_from(list("ab ,{}[]#=.'\"\\\t")), max_size=8)


def _basic(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


SIMPLE_VALUES = st.one_of(
    _TRICKY.map(_basic),
    _TRICKY.filter(lambda t: "'" not in t and "\t" not in t).map(lambda t: f"'{t}'"),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["true", "false", "1.5", "-0.0", "1e3", "inf", "nan", "2026-11-23",
                     "1979-05-27 07:32:00", "07:32:00", "0x1F", "1_000"]),
)
KEYS = st.one_of(st.sampled_from(["a", "b-c", "d_1", "9"]), _TRICKY.map(_basic))
BLANK = st.sampled_from(["", " ", "  ", "\t"])


def _key_name(key: str) -> str:
    return next(iter(tomllib.loads(f"{key} = 0")))


@st.composite
def one_line_values(draw: Any, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["simple", "array", "table"] if depth < 2 else ["simple"]))
    if kind == "simple":
        return str(draw(SIMPLE_VALUES))
    gap = draw(BLANK)
    if kind == "array":
        items = draw(st.lists(one_line_values(depth + 1), max_size=4))
        trailing = "," if items and draw(st.booleans()) else ""
        return "[" + gap + ("," + gap).join(items) + trailing + gap + "]"
    keys = draw(st.lists(KEYS, max_size=4, unique_by=_key_name))
    pairs = [f"{key}{draw(BLANK)}={draw(BLANK)}{draw(one_line_values(depth + 1))}"
             for key in keys]
    return "{" + gap + ("," + gap).join(pairs) + gap + "}"


@given(st.lists(one_line_values(), min_size=1, max_size=4), st.booleans())
def test_one_line_tables_and_arrays(values: List[str], commented: bool) -> None:
    comment = " # a note, with [brackets] and {braces}" if commented else ""
    text = "".join(f"k{n} = {value}{comment}\n" for n, value in enumerate(values))
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # only what the parser accepts is ever scanned
    check_document(text)
