"""Reading an eval tool's result file into per-case scores, with the reader that fits it.

The reader is the one ``format:`` names, else the first whose ``sniff`` accepts the file's
first bytes; the file is opened only inside the project root. A reader contributed by a plugin
runs under the plugin time limit, and its failure is that plugin's (named, exit 3); a built-in
reader's failure is a note, and the file goes unmeasured.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator, List, Mapping, Optional

from .measurements import Evidence
from .safety import MAX_FILE_BYTES, Refused

if TYPE_CHECKING:
    from .result_reader import ResultReader


def read(real: str, shown: str, fmt: Any, metric: Any, task: Any,
         result_readers: Optional[Mapping[str, ResultReader]], root_folder: str,
         evidence: Evidence, opened: Optional[BinaryIO] = None,
         selectors: Optional[Mapping[str, Any]] = None) -> Any:
    """``CaseScores``; the reason the file gives none (a ``str``); ``Refused``; ``Ambiguous``
    when the file holds several metrics (tasks, providers, prompts, filters) and the
    declaration names none; or None when a reader failed (a note names it). A plugin's reader
    runs under the plugin time limit.

    ``opened`` is the file already opened by the caller (``safety.open_regular``): its first
    bytes choose the reader, and the reader is handed the same handle, rewound, so the file is
    opened once. Without it, the file is opened here.
    """
    from .result_reader import BUILT_IN, builtin_readers
    from .results import (
        EMPTY,
        HEAD_BYTES,
        Ambiguous,
        NotReadable,
        call_reader,
        choose,
        opener_inside,
        selectors_of,
    )

    readers = result_readers or builtin_readers()
    ours = {name for name, _, _ in BUILT_IN}
    root = os.path.realpath(root_folder)
    relative = os.path.relpath(real, root)
    reader: Optional[ResultReader] = None
    spare = [opened] if opened is not None else []
    try:
        if not spare:
            spare.append(opener_inside(root)(relative))
        handle = spare[0]
        if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
            return f"is larger than {MAX_FILE_BYTES >> 30} GiB: not read"
        opener = _handing_over(spare, relative, opener_inside(root))
        head = handle.read(HEAD_BYTES).decode("utf-8", errors="replace")
        handle.seek(0)
        if not head.strip():
            return EMPTY
        sniffed = fmt is None and any(name not in ours for name in readers)
        with _plugin_time(sniffed):
            reader = choose(readers, fmt, head, relative)
        with _plugin_time(reader.name not in ours):
            return call_reader(reader, relative, opener, metric, task,
                               selectors_of(selectors or {}), reader.name in ours)
    except Refused as refused:
        return refused
    except Ambiguous as ambiguous:  # the declaration's problem, not the file's
        return ambiguous
    except NotReadable as unreadable:
        return unreadable.reason
    except OSError as exc:
        return f"could not be read: {exc.strerror or exc}"
    except Exception as exc:  # a reader's failure is not a fault of the user's file
        cause = f"{type(exc).__name__}: {exc}"
        if reader is not None and reader.name not in ours:  # the plugin's failure, named
            failure = (reader.name, f"result reader {reader.name!r} raised {cause} on "
                                    f"{shown}")
            if failure not in evidence.reader_failures:
                evidence.reader_failures.append(failure)
            return None
        named = "a result reader" if reader is None else f"the result reader {reader.name!r}"
        evidence.note("reader-failed",
                      f"{named} failed on {shown}: {cause}; the file was not measured", shown)
        return None
    finally:
        for left in spare:  # never handed to the reader (which closes what it opens)
            left.close()


def _handing_over(spare: List[BinaryIO], relative: str,
                  others: Callable[[str], BinaryIO]) -> Callable[[str], BinaryIO]:
    """An opener that hands the reader the file already open in ``spare`` (the first time it
    asks for it), and opens anything else it asks for inside the root as usual."""

    def open_(path: str) -> BinaryIO:
        if spare and os.path.normpath(path) == os.path.normpath(relative):
            return spare.pop()
        return others(path)

    return open_


@contextlib.contextmanager
def _plugin_time(guarded: bool) -> Iterator[None]:
    """Plugin code under the plugin time limit; the built-in readers as they are."""
    if not guarded:
        yield
        return
    from ..deadline import budget
    from ..guard import plugin_code

    with plugin_code(budget()):
        yield
