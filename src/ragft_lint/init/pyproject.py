"""Putting the declaration into an existing ``pyproject.toml``: the new ``[tool.ragft-lint]``
table appended, or (``--force``) the old one replaced in its place, every other byte of the
file kept, and the result read back before anything is written.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..declaration.discovery import display_path
from .errors import InitError
from .writers import to_toml

__all__ = ["pyproject_bytes"]


_HEADER_LINE = re.compile(r"\s*\[\[?([^\]\[]*)\]\]?\s*(#.*)?")
_OURS = re.compile(r"tool\.(ragft-lint|\"ragft-lint\"|'ragft-lint')(\..*)?")


def _is_ours(header: str) -> bool:
    key = re.sub(r"\s*\.\s*", ".", header.strip())
    return bool(_OURS.fullmatch(key))


def _replace_table(text: str, table: str) -> str:
    """``text`` with its ``[tool.ragft-lint]`` tables replaced by ``table``, in the place of
    the first of them; every other line stays as it was."""
    lines = text.splitlines(keepends=True)
    kept: List[str] = []
    tail: List[str] = []  # comments and blank lines at the end of the table being dropped
    inside = False
    place: Optional[int] = None
    for line in lines:
        match = _HEADER_LINE.fullmatch(line.rstrip("\r\n"))
        if match:
            ours = _is_ours(match.group(1))
            if inside and not ours:  # the comments just above a header belong to that header
                while tail and not tail[0].strip():
                    tail.pop(0)
                kept.extend(tail)
            tail = []
            inside = ours
            if inside and place is None:
                place = len(kept)
        if not inside:
            kept.append(line)
        elif not line.strip() or line.lstrip().startswith("#"):
            tail.append(line)
        else:
            tail = []
    if place is None:
        return _appended(text, table)
    newline = "\r\n" if "\r\n" in text else "\n"
    block = table.replace("\n", newline)
    if place < len(kept):
        block += newline
    return "".join(kept[:place]) + block + "".join(kept[place:])


def _appended(text: str, table: str) -> str:
    """``text`` unchanged, then a blank line and ``table`` (in the file's own line ending)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    block = table.replace("\n", newline)
    if not text:
        return block
    if text.endswith(newline * 2):
        return text + block
    if text.endswith(("\n", "\r")):
        return text + newline + block
    return text + newline + newline + block


def _toml(text: str) -> Dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    parsed: Dict[str, Any] = tomllib.loads(text)
    return parsed


def _without_ours(parsed: Dict[str, Any]) -> Dict[str, Any]:
    tool = dict(parsed.get("tool") or {})
    tool.pop("ragft-lint", None)
    rest = {k: v for k, v in parsed.items() if k != "tool"}
    if tool:
        rest["tool"] = tool
    return rest


def pyproject_bytes(file: Path, data: Dict[str, Any], force: bool) -> bytes:
    """The new content of a ``pyproject.toml``: its bytes as they are, then the new table (or,
    with ``force``, the old table replaced); ``InitError`` when that cannot be done safely."""
    from ..declaration.discovery import read_text

    display = display_path(file)
    text = read_text(file, display)  # refuses what is not UTF-8 text
    raw = file.read_bytes()
    table = to_toml(data)
    bom = raw.startswith(b"\xef\xbb\xbf")
    new_text = _replace_table(text, table) if force else _appended(text, table)
    by_hand = f"; add this table by hand:\n\n{table}"
    try:
        before = _toml(text)
        after = _toml(new_text)
        tool = after.get("tool")
        ours = tool.get("ragft-lint") if isinstance(tool, dict) else None
        if ours != data or _without_ours(after) != _without_ours(before):
            raise ValueError("the table would not read back as written")
    except ValueError as exc:  # TOMLDecodeError is a ValueError
        if force:
            raise InitError(f"{display} declares tool.ragft-lint in a form that init cannot "
                            f"replace line by line; remove it by hand and run init again"
                            f"{by_hand}") from None
        raise InitError(f"{display}: a [tool.ragft-lint] table cannot be added to the file "
                        f"as it stands ({exc}){by_hand}") from None
    if not force:
        return raw + new_text[len(text):].encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
