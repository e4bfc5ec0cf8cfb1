"""Measuring everything one declaration points to, once, for every rule to read.

For each system: the evidence files it names (each read once per run, however many systems
name it, and not at all when the cache still holds its measurements), the training set
checked against the eval set, and what git says about ``knowledge.sources`` and the eval
file. Problems that are not findings (git missing, a reader not installed) become notes,
each said once.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from typing import (
    TYPE_CHECKING,
    Any,
    BinaryIO,
    Dict,
    List,
    Mapping,
    NamedTuple,
    Optional,
    TextIO,
    Tuple,
)

from ..declaration.model import Declaration, System
from ..notes import INFO
from . import EVAL, FILE_KEYS, RESULT_HOW, RESULT_KEYS, RETRIEVAL_EVAL, TRAINING, WHOLE_FILE, Keys
from .cache import Store, cases_from_entry, folder_for, scores_from_entry, scores_to_entry
from .measurements import (
    EXAMPLES,
    Evidence,
    FileFacts,
    Malformed,
    Overlap,
    SystemEvidence,
    Unreadable,
    estimate,
    snippet,
)
from .progress import Progress
from .results import Ambiguous
from .safety import MAX_FILE_BYTES, Identity, Refused, inspect, open_regular, resolve

if TYPE_CHECKING:
    from . import history, measure
    from .result_reader import ResultReader

# The readers, the measurements and git are imported when a file has to be read or git run:
# a run answered by the cache needs none of them.
# The slot of a result file's per-case scores is its own slot with this after it.
CASES = " cases"
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
           ".parquet": "parquet"}


def guess_format(path: str) -> Optional[str]:
    """The format a file name suggests, or None."""
    lowered = path.lower()
    return next((fmt for suffix, fmt in FORMATS.items() if lowered.endswith(suffix)), None)


def measure_declaration(declaration: Declaration, as_of: datetime.date, use_cache: bool = True,
                        stream: Optional[TextIO] = None,
                        result_readers: Optional[Mapping[str, ResultReader]] = None) -> Evidence:
    """Measure the evidence of every system of a declaration.

    ``use_cache`` false (``--no-cache``) neither reads nor writes the cache; ``stream`` is
    where a progress line may go (stderr by default; only ever shown on a terminal).
    ``result_readers`` are the readers of eval tools' result files the plugins contributed
    (``Plugins.result_readers``); None or empty means the built-in ones.
    """
    base = os.path.dirname(os.path.abspath(declaration.document.file))
    collector = _Collector(
        root=str(declaration.root), base=base,
        store=Store(folder_for(base)) if use_cache else None,
        progress=Progress(sys.stderr if stream is None else stream),
        as_of=as_of, result_readers=result_readers,
    )
    try:
        for name, system in declaration.systems.items():
            collector.evidence.systems[name] = collector.system(system)
    finally:
        collector.progress.finish()
    return collector.evidence


class _Target(NamedTuple):
    """An evidence file to read: where it was declared, where it is, and how to read it."""

    key: Keys
    declared: str  # as messages show it
    given: str  # as declared
    real: str
    fmt: str
    input: Optional[str]
    output: Optional[str]
    identity: Identity

    @property
    def slot(self) -> List[Any]:
        return [self.real, self.fmt, self.input, self.output]


class _Collector:
    def __init__(self, root: str, base: str, store: Optional[Store], progress: Progress,
                 as_of: datetime.date,
                 result_readers: Optional[Mapping[str, ResultReader]] = None) -> None:
        self.root = root
        self.result_readers = result_readers
        self.base = base
        self.store = store
        self.progress = progress
        self.as_of = as_of
        self.evidence = Evidence(base)
        # Within one run, each slot is measured once (systems may share files).
        self.memo: Dict[str, Any] = {}
        self._git: Optional[history.Git] = None

    @property
    def git(self) -> history.Git:
        if self._git is None:
            from . import history

            self._git = history.Git(self.base, self.root, self.evidence.note)
        return self._git

    # -- one system ------------------------------------------------------------------------

    def system(self, system: System) -> SystemEvidence:
        found = SystemEvidence()
        targets: Dict[Keys, _Target] = {}
        run = system.get(*RETRIEVAL_EVAL)
        is_run = _is_run(run) or self.ranks_queries(run)
        if is_run:
            self.retrieval_run(run, found, system.get("rag", "retrieve_k"))
        for key in RESULT_KEYS:
            self.results(system, key, found)
        for key in FILE_KEYS:
            if (key == RETRIEVAL_EVAL and is_run) or key in RESULT_KEYS:
                continue
            target = self.target(system, key, found)
            if target is not None:
                targets[key] = target
        training, evaluation = targets.get(TRAINING), targets.get(EVAL)
        if training is not None and evaluation is not None:
            self.training_against_eval(training, evaluation, found)
        for key, target in targets.items():
            if key not in found.files and key not in found.unreadable:
                self.file(target, found, duplicates=key == TRAINING)
        self.sources(system, found)
        # The eval's date for EV003, EV004 and EV010, whatever else is declared.
        if evaluation is not None and not system.has("eval", "created_at"):
            found.eval_first_commit = self.git.first_commit(evaluation.given)
        return found

    def target(self, system: System, key: Keys, found: SystemEvidence) -> Optional[_Target]:
        spec = system.get(*key)
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            return None
        declared: str = spec["path"]
        shown = _shown(declared)
        try:
            real = resolve(self.base, declared, self.root)
            info = inspect(real)
        except Refused as refused:
            found.unreadable[key] = Unreadable(shown, refused.reason)
            return None
        if info.st_size > MAX_FILE_BYTES:
            too_large = f"{shown} is larger than {MAX_FILE_BYTES >> 30} GiB: not measured"
            self.evidence.note("not-measured", too_large, shown)
            return None
        fmt = spec.get("format") or guess_format(declared)
        if fmt is None:
            self.evidence.note("not-measured",
                               f"cannot tell the format of {shown} from its name: not measured "
                               "(declare format: jsonl, json, csv or parquet)", shown)
            return None
        return _Target(key, shown, declared, real, fmt, spec.get("input"), spec.get("output"),
                       Identity.of(info))

    # -- retrieval runs ----------------------------------------------------------------------

    def retrieval_run(self, spec: Dict[str, Any], found: SystemEvidence, retrieve_k: Any) -> None:
        """A retrieval run with its judgements: its figures, and its queries as the count that
        ``rag.retrieval_eval.examples`` declares. Cached on both files' identities."""
        from .retrieval import resolve_run

        shown = _shown(spec["path"])
        qrels = spec.get("qrels")
        qrels_shown = _shown(qrels) if isinstance(qrels, str) else "qrels"
        try:
            real, real_qrels = resolve_run(self.base, spec, self.root)
            identities = [Identity.of(inspect(p)) for p in (real, real_qrels) if p is not None]
        except Refused as refused:
            found.unreadable[RETRIEVAL_EVAL] = Unreadable(shown, refused.reason)
            return
        averaged = spec.get("queries") or "judged"  # trec_eval's default, or -c with "all"
        slot = json.dumps(["retrieval", real, real_qrels, spec.get("format"), averaged])
        measured: Any = self.memo.get(slot)
        if measured is None and self.store:
            from .retrieval_metrics import RetrievalFacts

            measured = _loaded(RetrievalFacts.from_json, self.store.get(slot, identities))
        if measured is None:
            from .retrieval import measure_run

            try:
                measured = measure_run(real, real_qrels, spec.get("format"), shown, qrels_shown,
                                       averaged=averaged)
            except Refused as refused:
                found.unreadable[RETRIEVAL_EVAL] = Unreadable(shown, refused.reason)
                return
            if self.store and not isinstance(measured, str):
                self.store.put(slot, identities, measured.to_json())
        self.memo[slot] = measured
        if isinstance(measured, str):  # not a run this reader knows: the file as a whole
            found.files[RETRIEVAL_EVAL] = _bad_file(shown, (Malformed(WHOLE_FILE, measured),))
            return
        measured = measured._replace(path=shown)
        found.retrieval = measured
        from .retrieval_metrics import run_notes

        for code, said in run_notes(measured, qrels_shown, retrieve_k):  # in every output
            self.evidence.note(code, said, shown, unmeasured=False, level=INFO)
        found.files[RETRIEVAL_EVAL] = FileFacts(
            shown, "line", measured.judged, measured.malformed,
            tuple(measured.first_malformed[:EXAMPLES]), measured.complete, 0, (), 0, 0, ())

    def ranks_queries(self, spec: Any) -> bool:
        """Whether a file under ``rag.retrieval_eval.path`` holds per-query rankings (JSON
        Lines whose first record has ``retrieved`` and ``relevant``, or a TREC run declared
        without its qrels, which is DA006), not records to count."""
        fmt = (spec.get("format") or guess_format(spec["path"])
               if isinstance(spec, dict) and isinstance(spec.get("path"), str) else "none")
        if fmt not in ("jsonl", None):
            return False
        try:
            handle, _ = open_regular(resolve(self.base, spec["path"], self.root))
        except Refused:
            return False  # said when the file is measured as records
        with handle:  # a labelled query set has `relevant` too, but nothing retrieved
            head = handle.read(1 << 16)
        first = next(iter(head.splitlines()), b"")
        return (b'"retrieved"' in first and b'"relevant"' in first if fmt else
                len(first.split()) == 6)  # the columns of a TREC run

    # -- eval tools' result files ------------------------------------------------------------

    def results(self, system: System, key: Keys, found: SystemEvidence) -> None:
        """The per-case scores of the result file under ``key``, cached on its identity; a file
        refused or not there is DA001, one no reader can read DA006 with the reason."""
        spec = system.get(*key)
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            return
        shown = _shown(spec["path"])
        try:  # resolved and opened once: the reader is handed this handle
            real = resolve(self.base, spec["path"], self.root)
            handle, identity = open_regular(real)
        except Refused as refused:
            found.unreadable[key] = Unreadable(shown, refused.reason)
            return
        how = [spec.get(name) for name in RESULT_HOW]
        slot = json.dumps(["results", real, *how])
        scores: Any = self.memo.get(slot)
        if scores is None and self.store:
            scores = self.cached_results(slot, identity, real, shown, how)
        if scores is not None:
            handle.close()
        else:
            scores = self.read_results(real, shown, *how, opened=handle)
            if isinstance(scores, Ambiguous):  # not measured: the declaration must choose
                self.evidence.problems.append(system.problem(
                    key, scores.of(spec["path"], system.document.fmt == "toml")))
                return
            if scores is None or isinstance(scores, Refused):
                if scores is not None:
                    found.unreadable[key] = Unreadable(shown, scores.reason)
                return
            if self.store and not isinstance(scores, str):
                # The estimate SystemEvidence.score makes, kept in the cache entry.
                summary, cases = scores_to_entry(scores, estimate(scores))
                self.store.put(slot + CASES, [identity], cases)
                self.store.put(slot, [identity], summary)
        self.memo[slot] = scores
        if isinstance(scores, str):
            found.files[key] = _bad_file(shown, (Malformed(WHOLE_FILE, scores),))
            return
        scores = scores._replace(path=shown)
        found.results[key] = scores
        if scores.malformed:  # DA006 names the records that could not be read
            found.files[key] = _bad_file(shown, scores.first_malformed, scores.malformed,
                                         scores.cases, scores.complete)

    def cached_results(self, slot: str, identity: Identity, real: str, shown: str,
                       how: List[Any]) -> Any:
        """The ``CaseScores`` the cache holds for a result file, or None. Its per-case scores
        are a second entry, read only when a rule looks into them; should that entry be gone
        by then, the file is read again."""
        store = self.store
        assert store is not None
        summary = store.get(slot, [identity])

        def cases() -> Dict[str, float]:
            assert summary is not None
            found = cases_from_entry(store.get(slot + CASES, [identity]), summary["count"])
            if found is None:
                again = self.read_results(real, shown, *how)
                if hasattr(again, "scores"):
                    return dict(again.scores)
                self.evidence.note("changed-while-read",
                                   f"{shown} changed while it was checked: its per-case scores "
                                   "could not be read again, and none were compared", shown)
                return {}
            return found

        return _loaded(lambda data: scores_from_entry(data, cases), summary)

    def read_results(self, real: str, shown: str, fmt: Any, metric: Any, task: Any,
                     *selected: Any, opened: Optional[BinaryIO] = None) -> Any:
        """``result_files.read`` with this collector's readers, root and notes."""
        from .result_files import read
        return read(real, shown, fmt, metric, task, self.result_readers, self.root,
                    self.evidence, opened, dict(zip(RESULT_HOW[3:], selected)))

    # -- files -----------------------------------------------------------------------------

    def file(self, target: _Target, found: SystemEvidence, duplicates: bool) -> None:
        slot = json.dumps(["file", target.slot, duplicates])
        facts = self.memo.get(slot)
        if facts is None:
            cached = self.store.get(slot, [target.identity]) if self.store else None
            if cached is not None:
                facts = _facts(cached)
            if facts is None:
                scanned = self.scan(target, found, duplicates=duplicates)
                if scanned is None:
                    return
                facts = scanned.facts
                if self.store:
                    self.store.put(slot, [target.identity], facts.to_json())
            self.memo[slot] = facts
        self.keep(target, facts, found)

    def training_against_eval(self, training: _Target, evaluation: _Target,
                              found: SystemEvidence) -> None:
        """Measure the training set (with duplicates) and the eval set, and their overlap.

        One cache entry holds all three, so that a run the cache answers reads one small file.
        """
        slot = json.dumps(["training", training.slot, evaluation.slot])
        identities = [training.identity, evaluation.identity]
        result = self.memo.get(slot)
        if result is None and self.store:
            cached = self.store.get(slot, identities)
            if cached is not None:
                result = _training_result(cached)
        if result is None:
            from . import measure

            eval_scan = self.scan(evaluation, found, index=True)
            if eval_scan is None:
                return
            assert eval_scan.inputs is not None
            training_scan = self.scan(training, found, duplicates=True, against=eval_scan.inputs)
            if training_scan is None:
                self.keep(evaluation, eval_scan.facts, found)
                return
            assert training_scan.matches is not None
            result = (training_scan.facts, eval_scan.facts, measure.overlap(
                eval_scan.inputs, training_scan.matches, evaluation.declared, training.declared))
            if self.store:
                self.store.put(slot, identities, {"training": result[0].to_json(),
                                                  "eval": result[1].to_json(),
                                                  "overlap": result[2].to_json()})
        self.memo[slot] = result
        training_facts, eval_facts, overlap = result
        self.memo[json.dumps(["file", evaluation.slot, False])] = eval_facts
        self.keep(training, training_facts, found)
        self.keep(evaluation, eval_facts, found)
        found.overlap = overlap._replace(eval_path=evaluation.declared,
                                         training_path=training.declared)

    def keep(self, target: _Target, facts: FileFacts, found: SystemEvidence) -> None:
        found.files[target.key] = facts._replace(path=target.declared)
        if target.key in (EVAL, TRAINING) and facts.records and \
                facts.without_input == facts.records:
            self.evidence.note(
                "layout-unknown", f"no record of {target.declared} is in a layout ragft-lint "
                "knows: its inputs and outputs were not compared (name their fields with input "
                "and output)", target.declared)

    def scan(self, target: _Target, found: SystemEvidence, *, duplicates: bool = False,
             index: bool = False,
             against: Optional[measure.InputIndex] = None) -> Optional[measure.Scan]:
        """Read and measure one file; None (with a finding or a note) when it cannot be."""
        from . import measure
        from .layouts import extractor
        from .readers import Reader, ReaderUnavailable

        try:
            handle, identity = open_regular(target.real)
        except Refused as refused:
            found.unreadable[target.key] = Unreadable(target.declared, refused.reason)
            return None
        label = target.declared

        def advance(done: int, total: int) -> None:
            self.progress.update(label, done, total)

        try:
            with handle:
                extract = extractor(target.input, target.output)
                if target.fmt == "jsonl":  # on every core, when the file is large
                    from . import split

                    return split.scan(handle, identity.size, extract, target.declared, advance,
                                      duplicates=duplicates, index=index, against=against)
                reader = Reader(handle, target.fmt, identity.size, advance)
                return measure.scan(reader, extract, target.declared, duplicates=duplicates,
                                    index=index, against=against)
        except ReaderUnavailable as missing:
            self.evidence.note("extra-missing",
                               f"{missing} is not installed: {target.declared} was not "
                               f"measured (pip install 'ragft-lint[parquet]')", target.declared)
        except OSError as exc:
            found.unreadable[target.key] = Unreadable(
                target.declared, f"could not be read: {exc.strerror or exc}")
        return None

    # -- git -------------------------------------------------------------------------------

    def sources(self, system: System, found: SystemEvidence) -> None:
        patterns = system.get("knowledge", "sources") or []
        if not patterns:
            return
        for index, pattern in enumerate(patterns):
            if not _matches_something(self.base, pattern):
                found.missing_sources.append((index, _shown(pattern)))
        days = self.git.change_days(patterns, self.as_of)
        if days is not None:
            from . import history

            found.history = history.pace(days, self.as_of)


def _shown(text: str) -> str:
    """A declared path as messages show it: bounded, and with nothing unprintable."""
    return snippet(text, 200)


def _matches_something(base: str, pattern: str) -> bool:
    """Whether a knowledge.sources pattern names at least one file or folder."""
    if ".." in pattern.replace("\\", "/").split("/"):
        return True  # not looked at: it could lead out of the project
    if not any(ch in pattern for ch in "*?["):
        return os.path.lexists(os.path.join(base, pattern))
    from pathlib import Path

    try:
        return next(iter(Path(base).glob(pattern)), None) is not None
    except (ValueError, NotImplementedError, OSError):
        return True  # a pattern that cannot be walked is not reported as matching nothing


def _facts(data: Dict[str, Any]) -> Optional[FileFacts]:
    facts: Optional[FileFacts] = _loaded(FileFacts.from_json, data)
    return facts


def _training_result(data: Dict[str, Any]) -> Optional[Tuple[FileFacts, FileFacts, Overlap]]:
    try:
        return (FileFacts.from_json(data["training"]), FileFacts.from_json(data["eval"]),
                Overlap.from_json(data["overlap"]))
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _bad_file(shown: str, bad: Tuple[Malformed, ...], malformed: int = 1, records: int = 0,
              complete: bool = False) -> FileFacts:
    """Records that cannot be read (a file no reader reads: one), for DA006 to name."""
    return FileFacts(shown, "line", records, malformed, bad[:EXAMPLES], complete, 0, (), 0, 0, ())


def _loaded(load: Any, data: Optional[Dict[str, Any]]) -> Any:
    """A cached value read back; None for none, or for an entry of another shape."""
    try:
        return None if data is None else load(data)
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _is_run(spec: Any) -> bool:
    """Whether ``rag.retrieval_eval.path`` names a run to score (judgements beside it, or a run
    form), rather than a file of records to count."""
    return isinstance(spec, dict) and isinstance(spec.get("path"), str) and (
        isinstance(spec.get("qrels"), str) or spec.get("format") in ("trec", "beir"))
