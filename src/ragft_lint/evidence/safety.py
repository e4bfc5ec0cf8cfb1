"""Opening evidence files: regular files inside the project root, and nothing else.

A declaration is often written by someone other than the person running the check, so the
paths it names are not trusted. A path is resolved (symbolic links included) and must stay
inside the project root; it must then be a regular file. FIFOs, devices, sockets and folders
are refused from their metadata, before anything opens them: opening a FIFO for reading
waits for a writer, and opening some devices has effects of its own. The file is then opened
without following a link in its last part and without blocking, and checked again through
the open descriptor, so that a file swapped between the check and the open is refused too.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO, NamedTuple, Tuple

from ..declaration.paths import OutsideRoot, resolve_inside

# Larger files are not measured: a scan would take minutes and the hashes of their records
# would not fit in a bounded amount of memory.
MAX_FILE_BYTES = 1 << 30


class Refused(Exception):
    """A declared evidence path that will not be read; the message says why."""

    def __init__(self, reason: str, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


class Identity(NamedTuple):
    """What tells one version of a file from another, as far as the cache is concerned."""

    size: int
    mtime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, info: os.stat_result) -> Identity:
        return cls(info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev)


def resolve(base: str, declared: str, root: str) -> str:
    """The real path of ``declared`` (relative to ``base``), if it stays inside ``root``."""
    try:
        return resolve_inside(base, declared, root)
    except OutsideRoot as exc:
        raise Refused(str(exc)) from None


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in the user's words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def inspect(real: str) -> os.stat_result:
    """The metadata of a resolved path, refusing anything that is not a readable regular file."""
    try:
        info = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        raise Refused("does not exist", missing=True) from None
    except PermissionError:
        raise Refused("cannot be read: permission denied") from None
    except OSError as exc:
        raise Refused(f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"is {_kind(info.st_mode)}, not a regular file: not read")
    return info


def open_regular(real: str) -> Tuple[BinaryIO, Identity]:
    """Open a resolved path that ``inspect`` accepted, for reading in binary."""
    expected = inspect(real)
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOFOLLOW", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, name, 0)  # each where the platform has it
    try:
        fd = os.open(real, flags)
    except PermissionError:
        raise Refused("cannot be read: permission denied") from None
    except OSError as exc:
        raise Refused(f"cannot be opened: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != (
                expected.st_dev, expected.st_ino):
            raise Refused("changed while it was being opened: not read")
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return handle, Identity.of(info)
