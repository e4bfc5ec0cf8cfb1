"""The YAML reader resolves every node to the tag of the YAML 1.2 core schema.

The reference is the core schema's table as the YAML 1.2.2 specification writes it (section
10.3.2), matched whole; the reader's resolver looks scalars up by first character instead.
Where YAML 1.1 (PyYAML, the reader before) differed, the 1.2 answer is pinned below.

Every document is composed by both of ruamel.yaml's parsers, the C one of ruamel.yaml.clib
(CPython) and the pure one (PyPy), and every node of it is compared, collections included: a
case whose document holds nothing to compare fails rather than passes.
"""

from __future__ import annotations

import platform
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List, Optional, Tuple
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ragft_lint.declaration.yaml_source as source
from ragft_lint.declaration.yaml_source import compose, read_yaml, tag_of
from ragft_lint.errors import DeclarationError

SCALARS = [
    "", "~", "null", "Null", "NULL", "true", "True", "yes", "Yes", "no", "NO", "on", "off", "y",
    "n", "0", "-1", "+12", "0x1F", "0o17", "017", "0b101", "1_000", "190:20:30", "3.14", "-.5",
    "1e3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "2026-11-23", "2026-11-23T10:00:00Z",
    "2001-12-14 21:59:43.10 -5", "<<", "=", "weekly", "rag", "cross-encoder/x", "1.2.3",
    "'quoted'", '"0x1F"', "'true'", "!!str 12", "!!int '7'", "- a", "{a: 1}", "[1, 2]",
    "1e-5", "5e-324", "1.", "+.inf", "0X1F", "FALSE", "tRue", "nULL", "+0o7", "-0x1",
]

_CORE = "tag:yaml.org,2002:"
# YAML 1.2.2, 10.3.2 "Tag Resolution" of the core schema, in order.
CORE_TABLE = [
    (r"null|Null|NULL|~|", "null"),
    (r"true|True|TRUE|false|False|FALSE", "bool"),
    (r"[-+]?[0-9]+", "int"),
    (r"0o[0-7]+", "int"),
    (r"0x[0-9a-fA-F]+", "int"),
    (r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", "float"),
    (r"[-+]?(\.inf|\.Inf|\.INF)", "float"),
    (r"\.nan|\.NaN|\.NAN", "float"),
]


def core_tag(plain: str) -> str:
    for pattern, kind in CORE_TABLE:
        if re.fullmatch(pattern, plain):
            return _CORE + kind
    return _CORE + "str"


# A node as compared: its tag, a scalar's text (None for a collection), and whether the scalar
# is written plain, the only kind the table resolves.
Node = Tuple[str, Optional[str], bool]
MAP: Node = (_CORE + "map", None, False)
SEQ: Node = (_CORE + "seq", None, False)

# ruamel.yaml's pure parser gives a plain scalar the style None, its C parser "": a test that
# knew only None found no plain scalar under the C parser and compared nothing.
PLAIN_STYLES = (None, "")


def plain(text: str) -> Node:
    """A plain scalar as the core schema tags it. ``<<`` is the one tag the reader adds to the
    schema, the merge key; anywhere but as a key it reads as the text ``<<``."""
    return (_CORE + "merge" if text == "<<" else core_tag(text), text, True)


# The values of SCALARS that are not one plain scalar, as they compose, in document order.
NOT_PLAIN = {
    "'quoted'": [(_CORE + "str", "quoted", False)],
    '"0x1F"': [(_CORE + "str", "0x1F", False)],
    "'true'": [(_CORE + "str", "true", False)],
    # An explicit tag is kept, not resolved: 12 is an int to the table, '7' a string.
    "!!str 12": [(_CORE + "str", "12", True)],
    "!!int '7'": [(_CORE + "int", "7", False)],
    "- a": [SEQ, plain("a")],
    "{a: 1}": [MAP, plain("a"), plain("1")],
    "[1, 2]": [SEQ, plain("1"), plain("2")],
}
PLAIN = [s for s in SCALARS if s not in NOT_PLAIN]

# Where a value cannot stand. A block sequence cannot open on a key's line nor sit in a flow
# sequence, for either parser. In a flow collection the C parser (libyaml) ends a plain scalar
# at ":", which YAML 1.2 lets a plain scalar hold and the pure parser reads: pinned so that a
# change on either side is seen.
REFUSED_IN_BLOCK_MAPPING = {"- a"}
REFUSED_IN_FLOW = {"- a"}
REFUSED_IN_FLOW_BY_C = {"190:20:30", "2026-11-23T10:00:00Z", "2001-12-14 21:59:43.10 -5"}

PARSERS = [
    pytest.param("c", marks=pytest.mark.skipif(platform.python_implementation() != "CPython",
                                               reason="ruamel.yaml.clib is built for CPython")),
    "pure",
]


@contextmanager
def parsing_with(parser: str) -> Iterator[None]:
    if parser == "c":
        # A CPython dependency: without it both runs would be the pure parser's.
        assert source.c_parser_available(), "ruamel.yaml.clib does not load"
        yield
    else:
        with mock.patch.object(source, "c_parser_available", lambda: False):
            yield


def value(text: str) -> List[Node]:
    return NOT_PLAIN.get(text) or [plain(text)]


def in_flow_sequence(text: str) -> List[Node]:
    # "[]" is an empty sequence, not one holding an empty scalar.
    return [] if text == "" else value(text)


def refused_in_flow(text: str, parser: str) -> bool:
    return text in REFUSED_IN_FLOW or (parser == "c" and text in REFUSED_IN_FLOW_BY_C)


def document_order(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node.value, list):
        for item in node.value:
            for part in item if isinstance(item, tuple) else (item,):
                yield from document_order(part)


def described(node: Any) -> Node:
    if isinstance(node.value, list):
        return (tag_of(node), None, False)
    return (tag_of(node), node.value, node.style in PLAIN_STYLES)


def check(text: str, expected: List[Node]) -> int:
    """Compare every node of ``text`` with ``expected``; the number of plain scalars compared."""
    nodes = list(document_order(compose(text, "t.yaml")))
    written_plain = sum(1 for node in nodes if getattr(node, "style", False) in PLAIN_STYLES)
    # Counted on its own so that a scalar style outside PLAIN_STYLES is named as the cause,
    # not found as a wrong flag somewhere in a long list.
    assert written_plain == sum(1 for _, _, is_plain in expected if is_plain), (
        text, [getattr(node, "style", None) for node in nodes])
    assert [described(node) for node in nodes] == expected, text
    return written_plain


def refuse(text: str) -> None:
    with pytest.raises(DeclarationError):
        compose(text, "t.yaml")


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("scalar", SCALARS)
def test_a_scalar_gets_the_core_schema_tag(scalar: str, parser: str) -> None:
    compared = 0
    with parsing_with(parser):
        if scalar in REFUSED_IN_BLOCK_MAPPING:
            refuse(f"key: {scalar}\n")
        else:
            compared += check(f"key: {scalar}\n", [MAP, plain("key"), *value(scalar)])
        compared += check(f"- {scalar}\n", [SEQ, *value(scalar)])
        if refused_in_flow(scalar, parser):
            refuse(f"{{k: [{scalar}]}}\n")
        else:
            compared += check(f"{{k: [{scalar}]}}\n",
                              [MAP, plain("k"), SEQ, *in_flow_sequence(scalar)])
    # Every value of SCALARS stands as a list item, and a plain one is looked up in the table
    # there; every other value holds or sits under a plain scalar somewhere.
    assert compared >= (1 if scalar in NOT_PLAIN else 2)


@pytest.mark.parametrize("parser", PARSERS)
@given(st.lists(st.sampled_from(PLAIN), min_size=1, max_size=8),
       st.sampled_from(["block", "flow"]))
def test_documents_of_mixed_scalars_get_the_core_schema_tags(parser: str, values: List[str],
                                                              style: str) -> None:
    expected = [MAP]
    if style == "block":
        text = "".join(f"k{i}: {v}\n" for i, v in enumerate(values))
        for i, v in enumerate(values):
            expected += [plain(f"k{i}"), plain(v)]
    else:
        text = "{" + ", ".join(f"k{i}: [{v}]" for i, v in enumerate(values)) + "}\n"
        for i, v in enumerate(values):
            expected += [plain(f"k{i}"), SEQ, *in_flow_sequence(v)]
    with parsing_with(parser):
        if style == "flow" and any(refused_in_flow(v, parser) for v in values):
            refuse(text)
        else:
            assert check(text, expected) >= len(values)


@pytest.mark.parametrize("parser", PARSERS)
def test_each_parser_is_the_one_composing(parser: str) -> None:
    """The runs above are of two parsers, not one twice: they mark a plain scalar apart."""
    with parsing_with(parser):
        root = compose("key: value\n", "t.yaml")
    assert [node.style for node in root.value[0]] == ([""] * 2 if parser == "c" else [None] * 2)


# Where YAML 1.1 said otherwise: these are the changed expectations.
YAML_1_2 = {
    "yes": "yes", "No": "No", "on": "on", "OFF": "OFF", "y": "y", "n": "n",
    "1e-5": 1e-5, "5e-324": 5e-324, "1e3": 1000.0, "017": 17, "0o17": 15, "0x1F": 31,
    "0b101": "0b101", "1_000": "1_000", "190:20:30": "190:20:30", "=": "=",
    "2026-11-23": "2026-11-23", "tRue": "tRue", "~": None, "": None, "FALSE": False,
    "-.5": -0.5, "1.": 1.0,
}


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("text", sorted(YAML_1_2))
def test_values_are_read_as_yaml_1_2(text: str, parser: str) -> None:
    with parsing_with(parser):
        document = read_yaml("t.yaml", "t.yaml", f"key: {text}\n")
    assert document.data["key"] == YAML_1_2[text]
    assert type(document.data["key"]) is type(YAML_1_2[text])


def test_explicit_standard_tags_are_read() -> None:
    document = read_yaml("t.yaml", "t.yaml", "a: !!str 12\nb: !!int '7'\nc: !!float '2'\n")
    assert document.data == {"a": "12", "b": 7, "c": 2.0}


PARITY = [
    (Path(__file__).parents[1] / "examples" / "support-bot" / "ragft.yaml").read_text("utf-8"),
    "systems:\n  a: &base {architecture: rag, gaps: [knowledge]}\n  b:\n    <<: *base\n"
    "    gaps: [behavior]\n",
    "k: [yes, 1e-5, 017, 0o17, ~, 'x', \"y\", !!str 3]\nb: |\n  block\n  text\nc: end\r\n",
]
REFUSED = ["a: !secret x\n", "a: 1\na: 2\n", "a: 1\n---\nb: 2\n", "a: &x 1\nb: &x 2\n",
           "a: &a [*a]\n", "a: [1, 2\n"]


@pytest.mark.parametrize("text", PARITY)
def test_the_pure_parser_reads_as_the_c_parser_does(text: str, monkeypatch: Any) -> None:
    """Where ruamel.yaml.clib does not install (PyPy), the pure parser gives the same values
    and positions."""
    import ragft_lint.declaration.yaml_source as source

    ours = read_yaml("t.yaml", "t.yaml", text)
    monkeypatch.setattr(source, "c_parser_available", lambda: False)
    pure = read_yaml("t.yaml", "t.yaml", text)
    assert pure.data == ours.data
    assert dict(pure.positions) == dict(ours.positions)


@pytest.mark.parametrize("text", REFUSED)
def test_the_pure_parser_refuses_what_the_c_parser_refuses(text: str, monkeypatch: Any) -> None:
    import ragft_lint.declaration.yaml_source as source

    with pytest.raises(DeclarationError) as c_refusal:
        read_yaml("t.yaml", "t.yaml", text)
    monkeypatch.setattr(source, "c_parser_available", lambda: False)
    with pytest.raises(DeclarationError) as pure_refusal:
        read_yaml("t.yaml", "t.yaml", text)
    first, second = c_refusal.value.problems[0], pure_refusal.value.problems[0]
    assert first.line == second.line
    if not first.message.startswith("invalid YAML"):  # the parsers word syntax errors apart
        assert (first.column, first.message) == (second.column, second.message)
