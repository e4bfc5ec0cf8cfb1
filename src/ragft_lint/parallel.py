"""Work shared between this process and forked children, for large inputs.

A declaration of thousands of systems spends its time reading the file and in the rules,
system by system; a training set of half a million examples, in reading its lines. Where the
platform forks cheaply and safely (Linux, no other thread running, more than one CPU), part
of that work runs in child processes meanwhile: the TOML position scan beside the TOML
parser, the second half of the systems beside the first, the byte ranges of a large evidence
file beside each other. A child sends its result back pickled through a pipe. Anything
going wrong in a child (an exception, a result that cannot be pickled, a crash) only costs
time: this process then does that part itself. Elsewhere, and for small inputs, everything
runs here, in order.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, Callable, List, Optional, Sequence, Tuple, TypeVar, cast

Item = TypeVar("Item")
Result = TypeVar("Result")
Here = TypeVar("Here")
There = TypeVar("There")

# Below this many items a fork costs more than it saves.
MIN_ITEMS = 256
# How long this process waits for its children once its own share is done: as long again as
# that share took, and at least this long; then it kills them and does their shares itself.
MIN_WAIT_SECONDS = 10.0


def can_fork() -> bool:
    """Whether forking is both possible and safe here, and could run in parallel."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if threads() != 1:  # a fork copies locks other threads may hold
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return False


def threads() -> int:
    """The OS threads of this process (Linux: its ``/proc/self/task``), counting those a C
    library started (Arrow's pool after a Parquet read), which Python's ``threading`` does
    not know; 0 when they cannot be counted."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


def cores() -> int:
    """The CPUs this process may run on (1 where that cannot be told)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def beside(here: Callable[[], Here], there: Callable[[], There]) -> Tuple[Here, There]:
    """``(here(), there())``, with ``there`` run in a forked child while ``here`` runs here.

    Only where ``can_fork()``; otherwise one after the other, in this process. ``there`` must
    not depend on which process runs it, and its result must pickle. An exception from
    ``here`` stops the child and propagates; anything going wrong with ``there`` in the child
    means running it again here.
    """
    mine, theirs = side_by_side([here, there])
    return cast(Here, mine), cast(There, theirs)


def side_by_side(tasks: Sequence[Callable[[], Result]]) -> List[Result]:
    """``[task() for task in tasks]``, the first run here while each of the others runs in a
    forked child of its own (as ``beside`` does for two)."""
    if len(tasks) < 2 or not can_fork():
        return [task() for task in tasks]
    import time

    children: List[Optional[Tuple[int, int]]] = []
    started = time.monotonic()
    try:
        for task in tasks[1:]:
            children.append(_start(task))
        mine = tasks[0]()
    except BaseException:
        for child in children:
            if child is not None:
                _reap(*child)
        raise
    took = time.monotonic() - started
    until = time.monotonic() + max(took, MIN_WAIT_SECONDS)
    results = [mine]
    for task, child in zip(tasks[1:], children):
        theirs = None if child is None else _collect(*child, until)
        results.append(task() if theirs is None else theirs[0])
    return results


def _start(task: Callable[[], Any]) -> Optional[Tuple[int, int]]:
    """(pid, read end of its pipe) of a child forked to run ``task``; None when none could be."""
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        child = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if child == 0:  # pragma: no cover - runs in the child, which never returns
        _child(task, read, write)
    os.close(write)
    return child, read


def in_two(work: Callable[[Sequence[Item]], Result], items: Sequence[Item],
           merge: Callable[[Result, Result], Result]) -> Result:
    """``work(items)``, computed as ``merge(work(first half), work(second half))``.

    The halves run side by side (``beside``) when there are at least ``MIN_ITEMS``.
    """
    if len(items) < MIN_ITEMS or not can_fork():
        return work(items)
    half = len(items) // 2
    first, second = items[:half], items[half:]
    return merge(*beside(lambda: work(first), lambda: work(second)))


def _child(there: Callable[[], Any], read: int,
           write: int) -> None:  # pragma: no cover - measured through the parent's results
    status = 1
    try:
        import pickle

        os.close(read)
        payload = pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        status = 0
    except BaseException:  # anything at all: the parent redoes the work
        pass
    finally:
        os._exit(status)  # no cleanup, no flushing of buffers the parent owns


def _collect(child: int, read: int, until: float) -> Optional[List[Any]]:
    """The child's result (in a one-item list), or None when it did not deliver one by
    ``until`` (a ``time.monotonic`` time): a child that hangs is killed, never waited for."""
    import pickle
    import select
    import time

    chunks = []
    try:
        while True:
            left = until - time.monotonic()
            if left <= 0 or not select.select([read], [], [], left)[0]:
                _reap(child, read)
                return None
            chunk = os.read(read, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        _reap(child, read)
        return None
    os.close(read)
    status = _wait(child, until)
    if status != 0 or not chunks:
        return None
    try:
        return [pickle.loads(b"".join(chunks))]
    except Exception:  # a truncated or odd payload: redo the work here
        return None


def _wait(child: int, until: float) -> Optional[int]:
    """The child's exit status once it has closed its pipe; None (and the child killed) when
    it has not ended by ``until``."""
    import signal
    import time

    while True:
        with_status = os.waitpid(child, os.WNOHANG)
        if with_status[0] == child:
            return with_status[1]
        if time.monotonic() >= until:
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
            return None
        time.sleep(0.001)


def _reap(child: int, read: int) -> None:
    import signal

    os.close(read)
    with contextlib.suppress(OSError):  # already gone
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
