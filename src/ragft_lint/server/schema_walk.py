"""The declaration's JSON Schema (with the plugins' keys) read at a key path: what completion
offers and what hover says, from the one schema ``ragft-lint schema`` prints."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Sequence


def node_at(schema: Dict[str, Any], path: Sequence[Any]) -> Optional[Dict[str, Any]]:
    """The schema of the value at ``path`` (None where the schema says nothing)."""
    node: Optional[Dict[str, Any]] = schema
    for key in path:
        if node is None:
            return None
        node = _child(node, str(key))
    return node


def _child(node: Dict[str, Any], key: str) -> Optional[Dict[str, Any]]:
    for variant in _variants(node):
        properties = variant.get("properties", {})
        if key in properties:
            return dict(properties[key])
        for pattern_node in variant.get("patternProperties", {}).values():
            return dict(pattern_node)
        extra = variant.get("additionalProperties")
        if isinstance(extra, dict):
            return extra
        items = variant.get("items")
        if isinstance(items, dict) and key.isdigit():
            return items
    return None


def _variants(node: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    yield node
    for word in ("oneOf", "anyOf", "allOf"):
        for variant in node.get(word, ()):
            if isinstance(variant, dict):
                yield from _variants(variant)


def keys(node: Optional[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """The keys a table may hold, each with its schema."""
    found: Dict[str, Dict[str, Any]] = {}
    for variant in _variants(node or {}):
        for key, child in variant.get("properties", {}).items():
            found.setdefault(key, child)
    return found


def values(node: Optional[Dict[str, Any]]) -> List[Any]:
    """The values a key may take when the schema lists them (an enum, or true and false)."""
    found: List[Any] = []
    for variant in _variants(node or {}):
        for value in variant.get("enum", ()):
            if value not in found:
                found.append(value)
        kinds = variant.get("type")
        if kinds == "boolean" or (isinstance(kinds, list) and "boolean" in kinds):
            for value in (True, False):
                if value not in found:
                    found.append(value)
        items = variant.get("items")
        if isinstance(items, dict):  # a list of words: each item's words
            found += [v for v in values(items) if v not in found]
    return found


def description(node: Optional[Dict[str, Any]]) -> str:
    for variant in _variants(node or {}):
        said = variant.get("description")
        if said:
            return str(said)
    return ""
