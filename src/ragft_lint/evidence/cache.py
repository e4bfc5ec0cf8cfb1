"""The evidence cache: measurements kept until the files they describe change.

The cache is a folder beside the declaration, ``.ragft_lint_cache`` (or the folder named by
``RAGFT_LINT_CACHE_DIR``). It holds its own ``.gitignore`` (``*``), so git ignores it without
the project having to say so, and a ``CACHEDIR.TAG`` that backup tools understand. Entries
live in a subfolder per version of ragft-lint, one JSON file per measured slot (a file read
with given settings, a training set checked against an eval set, a retrieval run with its
judgements, an eval tool's result file read into per-case scores); each entry records the
identity of the files it was measured from (size, modification time, inode, device), and an
entry whose files no longer have that identity is measured again and replaced.

Measurements of small files (under ``MIN_BYTES`` together) are not stored: measuring them
again takes a few milliseconds, and a project whose evidence is small gets no cache folder at
all. Neither are measurements of files modified in the last ``SETTLE_SECONDS``: a file that is
being written may change again within the resolution of its modification time.

Everything is best-effort: a cache that cannot be read or written is ignored, never an error.
A cache folder, or an entry, that is a symbolic link is not used: a repository could commit
one pointing anywhere, and the cache would then read or write there.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
import zlib
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    ItemsView,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    ValuesView,
)

from .._version import __version__
from ..atomic import write_text
from .safety import Identity

if TYPE_CHECKING:
    from .results import CaseScores

FOLDER = ".ragft_lint_cache"
ENVIRONMENT = "RAGFT_LINT_CACHE_DIR"
# Bumped whenever what a slot holds, or how it is measured, changes.
FORMAT = 2
MIN_BYTES = 1 << 20
# An entry larger than this is not read back: the per-case scores of a 50k-case result file
# take a few MiB, and nothing a check stores needs more.
MAX_ENTRY_BYTES = 64 << 20
SETTLE_SECONDS = 2.0
GITIGNORE = "# Created by ragft-lint: everything in this folder is a cache.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by ragft-lint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def folder_for(declaration_folder: str) -> str:
    """Where the cache of a declaration in ``declaration_folder`` lives."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen:
        return os.path.abspath(chosen)
    return os.path.join(declaration_folder, FOLDER)


class Store:
    """The cache entries of one declaration."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.entries = os.path.join(folder, f"{__version__}-{FORMAT}")

    def _file(self, slot: str) -> str:
        return os.path.join(self.entries, f"{zlib.crc32(slot.encode('utf-8')):08x}.json")

    def get(self, slot: str, identities: Sequence[Identity]) -> Optional[Dict[str, Any]]:
        """The value stored for ``slot`` when it was measured from files with these identities."""
        if not self._trusted():
            return None
        try:
            entry = json.loads(_read_regular(self._file(slot)))
        except (OSError, ValueError, RecursionError):  # the decoder recurses per level
            return None
        if not plain(entry):
            return None
        if not isinstance(entry, dict) or entry.get("slot") != slot:
            return None
        if entry.get("identities") != _plain(identities):
            return None
        value = entry.get("value")
        return value if isinstance(value, dict) else None

    def put(self, slot: str, identities: Sequence[Identity], value: Dict[str, Any]) -> None:
        """Store a value, when the files it was measured from are large enough and settled."""
        if sum(i.size for i in identities) < MIN_BYTES:
            return
        now_ns = time.time_ns()
        if any(now_ns - i.mtime_ns < SETTLE_SECONDS * 1e9 for i in identities):
            return
        entry = {"slot": slot, "identities": _plain(identities), "value": value}
        with contextlib.suppress(OSError):
            if not self._trusted():
                return
            self._prepare()
            write_text(self._file(slot), json.dumps(entry, separators=(",", ":")))

    def _prepare(self) -> None:
        """Create the folders, with the files that keep git and backups out of them."""
        os.makedirs(self.folder, exist_ok=True)
        # The .gitignore first: a run stopped half-way leaves no folder git would report.
        for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
            path = os.path.join(self.folder, name)
            if not os.path.exists(path):
                write_text(path, text)
        os.makedirs(self.entries, exist_ok=True)


    def _trusted(self) -> bool:
        """Whether the cache folders are real folders, not links leading somewhere else."""
        for folder in (self.folder, self.entries):
            try:
                if stat.S_ISLNK(os.lstat(folder).st_mode):
                    return False
            except OSError:
                continue  # not there yet: nothing to read, and put() creates it
        return True


# What an entry may hold: anything the tool wrote is a few levels deep, with finite numbers and
# integers of 64 bits (an identity's nanosecond times need that many). Anything else was not
# written by this version of the tool (an edited or planted file): a miss, measured again,
# rather than an overflow later.
MAX_DEPTH = 32
MAX_INT = 2 ** 63


def plain(value: Any) -> bool:
    """Whether a decoded entry is shallow, with finite floats and integers of 64 bits."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        elif isinstance(node, float):
            if node != node or node in (float("inf"), float("-inf")):
                return False
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) >= MAX_INT:
            return False
    return True


def scores_to_entry(scores: CaseScores, estimate: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """What the cache keeps of a result file, as two entries: ``CaseScores.to_json()`` without
    the scores but with their count and their estimate (``SystemEvidence.score``), which is
    all most runs read; and the scores themselves as two flat lists, ids and values, read only
    when something asks for them (the paired comparison of two result files)."""
    summary = {**scores.to_json(), "scores": [], "count": len(scores.scores),
               "estimate": None if estimate is None else list(estimate)}
    return summary, {"ids": list(scores.scores), "values": list(scores.scores.values())}


def scores_from_entry(data: Dict[str, Any], cases: Callable[[], Dict[str, float]]) -> CaseScores:
    """The ``CaseScores`` of a summary entry, its scores read by ``cases`` when first asked for;
    raises ``ValueError`` (or ``KeyError``, ...) for an entry of another shape."""
    from .results import CaseScores
    from .statistics import Estimate

    count, estimate = data["count"], data["estimate"]
    if not isinstance(count, int) or count < 0:
        raise ValueError("not the entry of a result file")
    known = None if estimate is None else Estimate(float(estimate[0]), float(estimate[1]),
                                                   float(estimate[2]), int(estimate[3]),
                                                   str(estimate[4]))
    return CaseScores.from_json(data)._replace(scores=StoredScores(count, known, cases))


def cases_from_entry(data: Optional[Dict[str, Any]], count: int) -> Optional[Dict[str, float]]:
    """The per-case scores of a cases entry; None for none, or for one of another shape."""
    if data is None:
        return None
    ids, values = data.get("ids"), data.get("values")
    if not (isinstance(ids, list) and isinstance(values, list) and len(ids) == len(values)
            == count):
        return None
    return dict(zip(ids, values))


class StoredScores(Mapping[str, float]):
    """Per-case scores read back from the cache: their number and their estimate at once, the
    scores themselves (a few MiB for a 50,000-case file) only when first looked into."""

    def __init__(self, count: int, estimate: Any, cases: Callable[[], Dict[str, float]]) -> None:
        self.count = count
        self.estimate = estimate
        self._cases = cases
        self._loaded: Optional[Dict[str, float]] = None

    def _all(self) -> Dict[str, float]:
        if self._loaded is None:
            self._loaded = self._cases()
        return self._loaded

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, case: str) -> float:
        return self._all()[case]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __contains__(self, case: object) -> bool:
        return case in self._all()

    def values(self) -> ValuesView[float]:
        return self._all().values()

    def items(self) -> ItemsView[str, float]:
        return self._all().items()

    def __eq__(self, other: object) -> bool:
        return dict(self._all()) == other if isinstance(other, Mapping) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._all())


def _read_regular(path: str) -> bytes:
    """The bytes of a cache entry that is a regular file (not a link, a FIFO or a device)."""
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOFOLLOW", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, name, 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            raise OSError("not a cache entry")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def _plain(identities: Sequence[Identity]) -> List[List[int]]:
    return [list(i) for i in identities]
