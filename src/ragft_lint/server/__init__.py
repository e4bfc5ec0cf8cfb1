"""``ragft-lint server``: the Language Server Protocol over stdio, for any editor with an LSP
client (optional extra ``ragft-lint[lsp]``, on pygls).

One more edge over ``Session.run``: each open declaration is checked as ``check`` checks it
(``checking``), and the outcome is presented as diagnostics, hover, code actions, completion
and definitions (``protocol`` and the modules it names). Nothing here is imported by
``check``; pygls itself is imported only when the server starts.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import IO, Any, Optional, TextIO

__all__ = ["INSTALL_HINT", "serve"]

INSTALL_HINT = "pip install 'ragft-lint[lsp]'"


def serve(out: Optional[TextIO] = None) -> int:
    """Serve on standard input and ``out`` (the command's output) until the editor says
    exit; the exit status of ``ragft-lint server``."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        from ..errors import UsageError

        raise UsageError("the language server needs pygls and lsprotocol, which are not "
                         f"installed: {INSTALL_HINT}") from None
    # A short command runs with the cyclic collector off (cli.main); a server runs for hours,
    # and what each keystroke's run leaves in cycles must be freed.
    gc.enable()
    from ..guard import survive
    from ..host import load
    from .protocol import build

    survive()  # a plugin past its time limit fails its run, not the editor's server

    server: Any = build(load())
    server.start_io(sys.stdin.buffer, _binary(out or sys.stdout))
    return 0


def _binary(out: TextIO) -> Optional[IO[bytes]]:
    """The messages' stream: a descriptor of its own, which the server closes when it exits
    while the command's output stays open for the command to finish with."""
    try:
        out.flush()
        return os.fdopen(os.dup(out.fileno()), "wb")
    except (OSError, ValueError, AttributeError):  # no real descriptor
        return getattr(out, "buffer", None)
