"""The members of a zip archive (an inspect_ai ``.eval`` log), read in memory with bounds.

Nothing is extracted to disk. The bounds hold against what the archive claims and against what
its members really decompress to, so a zip bomb stops at the bound with a reason. inspect_ai
compresses with Zstandard, which ``zipfile`` reads from Python 3.14 on; before that the
``zstandard`` package is used where it is installed.
"""

from __future__ import annotations

import struct
from typing import Any, BinaryIO, Iterator, Tuple

from . import NotReadable

MAX_MEMBERS = 200_000
MAX_MEMBER_BYTES = 64 << 20
MAX_TOTAL_BYTES = 1 << 30
CHUNK = 1 << 20
ZSTANDARD = 93  # the zip compression method number of Zstandard


class Archive:
    """An open zip archive, its members listed (and counted) before anything is read."""

    def __init__(self, handle: BinaryIO) -> None:
        import zipfile

        self.handle = handle
        try:
            self.zip = zipfile.ZipFile(handle)
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise NotReadable(f"is not a readable zip archive: {exc}") from None
        if len(self.infos) > MAX_MEMBERS:
            raise NotReadable(f"holds {len(self.infos)} members, more than {MAX_MEMBERS}: "
                              "not read")
        self.total = 0

    def names(self) -> Iterator[str]:
        return (info.filename for info in self.infos)

    def read(self, name: str) -> bytes:
        """One member's bytes, counted against the member and the total bound."""
        import zipfile
        import zlib

        info = self.zip.getinfo(name)
        try:
            if info.compress_type == ZSTANDARD and not _zipfile_has_zstd():
                data = self._zstd(info)
            else:
                data = self._chunks(self.zip.open(info))
        except NotReadable:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise NotReadable(f"member {name!r} cannot be read: {exc}") from None
        except NotImplementedError:
            raise NotReadable(f"member {name!r} uses a compression this Python cannot read") \
                from None
        except RuntimeError as exc:  # an encrypted member
            raise NotReadable(f"member {name!r} cannot be read: {exc}") from None
        return data

    def _chunks(self, stream: Any) -> bytes:
        parts = []
        size = 0
        with stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                self._count(len(chunk), size)
                parts.append(chunk)
        return b"".join(parts)

    def _count(self, more: int, member: int) -> None:
        self.total += more
        if member > MAX_MEMBER_BYTES:
            raise NotReadable(f"has a member larger than {MAX_MEMBER_BYTES >> 20} MiB once "
                              "decompressed: not read (a zip bomb?)")
        if self.total > MAX_TOTAL_BYTES:
            raise NotReadable(f"decompresses to more than {MAX_TOTAL_BYTES >> 30} GiB: not read "
                              "(a zip bomb?)")

    def _zstd(self, info: Any) -> bytes:
        import importlib
        import io

        try:
            zstandard: Any = importlib.import_module("zstandard")
        except ImportError:
            raise NotReadable("is compressed with Zstandard, which this Python reads only "
                              "with the zstandard package (pip install 'ragft-lint[inspect]'), "
                              "or convert it: `inspect log convert --to json`") from None
        raw = self._raw(info)
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw),
                                                            read_across_frames=True)
        try:
            return self._chunks(reader)
        except zstandard.ZstdError as exc:
            raise NotReadable(f"member {info.filename!r} cannot be decompressed: {exc}") \
                from None

    def _raw(self, info: Any) -> bytes:
        """A member's compressed bytes, found through its local header."""
        if info.compress_size > MAX_TOTAL_BYTES:
            raise NotReadable(f"member {info.filename!r} is too large: not read")
        self.handle.seek(info.header_offset)
        header = self.handle.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise NotReadable(f"member {info.filename!r} has no local header: not read")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        self.handle.seek(info.header_offset + 30 + name_length + extra_length)
        raw = self.handle.read(info.compress_size)
        if len(raw) < info.compress_size:
            raise NotReadable(f"member {info.filename!r} is cut off: the archive is truncated")
        return raw


def _zipfile_has_zstd() -> bool:
    import zipfile

    return hasattr(zipfile, "ZIP_ZSTANDARD")


def members(handle: BinaryIO, prefix: str) -> Iterator[Tuple[str, bytes]]:
    """The members under ``prefix``, in the order of the archive, each read with the bounds."""
    archive = Archive(handle)
    for name in list(archive.names()):
        if name.startswith(prefix) and not name.endswith("/"):
            yield name, archive.read(name)
