"""The YAML reader resolves every node to the tag of the YAML 1.2 core schema.

The reference is the core schema's table as the YAML 1.2.2 specification writes it (section
10.3.2), matched whole; the reader's resolver looks scalars up by first character instead.
Where YAML 1.1 (PyYAML, the reader before) differed, the 1.2 answer is pinned below.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def tags(node: Any) -> Iterator[str]:
    yield tag_of(node)
    if isinstance(node.value, list):
        for item in node.value:
            if isinstance(item, tuple):
                for part in item:
                    yield from tags(part)
            else:
                yield from tags(item)


def plain_scalars(node: Any) -> Iterator[Any]:
    if isinstance(node.value, list):
        for item in node.value:
            for part in item if isinstance(item, tuple) else (item,):
                yield from plain_scalars(part)
    elif node.style is None and tag_of(node) != _CORE + "merge":
        yield node


def check(text: str) -> None:
    try:
        root = compose(text, "t.yaml")
    except DeclarationError:
        return  # not valid YAML in this position: nothing to compare
    for node in plain_scalars(root):
        if text[node.start_mark.index] == "!":  # an explicit tag: not resolved
            continue
        assert tag_of(node) == core_tag(node.value), (text, node.value)


@pytest.mark.parametrize("scalar", SCALARS)
def test_a_scalar_gets_the_core_schema_tag(scalar: str) -> None:
    for text in (f"key: {scalar}\n", f"- {scalar}\n", f"{{k: [{scalar}]}}\n"):
        check(text)


@given(st.lists(st.sampled_from(SCALARS[:40]), min_size=1, max_size=8),
       st.sampled_from(["block", "flow"]))
def test_documents_of_mixed_scalars_get_the_core_schema_tags(values: List[str],
                                                              style: str) -> None:
    if style == "block":
        text = "".join(f"k{i}: {v}\n" for i, v in enumerate(values))
    else:
        text = "{" + ", ".join(f"k{i}: [{v}]" for i, v in enumerate(values)) + "}\n"
    check(text)


# Where YAML 1.1 said otherwise: these are the changed expectations.
YAML_1_2 = {
    "yes": "yes", "No": "No", "on": "on", "OFF": "OFF", "y": "y", "n": "n",
    "1e-5": 1e-5, "5e-324": 5e-324, "1e3": 1000.0, "017": 17, "0o17": 15, "0x1F": 31,
    "0b101": "0b101", "1_000": "1_000", "190:20:30": "190:20:30", "=": "=",
    "2026-11-23": "2026-11-23", "tRue": "tRue", "~": None, "": None, "FALSE": False,
    "-.5": -0.5, "1.": 1.0,
}


@pytest.mark.parametrize("plain", sorted(YAML_1_2))
def test_values_are_read_as_yaml_1_2(plain: str) -> None:
    document = read_yaml("t.yaml", "t.yaml", f"key: {plain}\n")
    assert document.data["key"] == YAML_1_2[plain]
    assert type(document.data["key"]) is type(YAML_1_2[plain])


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
