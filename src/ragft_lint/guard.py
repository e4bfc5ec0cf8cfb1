"""How plugin code runs: within a time limit, and with its output kept out of the report.

Plugin imports, hooks, rule checks, output formats and result readers all run under
``plugin_code``. Past the time limit (``deadline``) the plugin is interrupted with ``Overrun``
and reported like a failing one. A plugin that catches that exception and goes on, or that
blocks in C code where no signal reaches it, is stopped by a watchdog thread a short grace
later: it names the plugin on stderr and ends the process with exit 3, writing nothing to
stdout, so that no partial report is taken for a whole one. A process that must outlive one
run (the language server, ``survive``) is not ended: the overrun is said once, and when the
plugin's code does return, its call raises ``Overrun``, so its run reports the plugin failed.
Nothing is raised into a running thread (where it could land in this module's own locking),
so a plugin that never returns keeps its thread; the process goes on.

Whatever the plugin writes to standard output, with ``print`` or straight to file descriptor
1 (``os.write(1, ...)``, C code, a subprocess it starts), goes to stderr while its code runs,
so that it cannot corrupt JSON or SARIF on stdout.
"""

from __future__ import annotations

import contextlib
import os
import sys
from types import FrameType
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Set, Tuple

from .deadline import limit

if TYPE_CHECKING:
    import threading

# How long past its time limit a plugin may take to unwind before the process is ended.
MIN_GRACE = 1.0
MAX_GRACE = 5.0
STOPPED = 3  # the exit status of a plugin failure


@contextlib.contextmanager
def plugin_code(seconds: float) -> Iterator[None]:
    with watchdog(seconds), stdout_to_stderr(), limit(seconds), \
            contextlib.redirect_stdout(sys.stderr):
        yield


def grace(seconds: float) -> float:
    """How long past ``seconds`` the watchdog waits for plugin code to give up."""
    return min(max(seconds, MIN_GRACE), MAX_GRACE)


@contextlib.contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Ends the process, naming the plugin, if the block has not ended ``seconds`` plus the
    grace after it began (with ``survive``: interrupts the block's thread instead)."""
    token = _WATCH.arm(seconds)
    try:
        yield
    finally:
        late = _WATCH.disarm(token)
    if late:  # survived past the grace: the call failed, whatever it returned
        from .deadline import Overrun

        raise Overrun(seconds)


def survive() -> None:
    """For a process that outlives its runs (the language server): plugin code past its time
    limit and the grace, in a worker thread where no signal reaches it, is said on stderr and
    fails its call once it returns (``Overrun``); the process goes on."""
    _WATCH.fatal = False


class Watch:
    """One watchdog thread for many guarded calls: arming and disarming it costs a lock, not
    a thread each (a rule runs once per system). The thread ends once nothing has been armed
    for ``IDLE`` seconds, so that it outlives a run's plugin calls only briefly."""

    IDLE = 0.05

    def __init__(self) -> None:
        # Made with the first guarded call: a check that runs no plugin code imports no
        # ``threading`` (every commit pays for imports).
        self._changed: Optional[threading.Condition] = None
        # (ends at, time limit, thread id, number) of each guarded call under way, in any
        # thread; the number tells two calls apart.
        self.armed: List[Tuple[float, float, int, int]] = []
        self.thread: Optional[threading.Thread] = None
        self.fatal = True  # an overrun ends the process (``survive``: only the plugin's call)
        self.calls = 0
        self.late: Set[int] = set()  # the calls past their grace, still running (``survive``)

    @property
    def changed(self) -> threading.Condition:
        if self._changed is None:
            import threading

            self._changed = threading.Condition(threading.Lock())
        return self._changed

    def arm(self, seconds: float) -> Tuple[float, float, int, int]:
        import threading
        import time

        ends = time.monotonic() + seconds + grace(seconds)
        with self.changed:
            self.calls += 1
            token = (ends, seconds, threading.get_ident(), self.calls)
            self.armed.append(token)
            if self.thread is None:
                self.thread = threading.Thread(target=self.watch, daemon=True,
                                               name="ragft-lint plugin watchdog")
                self.thread.start()
            else:
                self.changed.notify()
        return token

    def disarm(self, token: Tuple[float, float, int, int]) -> bool:
        """The call ``token`` stands for has ended; whether it ran past its grace."""
        with self.changed:
            if token in self.armed:
                self.armed.remove(token)
                return False
            self.late.discard(token[3])
            return not self.fatal

    def watch(self) -> None:
        import time

        with self.changed:
            while True:
                if not self.armed:
                    if not self.changed.wait(self.IDLE) and not self.armed:
                        self.thread = None
                        return
                    continue
                first = min(self.armed)
                left = first[0] - time.monotonic()
                if left > 0:
                    self.changed.wait(left)
                    continue
                _, seconds, watched, number = first
                frame = sys._current_frames().get(watched)
                stopped = stopped_plugin(frame, seconds, seconds + grace(seconds), self.fatal)
                line = f"ragft-lint: {stopped}\n"
                with contextlib.suppress(OSError):
                    os.write(2, line.encode("utf-8", "backslashreplace"))
                if self.fatal:
                    os._exit(STOPPED)  # no flushing: what stdout holds is not a whole report
                # Said once; the call fails when it returns (``disarm`` finds it gone).
                self.armed.remove(first)
                self.late.add(number)

    def forked(self) -> None:
        """In a forked child: the watchdog thread did not come along, nor may its lock."""
        self._changed = None
        self.armed = []
        self.late = set()
        self.thread = None


_WATCH = Watch()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCH.forked)


# The plugins being loaded, by the top-level module their entry point names: (entry point
# name, distribution, version). The host tells them (``known``) as it loads each, so that the
# watchdog can name whose code is running without importing the host.
OWNERS: Dict[str, Tuple[str, str, str]] = {}


def known(name: str, value: str, distribution: str, version: str) -> None:
    """Tell the watchdog of a plugin's entry point (``module:attribute`` in ``value``)."""
    OWNERS[value.partition(":")[0].strip().split(".")[0]] = (name, distribution, version)


def stopped_plugin(frame: Optional[FrameType], seconds: float, ended: float,
                   fatal: bool = True) -> str:
    """The failure line of the plugin whose code is running in ``frame`` (its innermost
    frame from a plugin's module names it)."""
    from .errors import PluginError

    then = "the run was ended" if fatal else "its call fails when it returns"
    cause = (f"still running {ended:g} s after it started, past its time limit of "
             f"{seconds:g} s (it caught the limit's exception or blocked where it cannot "
             f"be interrupted); {then}")
    while frame is not None:
        owner = OWNERS.get(str(frame.f_globals.get("__name__", "")).split(".")[0])
        if owner is not None:
            return str(PluginError(*owner, cause))
        frame = frame.f_back
    return f"a plugin's code is {cause}"


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """File descriptor 1 pointed at stderr for the block, then restored."""
    _flush(sys.stdout)
    _flush(sys.__stdout__)
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all: nothing to protect
        yield
        return
    try:
        os.dup2(2, 1)
    except OSError:
        os.close(saved)
        yield
        return
    try:
        yield
    finally:
        _flush(sys.__stdout__)  # what the plugin left in Python's buffer goes to stderr too
        os.dup2(saved, 1)
        os.close(saved)


def _flush(stream: object) -> None:
    flush = getattr(stream, "flush", None)
    if flush is not None:
        with contextlib.suppress(Exception):  # closed or odd streams: nothing to flush
            flush()
