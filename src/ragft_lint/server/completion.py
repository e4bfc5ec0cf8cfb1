"""Completion of keys and of the values the schema lists, at the cursor's key path."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from lsprotocol import types

from . import schema_walk
from .cursor import Place


def items(schema: Dict[str, Any], place: Place, fmt: str) -> List[types.CompletionItem]:
    """What may be typed at ``place``: the value words of its key when the cursor stands in a
    value, else the keys of its table."""
    if place.in_value and place.key is not None:
        node = schema_walk.node_at(schema, place.parents + (place.key,))
        return [_value(value, fmt) for value in schema_walk.values(node)]
    node = schema_walk.node_at(schema, place.parents)
    return [_key(key, child, fmt) for key, child in sorted(schema_walk.keys(node).items())]


def _key(key: str, child: Dict[str, Any], fmt: str) -> types.CompletionItem:
    return types.CompletionItem(
        label=key, kind=types.CompletionItemKind.Property,
        documentation=schema_walk.description(child) or None,
        insert_text=f"{key} = " if fmt == "toml" else f"{key}: ")


def _value(value: Any, fmt: str) -> types.CompletionItem:
    if isinstance(value, bool):
        label = "true" if value else "false"
        text = label
    elif fmt == "toml" and isinstance(value, str):
        label, text = value, json.dumps(value)
    else:
        label = text = str(value)
    return types.CompletionItem(label=label, kind=types.CompletionItemKind.EnumMember,
                                insert_text=text)
