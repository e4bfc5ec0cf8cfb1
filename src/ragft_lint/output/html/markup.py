"""What every fragment is made of: escaping, the font, the colours, and badges.

Styles are inline, so that a fragment looks the same wherever it is pasted (Jupyter, VS Code,
a web page), and every string that comes from a declaration goes through ``escape``.
"""

from __future__ import annotations

import html

from ...findings import Severity
from ..escape import printable

FONT = ("font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,"
        "sans-serif;font-size:13px;line-height:1.45")

# Tables size their text like the text around them, also where a page is not in standards mode.
TABLE = "border-collapse:collapse;text-align:left;font-size:inherit"

SEVERITY_COLOURS = {Severity.ERROR: "#c92a2a", Severity.WARNING: "#d9480f",
                    Severity.INFO: "#1864ab"}
WAIVED_COLOUR = "#868e96"
AGREES_COLOUR = "#2b8a3e"
DIFFERS_COLOUR = "#e67700"


def escape(value: object) -> str:
    """Any value as HTML text, quotes included, so it is safe in text and in attributes; its
    control characters (NUL, BEL, ESC, ...) shown as escapes, which HTML has no place for."""
    return html.escape(printable(str(value)), quote=True)


def badge(text: str, colour: str, title: str = "") -> str:
    hint = f' title="{escape(title)}"' if title else ""
    return (f'<span{hint} style="display:inline-block;padding:0 .55em;border-radius:.7em;'
            f'background:{colour};color:#fff;font-weight:600;font-size:.85em;'
            f'white-space:nowrap">{escape(text)}</span>')
