"""A progress line on stderr for evidence scans that take a while.

Shown only when stderr is a terminal, and only once a second has passed since measuring
began: short scans stay silent, and nothing ever reaches a pipe, a file or a CI log. The line
is rewritten in place at most a few times a second and erased when measuring ends, so the
findings print on a clean line.
"""

from __future__ import annotations

import time
from typing import Optional, TextIO

DELAY = 1.0  # seconds of measuring before the line appears
INTERVAL = 0.2  # seconds between two updates of the line


class Progress:
    """Reports how far the scan of each evidence file has come."""

    def __init__(self, stream: Optional[TextIO]) -> None:
        isatty = getattr(stream, "isatty", None)
        try:
            self.enabled = bool(stream is not None and isatty is not None and isatty())
        except ValueError:  # a closed stream
            self.enabled = False
        self.stream = stream
        self.started = time.monotonic()
        self.shown_at = 0.0
        self.width = 0

    def update(self, label: str, done: int, total: int) -> None:
        """``done`` of ``total`` (bytes, or rows) of the file ``label`` have been read."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < DELAY or now - self.shown_at < INTERVAL:
            return
        self.shown_at = now
        share = f"{min(done * 100 // total, 100)}%" if total > 0 else "..."
        text = f"ragft-lint: measuring {label}: {share}"
        self._write("\r" + text.ljust(self.width))
        self.width = len(text)

    def finish(self) -> None:
        """Erase the line, if one was shown."""
        if self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    def _write(self, text: str) -> None:
        assert self.stream is not None
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False
