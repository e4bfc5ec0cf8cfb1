"""The YAML reader resolves every node to the tag PyYAML's own safe loader gives it."""

from __future__ import annotations

from typing import Any, Iterator, List

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ragft_lint.declaration.yaml_source import _loader

SCALARS = [
    "", "~", "null", "Null", "NULL", "true", "True", "yes", "Yes", "no", "NO", "on", "off", "y",
    "n", "0", "-1", "+12", "0x1F", "0o17", "017", "0b101", "1_000", "190:20:30", "3.14", "-.5",
    "1e3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "2026-11-23", "2026-11-23T10:00:00Z",
    "2001-12-14 21:59:43.10 -5", "<<", "=", "weekly", "rag", "cross-encoder/x", "1.2.3",
    "'quoted'", '"0x1F"', "'true'", "!!str 12", "!!int '7'", "- a", "{a: 1}", "[1, 2]",
]


def tags(node: Any) -> Iterator[str]:
    yield node.tag
    if isinstance(node.value, list):
        for item in node.value:
            if isinstance(item, tuple):
                for part in item:
                    yield from tags(part)
            else:
                yield from tags(item)


def both(text: str) -> tuple[List[str], List[str]]:
    ours = yaml.compose(text, Loader=_loader())
    theirs = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return list(tags(ours)) if ours else [], list(tags(theirs)) if theirs else []


@pytest.mark.parametrize("scalar", SCALARS)
def test_a_scalar_gets_the_standard_tag(scalar: str) -> None:
    for text in (f"key: {scalar}\n", f"- {scalar}\n", f"{{k: [{scalar}]}}\n"):
        try:
            ours, theirs = both(text)
        except yaml.YAMLError:
            continue  # not valid YAML in this position: nothing to compare
        assert ours == theirs, text


@given(st.lists(st.sampled_from(SCALARS[:40]), min_size=1, max_size=8),
       st.sampled_from(["block", "flow"]))
def test_documents_of_mixed_scalars_get_the_standard_tags(values: List[str], style: str) -> None:
    if style == "block":
        text = "".join(f"k{i}: {v}\n" for i, v in enumerate(values))
    else:
        text = "{" + ", ".join(f"k{i}: [{v}]" for i, v in enumerate(values)) + "}\n"
    try:
        ours, theirs = both(text)
    except yaml.YAMLError:
        return
    assert ours == theirs
