"""Writing files so that a failed, interrupted or concurrent run never loses a byte or an update.

Every file ragft-lint writes goes to a temporary file beside the target, is flushed to disk,
then renamed over the target in one step: a crash before the rename leaves the old file
untouched and at worst a stray temporary file, which is removed when possible.

The user's files (the declaration that ``--fix``, ``waive`` and ``init`` edit, the baseline of
``--write-baseline``) go through ``Locked``: an exclusive lock is held across the whole
read-modify-write, the file is compared byte for byte with what was read right before it is
replaced (an editor does not take the lock), the new file keeps the old one's mode, owner and
group, a symlink is written through to its target when that stays inside the project root, and
files whose replacement would silently part from another name (hard links) or that their owner
made read-only are refused. The evidence cache, which is ragft-lint's own, uses ``write_text``.
"""

from __future__ import annotations

import contextlib
import os
import stat
from typing import Dict, Optional, Tuple, Union

from .errors import RagftLintError

PathLike = Union[str, "os.PathLike[str]"]

CHANGED = "the file changed while it was being edited; nothing was written"

# The files this process holds locked, by device and inode: a second lock on one of them (the
# same file under another name) would wait for this process itself, for ever.
_HELD: Dict[Tuple[int, int], str] = {}


class WriteRefused(RagftLintError):
    """A user's file that ragft-lint will not replace, or that changed under the edit: nothing
    was written. Exit status 2, as for every other request that cannot be carried out."""

    def __init__(self, display: str, why: str) -> None:
        self.display = display
        self.why = why
        super().__init__(f"{display}: {why}")


def write_text(path: PathLike, text: str, encoding: str = "utf-8") -> None:
    """Replace the file at ``path`` with ``text`` atomically; raises ``OSError`` on failure."""
    write_bytes(path, text.encode(encoding))


def write_bytes(path: PathLike, data: bytes) -> None:
    target = os.fspath(path)
    try:
        mode: Optional[int] = os.stat(target).st_mode & 0o7777
    except OSError:  # a new file: the usual 0o666 less the umask
        mode = None
    _write_beside(target, data, mode, None)


class Locked:
    """A user's file held under an exclusive lock for a read-modify-write.

    ``current()`` reads it; ``replace(data, expected)`` replaces it with ``data`` when it still
    holds exactly ``expected`` (None: when it still does not exist). Policy refusals raise
    ``WriteRefused``; a failed write raises ``OSError`` for the caller to name. Use it as a
    context manager: the lock is released when the block ends.
    """

    def __init__(self, path: PathLike, display: str, root: Optional[PathLike] = None) -> None:
        self.path = os.fspath(path)
        self.display = display
        self.target = self._resolved(root)
        self._fd = -1
        self._key = (0, 0)
        self._lock()

    def _resolved(self, root: Optional[PathLike]) -> str:
        """The file to write: ``path`` itself, or the target of the symlink it is, when that
        target stays inside the project root (the repository above the link's folder)."""
        path = os.path.abspath(self.path)
        if not os.path.islink(path):
            return path
        from .declaration.discovery import project_root

        folder = os.path.realpath(os.path.dirname(path))
        top = os.path.realpath(os.fspath(root)) if root is not None else project_root(folder)
        real = os.path.realpath(path)
        if os.path.commonpath([top, real]) != top:
            raise WriteRefused(self.display, "a symlink to a file outside the project root; "
                                             "nothing was written: edit the file it points to "
                                             "there")
        return real

    def _lock(self) -> None:
        """Take the lock: on the file itself, or on its folder while it does not exist yet.

        The file is locked rather than a lock file beside it, so that nothing is left in the
        user's folder; a writer that took the lock on a file that was replaced meanwhile
        locks the new file instead.
        """
        try:
            import fcntl
        except ImportError:  # no advisory locks here: the byte comparison still guards
            return
        while True:
            exists = os.path.lexists(self.target)
            where = self.target if exists else os.path.dirname(self.target)
            try:
                fd = os.open(where, os.O_RDONLY)
            except FileNotFoundError:
                if exists:
                    continue  # replaced between the two calls: look again
                raise
            try:
                info = os.fstat(fd)
                key = (info.st_dev, info.st_ino)
                if key in _HELD:
                    raise WriteRefused(self.display, f"the same file as {_HELD[key]}, which "
                                                     "this run is editing; nothing was written")
                fcntl.flock(fd, fcntl.LOCK_EX)
                if os.path.lexists(self.target) == exists and \
                        (not exists or _same_file(info, os.stat(self.target))):
                    self._fd = fd
                    self._key = key
                    _HELD[key] = self.display
                    return
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)

    def close(self) -> None:
        if self._fd >= 0:
            _HELD.pop(self._key, None)
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = -1

    def __enter__(self) -> Locked:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def current(self) -> Optional[bytes]:
        """The file's bytes now; None when it does not exist."""
        try:
            with open(self.target, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def replace(self, data: bytes, expected: Optional[bytes]) -> None:
        """Replace the file with ``data``, if it still holds ``expected``."""
        if self.current() != expected:
            raise WriteRefused(self.display, CHANGED)
        if expected is None:
            _write_beside(self.target, data, None, None, create=True, display=self.display)
            return
        info = os.stat(self.target)
        if not stat.S_ISREG(info.st_mode):
            raise WriteRefused(self.display, "not a regular file; nothing was written")
        if info.st_nlink > 1:
            raise WriteRefused(self.display, f"the file has {info.st_nlink - 1} other hard "
                                             "link(s), which a new file would part from; "
                                             "nothing was written: edit it by hand")
        if not info.st_mode & 0o222 or not os.access(self.target, os.W_OK):
            raise WriteRefused(self.display, "the file is read-only; nothing was written: "
                                             "make it writable first if it should change")
        _write_beside(self.target, data, info.st_mode & 0o7777, info)


def _same_file(one: os.stat_result, other: os.stat_result) -> bool:
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def _write_beside(target: str, data: bytes, mode: Optional[int], owner: Optional[os.stat_result],
                  create: bool = False, display: str = "") -> None:
    """Write ``data`` to a temporary file beside ``target`` and rename it over ``target``
    (``create``: link it there, which fails when a file appeared meanwhile).

    ``mode`` is set exactly, with no umask and with setgid and the like kept; ``owner``'s
    owner and group are kept where the user may set them.
    """
    folder = os.path.dirname(os.path.abspath(target))
    # mkstemp lives in tempfile, whose import is costly; a pid-named sibling is enough here
    # because only this process writes it and O_EXCL refuses an existing one.
    temporary = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    created = 0o666 if mode is None else 0o600
    try:
        fd = os.open(temporary, flags, created)
    except FileExistsError:  # left by an earlier run that died with the same process id
        os.unlink(temporary)
        fd = os.open(temporary, flags, created)
    try:
        with os.fdopen(fd, "wb") as handle:
            if owner is not None and hasattr(os, "fchown"):
                with contextlib.suppress(PermissionError):
                    os.fchown(handle.fileno(), owner.st_uid, owner.st_gid)
            if mode is not None:  # after the chown, which may clear setgid
                if hasattr(os, "fchmod"):
                    os.fchmod(handle.fileno(), mode)
                else:
                    os.chmod(temporary, mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if create:
            _link(temporary, target, display)
        else:
            os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _link(temporary: str, target: str, display: str) -> None:
    """Put the finished temporary file at ``target``, which must still not exist."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise WriteRefused(display, CHANGED) from None
    except OSError:  # a file system without hard links: the lock has to do
        if os.path.lexists(target):
            raise WriteRefused(display, CHANGED) from None
        os.replace(temporary, target)
        return
    os.unlink(temporary)

