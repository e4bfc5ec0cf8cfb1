"""Writing files so that a failed or interrupted run leaves the previous file as it was.

Every file ragft-lint writes (baselines, ``init``'s declaration, the evidence cache) goes
through ``write_text``: the new content goes to a temporary file beside the target, is flushed
to disk, then renamed over the target in one step. A crash before the rename leaves the old
file untouched and at worst a stray temporary file, which is removed when possible.
"""

from __future__ import annotations

import contextlib
import os
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


def write_text(path: PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace the file at ``path`` with ``text`` atomically; raises ``OSError`` on failure."""
    write_bytes(path, text.encode(encoding))


def write_bytes(path: PathLike, data: bytes) -> None:
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    # mkstemp lives in tempfile, whose import is costly; a pid-named sibling is enough here
    # because only this process writes it and O_EXCL refuses an existing one.
    temporary = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    mode = _existing_mode(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(temporary, flags, mode)
    except FileExistsError:  # left by an earlier run that died with the same process id
        os.unlink(temporary)
        fd = os.open(temporary, flags, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _existing_mode(target: str) -> int:
    """Keep the permissions of the file being replaced; new files get the usual 0o666 & ~umask."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        return 0o666
