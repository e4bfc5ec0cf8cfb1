"""A time limit for plugin code, so one slow plugin cannot hold up every commit.

Plugin imports, hooks and rule checks run under ``limit``: past the budget, the plugin's code
is interrupted with ``Overrun`` and the plugin is reported like any other failing plugin. The
limit uses a real-time interval timer, which only the main thread of a POSIX process can set;
elsewhere (Windows, worker threads) or when something else already uses ``SIGALRM`` (a test
timeout plugin, say), plugin code runs without a limit rather than disturb its host.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Iterator

DEFAULT_SECONDS = 10.0


class Overrun(Exception):
    """Plugin code ran past its time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took longer than {seconds:g} s and was stopped")


def budget() -> float:
    """Seconds a plugin may take per import, hook or rule; ``RAGFT_LINT_PLUGIN_TIMEOUT`` sets it."""
    try:
        seconds = float(os.environ.get("RAGFT_LINT_PLUGIN_TIMEOUT", DEFAULT_SECONDS))
    except ValueError:
        return DEFAULT_SECONDS
    return seconds if seconds > 0 else DEFAULT_SECONDS


@contextlib.contextmanager
def limit(seconds: float) -> Iterator[None]:
    import signal
    import threading

    usable = (hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
              and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise Overrun(seconds)

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
