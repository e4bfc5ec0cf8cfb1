"""Escaping what is printed: a declaration, a file name or an evidence file can hold anything.

A system named with a new line and ``::error file=evil.py::...`` printed raw would start a line
that GitHub Actions runs as a workflow command; an ANSI escape would rewrite the terminal. So
every value from the user's files goes through ``printable`` (text output, stderr) or
``workflow_data``/``workflow_property`` (``--format github``) before it is printed.
"""

from __future__ import annotations

import re
from typing import List

__all__ = ["line", "printable", "workflow_data", "workflow_property"]

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators; not the tab, which
# moves the cursor only along the line. Compiled with the first text that needs it.
_CONTROL_CLASS = "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]"
_COMPILED: List[re.Pattern[str]] = []
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as a visible escape (``\\n``, ``\\x1b``):
    it stays on one line and changes nothing on the terminal."""
    if text.isprintable():  # no control character (nor other unprintable one): as it is
        return text
    if not _COMPILED:
        _COMPILED.append(re.compile(_CONTROL_CLASS))
    return _COMPILED[0].sub(_escaped, text)


def line(text: str) -> str:
    """A line for text output or stderr: ``printable``, and never starting with ``::``, which
    GitHub Actions would read as a workflow command (only ``--format github`` writes those)."""
    text = printable(text)
    return "\\x3a" + text[1:] if text.startswith("::") else text


def workflow_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub documents (``%``, CR, LF), its other
    control characters made visible (the runner would pass them on raw)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)


def workflow_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``): as ``workflow_data``, and
    ``:`` and ``,``, which would end the value."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
