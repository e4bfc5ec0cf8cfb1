"""How plugin code runs: within a time limit, and with its prints kept out of the output.

Plugin imports, hooks, rule checks and output formats all run under ``plugin_code``. Past the
time limit (``deadline``) the plugin is stopped and reported like a failing one; whatever it
prints goes to stderr, so that a stray ``print`` in a plugin cannot corrupt JSON or SARIF on
stdout.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Iterator

from .deadline import limit


@contextlib.contextmanager
def plugin_code(seconds: float) -> Iterator[None]:
    with limit(seconds), contextlib.redirect_stdout(sys.stderr):
        yield
