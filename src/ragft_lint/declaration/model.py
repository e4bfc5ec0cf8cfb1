"""The validated declaration: settings, systems, and where each fact was declared."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from ..errors import DeclarationError, Problem
from ..findings import Location
from ..record import NamedTuple
from ..suggest import hint
from .document import Document, KeyPath, dotted
from .extend import Applied, chain, merge
from .paths import OutsideRoot, resolve_inside
from .schema import Complain, Words, declaration_spec

if TYPE_CHECKING:
    from .extension import Extension


class Settings(NamedTuple):
    """The linter settings a declaration makes (validated; defaults where it says nothing)."""

    fail_on: Optional[str]
    select: Optional[List[str]]
    ignore: List[str]
    evidence: bool
    thresholds: Dict[str, Any]
    severity: Dict[str, str]
    plugins: Dict[str, Dict[str, Any]]
    # ``evidence: strict``: a figure that could not be measured fails the run.
    strict_evidence: bool = False


_ABSENT = object()


def _index(facts: Dict[str, Any]) -> Dict[Tuple[str, ...], Any]:
    """Every value reachable through tables alone, by its key path (``()`` is the facts)."""
    index: Dict[Tuple[str, ...], Any] = {(): facts}
    tables: List[Tuple[Tuple[str, ...], Dict[str, Any]]] = [((), facts)]
    while tables:
        path, table = tables.pop()
        for key, value in table.items():
            where = path + (key,)
            index[where] = value
            if isinstance(value, dict):
                tables.append((where, value))
    return index


class System:
    """One declared AI system: its facts, and where each of them was declared."""

    def __init__(self, name: str, facts: Dict[str, Any], document: Document,
                 applied: Optional[Applied] = None) -> None:
        self.name = name
        self.facts = facts
        self.document = document
        self._applied = applied
        self._prefix: KeyPath = ("systems", name)
        # Every rule asks these of every system: read once (a validated system has them).
        self.architecture: str = str(facts["architecture"])
        self.fine_tuned: bool = self.architecture in ("fine-tune", "hybrid")
        self.retrieval: bool = self.architecture in ("rag", "hybrid")
        self._tables: Optional[Dict[Tuple[str, ...], Any]] = None

    @property
    def applied(self) -> Applied:
        """The declaration's settings, those it extends included, and where each is written."""
        if self._applied is None:
            self._applied = Applied.own(self.document)
        return self._applied

    def get(self, *keys: str, default: Any = None) -> Any:
        """The declared value at ``keys`` (``get("knowledge", "changes")``), or ``default``."""
        if self._tables is None:  # the first question: index every table's keys, once
            self._tables = _index(self.facts)
        return self._tables.get(keys, default)

    def has(self, *keys: str) -> bool:
        return self.get(*keys, default=_ABSENT) is not _ABSENT

    def key(self, *keys: Any) -> str:
        """The dotted key of a fact, as findings name it."""
        return dotted(self._prefix + tuple(keys))

    def where(self, *keys: Any) -> Location:
        """Where the value at ``keys`` was declared; for a missing key, its nearest parent."""
        line, column = self.document.position(self._prefix + tuple(keys))
        return Location(self.document.display, line, column)

    def problem(self, keys: Tuple[Any, ...], message: str) -> Problem:
        """A declaration error about the value at ``keys``, at its place, named by its key."""
        return self.document.problem(self._prefix + tuple(keys), f"{self.key(*keys)}: {message}")


class Declaration:
    """A validated declaration: its file, its project root, its settings and systems."""

    def __init__(self, document: Document, root: str, settings: Settings,
                 systems: Dict[str, System], applied: Optional[Applied] = None) -> None:
        self.document = document
        self.root = root
        self.settings = settings
        self.systems = systems
        # The settings with where each is written: in this file or one it extends.
        self.applied = applied if applied is not None else Applied.own(document)

    @property
    def display(self) -> str:
        return self.document.display

    def problem(self, path: KeyPath, message: str, at_key: bool = False) -> Problem:
        return self.document.problem(path, message, at_key)


def build(document: Document, root: str, known_rules: Optional[List[str]] = None,
          extension: Optional[Extension] = None, *,
          result_formats: Optional[List[str]] = None) -> Declaration:
    """Validate a document against the format and build the declaration, or raise every problem.

    With ``known_rules``, rule ids named in the settings and waivers are checked as well;
    ``extension`` holds the keys and settings tables that plugins add to the format.
    """
    problems: List[Problem] = []
    spec = declaration_spec(extension.system_keys, extension.settings) if extension \
        else declaration_spec()

    def validated(source: Document, data: Dict[str, Any]) -> Dict[str, Any]:
        """``data`` of ``source`` checked against the format; problems at its own lines."""
        def complain(path: KeyPath, message: str, at_key: bool) -> None:
            name = dotted(path)
            text = f"{name}: {message}" if name else message
            problems.append(source.problem(path, text, at_key))

        checked: Dict[str, Any] = spec.check(data, (), complain, Words(source.fmt))
        _check_paths(source, root, checked, complain)
        if known_rules is not None:
            problems.extend(_rule_reference_problems(source, checked, known_rules))
        if result_formats is not None:
            _check_result_formats(checked, result_formats, complain)
        return checked

    data = validated(document, document.data)
    layers = [(document, data)]
    if "extend" in document.data:
        from .discovery import load_file

        extended, broken = chain(document, root, load_file)
        problems.extend(broken)
        # An extended file's systems are its own (checked when it is): only its settings.
        layers += [(shared, validated(shared, {k: v for k, v in shared.data.items()
                                               if k != "systems"}))
                   for shared in extended]
    if problems:
        raise DeclarationError(problems)
    applied = merge(layers)
    systems = {
        name: System(name, facts, document, applied)
        for name, facts in (data.get("systems") or {}).items()
    }
    merged = applied.data
    settings = Settings(
        fail_on=merged.get("fail_on"),
        select=merged.get("select"),
        ignore=merged.get("ignore", []),
        evidence=merged.get("evidence", True) is not False,
        thresholds=merged.get("thresholds", {}),
        severity=merged.get("severity", {}),
        plugins=merged.get("plugins", {}),
        strict_evidence=merged.get("evidence") == "strict",
    )
    return Declaration(document, root, settings, systems, applied)


_EVIDENCE_KEYS = (
    ("rag", "retrieval_eval", "path"),
    ("prompt", "baseline_results"),
    ("fine_tune", "training_data"),
    ("fine_tune", "results"),
    ("fine_tune", "regression_suite"),
    ("eval", "path"),
)


def _check_paths(document: Document, root: str, data: Dict[str, Any], complain: Complain) -> None:
    """Every path a declaration names is relative and stays inside the project root."""
    base = os.path.dirname(os.path.abspath(document.file))
    for name, system in (data.get("systems") or {}).items():
        for keys in _EVIDENCE_KEYS:
            node: Any = system
            for key in keys:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, dict) and "path" in node:
                where = ("systems", name, *keys)
                if document.positions.get(where + ("path",)):
                    where = where + ("path",)
                _check_one(node["path"], where, base, str(root), complain)
                if isinstance(node.get("qrels"), str):  # a retrieval run's judgements
                    _check_one(node["qrels"], ("systems", name, *keys, "qrels"), base,
                               str(root), complain)
        sources = (system.get("knowledge") or {}).get("sources") or []
        for index, pattern in enumerate(sources):
            _check_one(pattern, ("systems", name, "knowledge", "sources", index),
                       base, str(root), complain)


def _check_one(value: str, where: KeyPath, base: str, root: str, complain: Complain) -> None:
    # Every value is taken as a pattern: a file name with a wildcard character in it is rare,
    # and an evidence file is checked again, whole, when it is opened.
    if "\0" in value:  # no file system takes it, and the os functions raise on it
        complain(where, f"{value!r} holds a NUL character, which no file name can hold", False)
        return
    try:
        resolve_inside(base, value, root, pattern=True)
    except OutsideRoot as exc:
        complain(where, f"{value!r} {exc}", False)


_RESULT_KEYS = (("prompt", "baseline_results"), ("fine_tune", "results"))


def _check_result_formats(data: Dict[str, Any], known: List[str], complain: Complain) -> None:
    """A result file's ``format:`` names a reader of the session (built-in or a plugin's): a
    misspelt one is the declaration's mistake, found before any file is read."""
    for name, system in (data.get("systems") or {}).items():
        for keys in _RESULT_KEYS:
            node: Any = system
            for key in keys:
                node = node.get(key) if isinstance(node, dict) else None
            fmt = node.get("format") if isinstance(node, dict) else None
            if isinstance(fmt, str) and fmt not in known:
                complain(("systems", name, *keys, "format"),
                         f"unknown result format {fmt!r} (known: {', '.join(known)})"
                         f"{hint(fmt, known)}", False)


def _rule_reference_problems(document: Document, data: Dict[str, Any],
                             known: List[str]) -> List[Problem]:
    """Rule ids in ``select``, ``ignore``, ``severity`` and waivers must name real rules."""
    problems: List[Problem] = []
    prefixes = _prefixes(known)
    for setting in ("select", "ignore"):
        for index, word in enumerate(data.get(setting) or []):
            if word != "ALL" and word not in prefixes:
                problems.append(document.problem(
                    (setting, index), _unknown(f"{setting}[{index}]", word, known)))
    for rule_id in data.get("severity") or {}:
        if rule_id not in known:
            problems.append(document.problem(
                ("severity", rule_id), _unknown("severity", rule_id, known), at_key=True))
    for name, system in (data.get("systems") or {}).items():
        for rule_id in system.get("waivers") or {}:
            if rule_id not in known:
                where = ("systems", name, "waivers", rule_id)
                problems.append(document.problem(
                    where, _unknown(dotted(where[:-1]), rule_id, known), at_key=True))
    return problems


def _prefixes(known: List[str]) -> set[str]:
    out: set[str] = set()
    for rule_id in known:
        for end in range(1, len(rule_id) + 1):
            out.add(rule_id[:end])
    return out


def _unknown(where: str, word: str, known: List[str]) -> str:
    suggestion = hint(word, known) or "; `ragft-lint rules` lists them"
    return f"{where}: unknown rule {word!r}{suggestion}"
