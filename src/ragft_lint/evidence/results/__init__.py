"""Eval tools' result files read into per-case scores (measured-quality.md, "Eval tools' result
files"; what each tool writes is in result-formats.md).

A ``ResultReader`` knows one tool's files: ``sniff`` tells from the first bytes and the name
whether a file is one of them, ``read`` turns it into ``CaseScores``. Readers come from plugins
through ``ragft_lint_result_readers``; the built-in ones (named in ``evidence/result_reader.py``)
are registered through the same hook. Nothing here imports the tools that wrote the files.

This module holds only the types and the choice of a reader, so that the plugin host can check
what plugins return without importing any reader. The built-in readers share ``json_files``
(JSON documents and JSON Lines, read within bounds) and ``cases`` (the scores of every case,
gathered in one pass).
"""

from __future__ import annotations

import math
from typing import (
    TYPE_CHECKING,
    Any,
    BinaryIO,
    Callable,
    Dict,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

if TYPE_CHECKING:  # the plugin host imports this module on every run: it stays this light
    from ..measurements import Malformed

# Opens a path for reading in binary, or raises ``Refused`` with the reason.
Opener = Callable[[str], BinaryIO]

# The reader type lives beside the built-in readers' names, which the host loads on every run.
from ..result_reader import ResultReader, builtin_readers  # noqa: E402

# What ``sniff`` sees: enough to find the keys a tool writes first, little enough to be cheap.
HEAD_BYTES = 16 << 10


class NotReadable(Exception):
    """A result file that gives no per-case scores; ``reason`` says why, in the user's words.

    The opener raises ``evidence.safety.Refused`` for a path it will not open; both carry a
    ``reason`` to show after the path.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Ambiguous(NotReadable):
    """A file holding several metrics (tasks, providers, prompts, filters) where the declaration
    names none of them.

    A declaration error rather than a bad file, whatever the values: ``what`` is the key
    (``metric``, ``task``, ``provider``, ``prompt``, ``filter``), ``choices`` the names the file
    holds, so the message can list them.
    """

    def __init__(self, what: str, choices: Sequence[str]) -> None:
        listed = ", ".join(repr(c) for c in choices)
        super().__init__(f"holds several {what}s ({listed}): name the one that counts "
                         f"with `{what}:`")
        self.what = what
        self.choices = tuple(choices)

    def of(self, path: str, toml: bool = False) -> str:
        """The declaration error, said of the file ``path`` names, with the form to write (in
        TOML's inline-table words for ``toml``)."""
        import json

        if toml:
            form = f"{{path = {json.dumps(path)}, {self.what} = {json.dumps(self.choices[0])}}}"
        else:
            form = f"{{path: {path}, {self.what}: {self.choices[0]!r}}}"
        return f"{path} {self.reason}, as in `{form}`"


class CaseScores(NamedTuple):
    """The per-case scores one result file holds, for one metric of one task.

    ``scores`` maps each scored case id to its score, in the order of the file. ``unscored``
    counts the cases the file names without a usable score (an error, NaN, no value), the first
    few of them in ``first_unscored``; they are counted, never averaged as 0. ``malformed``
    counts records that could not be read at all (and ids that repeat). ``complete`` is false
    when the file stops short: a run that did not finish, a truncated last record. ``metrics``
    and ``tasks`` are what the file holds, for messages and for ``metric:``/``task:``.
    """

    path: str
    tool: str
    metric: Optional[str]
    task: Optional[str]
    scores: Mapping[str, float]
    unscored: int
    first_unscored: Tuple[str, ...]
    malformed: int
    first_malformed: Tuple[Malformed, ...]
    complete: bool
    metrics: Tuple[str, ...]
    tasks: Tuple[str, ...] = ()
    errored: int = 0
    figure: Optional[float] = None
    counted: Optional[int] = None

    @property
    def cases(self) -> int:
        """Cases the file names, scored or not (for a file of aggregates only, its count)."""
        if self.counted is not None and not self.scores:
            return self.counted
        return len(self.scores) + self.unscored

    @property
    def mean(self) -> Optional[float]:
        """The file's figure: the tool's own headline where it is not the mean of the cases
        (``figure``), else the mean over the scored cases; None when there is none."""
        if self.figure is not None:
            return self.figure
        return math.fsum(self.scores.values()) / len(self.scores) if self.scores else None

    @property
    def binary(self) -> bool:
        """Whether every score is a pass (1) or a fail (0), as the paired tests need to know."""
        return all(value in (0.0, 1.0) for value in self.scores.values())

    def to_json(self) -> Dict[str, Any]:
        data = self._asdict()
        # JSON keeps the order of an object's members; the pairs make that explicit.
        data["scores"] = [[case, value] for case, value in self.scores.items()]
        data["first_unscored"] = list(self.first_unscored)
        data["first_malformed"] = [list(m) for m in self.first_malformed]
        data["metrics"] = list(self.metrics)
        data["tasks"] = list(self.tasks)
        return data

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> CaseScores:
        from ..measurements import Malformed

        return cls(
            path=str(data["path"]),
            tool=str(data["tool"]),
            metric=None if data["metric"] is None else str(data["metric"]),
            task=None if data["task"] is None else str(data["task"]),
            scores={str(case): float(value) for case, value in data["scores"]},
            unscored=int(data["unscored"]),
            first_unscored=tuple(str(c) for c in data["first_unscored"]),
            malformed=int(data["malformed"]),
            first_malformed=tuple(Malformed(int(m[0]), str(m[1]))
                                  for m in data["first_malformed"]),
            complete=bool(data["complete"]),
            metrics=tuple(str(m) for m in data["metrics"]),
            tasks=tuple(str(t) for t in data.get("tasks", ())),
            errored=int(data.get("errored", 0)),
            figure=None if data.get("figure") is None else float(data["figure"]),
            counted=None if data.get("counted") is None else int(data["counted"]),
        )


def opener_inside(root: str) -> Opener:
    """An opener for regular files inside ``root`` (relative paths are relative to it), none
    larger than the evidence limit: result files come from other people's runs."""
    from .. import safety

    def open_inside(path: str) -> BinaryIO:
        real = safety.resolve(root, path, root)
        handle, identity = safety.open_regular(real)
        if identity.size > safety.MAX_FILE_BYTES:
            handle.close()
            raise NotReadable(f"is larger than {safety.MAX_FILE_BYTES >> 30} GiB: not read")
        return handle

    return open_inside


def choose(readers: Mapping[str, ResultReader], fmt: Optional[str], head: str,
           path: str) -> ResultReader:
    """The reader ``fmt`` names, or the first whose ``sniff`` accepts the file."""
    if fmt is not None:
        found = readers.get(fmt)
        if found is None:
            from ...suggest import hint

            raise NotReadable(f"format {fmt!r} is not a result format (known: "
                              f"{', '.join(sorted(readers))}){hint(fmt, list(readers))}")
        return found
    for reader in readers.values():
        if reader.sniff(head, path):
            return reader
    raise NotReadable("is not a result file of any known eval tool "
                      f"({', '.join(readers)}): name the tool with `format:`")


# The keys beside ``metric:`` and ``task:`` that pick the part of a file that counts; a
# built-in reader takes those given as a fifth argument (``Selectors``).
SELECTORS = ("provider", "prompt", "filter")
Selectors = Dict[str, str]
EMPTY = "is empty: it holds no scored case"


def selectors_of(values: Mapping[str, Any]) -> Selectors:
    """The selectors a declaration gives (``provider:``, ``prompt:``, ``filter:``), as text."""
    return {key: str(values[key]) for key in SELECTORS if values.get(key) is not None}


def refuse_selectors(selectors: Optional[Selectors], taken: Sequence[str], tool: str) -> None:
    """``NotReadable`` for a selector the file's tool has no use for."""
    for key in selectors or {}:
        if key not in taken:
            raise NotReadable(f"is a {tool} file, which has no {key}s: `{key}:` is for "
                              f"{_TAKEN_BY[key]} files")


_TAKEN_BY = {"provider": "promptfoo", "prompt": "promptfoo", "filter": "lm-evaluation-harness"}


def call_reader(reader: ResultReader, path: str, opener: Opener, metric: Optional[str],
                task: Optional[str], selectors: Optional[Selectors], built_in: bool,
                ) -> CaseScores:
    """``reader.read``, with the selectors when there are any (a plugin's reader takes none)."""
    if not selectors:
        return reader.read(path, opener, metric, task)
    if not built_in:
        raise NotReadable(f"is read by the plugin reader {reader.name!r}, which takes no "
                          f"`{next(iter(selectors))}:`")
    return reader.read(path, opener, metric, task, selectors)  # type: ignore[call-arg]


def read_results(path: str, opener: Opener, *, fmt: Optional[str] = None,
                 metric: Optional[str] = None, task: Optional[str] = None,
                 readers: Optional[Mapping[str, ResultReader]] = None,
                 provider: Optional[str] = None, prompt: Optional[str] = None,
                 filter: Optional[str] = None) -> CaseScores:
    """The per-case scores of one result file, read by the reader ``fmt`` names or sniffs."""
    from ..result_reader import BUILT_IN

    if readers is None:
        readers = builtin_readers()
    with opener(path) as handle:
        head = handle.read(HEAD_BYTES).decode("utf-8", errors="replace")
    if not head.strip():
        raise NotReadable(EMPTY)
    reader = choose(readers, fmt, head, path)
    selectors = selectors_of({"provider": provider, "prompt": prompt, "filter": filter})
    built_in = reader.name in {name for name, _, _ in BUILT_IN}
    return call_reader(reader, path, opener, metric, task, selectors, built_in)


__all__ = ["EMPTY", "SELECTORS", "Ambiguous", "CaseScores", "NotReadable", "Opener",
           "ResultReader", "Selectors", "call_reader", "choose", "opener_inside",
           "read_results", "refuse_selectors", "selectors_of"]
