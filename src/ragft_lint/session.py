"""The one pipeline every entry point goes through.

A ``Session`` loads the plugins once (an immutable ``Plugins`` value), resolves paths to
declarations through the one resolver, reads each declaration with the plugins' extension of
the format, measures each declaration's evidence once, and makes reports and decisions from
that one measurement. ``Session.run`` puts them together into one ``Run`` (``run.py``), which
the command line, ``ragft_lint.check()``, the pytest plugin, the notebook magic and
``ragft-lint init`` only present.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .declaration.resolve import Resolution, resolve
from .errors import DeclarationError, Problem
from .options import CheckSettings, Options

if TYPE_CHECKING:
    from .decide import Decisions
    from .declaration.document import Document
    from .declaration.model import Declaration
    from .declaration.resolve import PathLike
    from .evidence.measurements import Evidence
    from .host import EntryPoint, Plugins
    from .notes import Note
    from .report import Report
    from .run import Run

__all__ = ["Options", "Session", "check"]


class Session:
    """Plugins loaded once, and each declaration's evidence measured once.

    ``plugins``: an already loaded ``Plugins`` value, or None to load the installed ones
    (``entry_points`` narrows that to the given entry points).
    """

    def __init__(self, plugins: Optional[Plugins] = None,
                 entry_points: Optional[List[EntryPoint]] = None) -> None:
        if plugins is None:
            from . import host

            plugins = host.load(entry_points)
        self.plugins = plugins
        # Measurements by declaration and the settings that shape them (the date, the cache).
        # The declaration is kept beside its measurement so that its id stays its own.
        self._measured: Dict[Tuple[int, Any, bool], Tuple[Declaration, Optional[Evidence]]] = {}
        self._reports: Dict[Tuple[int, CheckSettings], Tuple[Declaration, Report]] = {}

    # -- declarations ---------------------------------------------------------------------------

    def resolve(self, paths: Sequence[PathLike] = ()) -> Resolution:
        """The declaration files ``paths`` name (see ``declaration.resolve``)."""
        return resolve(paths)

    def load(self, document: Document) -> Declaration:
        """Validate a read declaration against the format, with the plugins' keys and rules."""
        from .declaration import declaration_from

        return declaration_from(document, self.plugins.rule_ids, self.plugins.extension,
                                result_formats=self.result_formats())

    def result_formats(self) -> List[str]:
        """The formats of result files this session reads: the built-in readers', then the
        plugins'."""
        from .evidence.result_reader import BUILT_IN

        names = [name for name, _, _ in BUILT_IN]
        return names + [name for name in self.plugins.result_readers if name not in names]

    def declarations(self, paths: Sequence[PathLike] = ()
                     ) -> Tuple[List[Declaration], List[Note]]:
        """Every declaration ``paths`` name, validated, and notes on paths that named none.

        Every problem of every declaration is raised at once, in one ``DeclarationError``.
        """
        documents, notes = self.resolve(paths)
        problems: Dict[Problem, None] = {}
        declarations = []
        for document in documents:
            try:
                declarations.append(self.load(document))
            except DeclarationError as exc:
                # Each once: the services that extend one shared file share its problems.
                problems.update(dict.fromkeys(exc.problems))
        if problems:
            raise DeclarationError(list(problems))
        return declarations, notes

    def declaration(self, path: Optional[PathLike] = None) -> Declaration:
        """The one declaration ``path`` names (None: the working folder's).

        Raises ``UsageError`` when it names several (a folder of a monorepo): ``declarations``
        gives them all.
        """
        found, _ = self.declarations([] if path is None else [path])
        if len(found) != 1:
            from .declaration.discovery import display_path
            from .errors import NoDeclarationError, UsageError

            if not found:
                raise NoDeclarationError([display_path(path or ".")])
            names = ", ".join(d.document.display for d in found)
            raise UsageError(f"{display_path(path or '.')} holds {len(found)} declarations "
                             f"({names}); name one")
        return found[0]

    def cell(self, text: str, folder: Optional[str] = None, name: str = "cell") -> Declaration:
        """A YAML declaration written in a notebook cell, read as if saved in ``folder``."""
        from .declaration.cell import read_cell

        return self.load(read_cell(text, folder, name))

    # -- evidence, reports and decisions ---------------------------------------------------------

    def settings(self, declaration: Declaration,
                 options: Optional[Options] = None) -> CheckSettings:
        return CheckSettings.of(declaration, options or Options())

    def evidence(self, declaration: Declaration,
                 settings: CheckSettings) -> Optional[Evidence]:
        """What the declaration's evidence holds, measured once per declaration and date.

        None when evidence is off or the declaration points to none; the evidence package is
        imported only when there is something to measure.
        """
        if not settings.evidence:
            return None
        key = (id(declaration), settings.as_of, settings.cache)
        if key not in self._measured:
            from .evidence import needed

            measured = None
            if needed(declaration):
                from .evidence.collect import measure_declaration

                measured = measure_declaration(
                    declaration, settings.as_of, use_cache=settings.cache,
                    result_readers=self.plugins.result_readers)
            self._measured[key] = (declaration, measured)
        return self._measured[key][1]

    def problems(self, declarations: Sequence[Declaration],
                 options: Optional[Options] = None) -> List[Problem]:
        """What reading the evidence showed to be wrong with the declarations themselves (a
        result file of several metrics that names none): declaration errors, all of them."""
        found: List[Problem] = []
        for declaration in declarations:
            evidence = self.evidence(declaration, self.settings(declaration, options))
            if evidence is not None:
                found.extend(evidence.problems)
        return found

    def report(self, declaration: Declaration, options: Optional[Options] = None) -> Report:
        """Check one declaration with every selected rule (once per declaration and settings:
        the decisions' blockers come from the same report). Raises ``DeclarationError`` when its
        evidence shows the declaration must choose (``problems``)."""
        from .engine import run

        settings = self.settings(declaration, options)
        key = (id(declaration), settings)
        if key not in self._reports:
            evidence = self.evidence(declaration, settings)
            if evidence is not None and evidence.problems:
                raise DeclarationError(evidence.problems)
            report = run(declaration, self.plugins, settings, evidence)
            self._reports[key] = (declaration, report)
        return self._reports[key][1]

    def decisions(self, declaration: Declaration,
                  options: Optional[Options] = None) -> Decisions:
        """The three frameworks' verdicts on each system, from the same measured facts as the
        report's (``evidence`` and ``as_of`` as in ``options``), with the report's errors as
        each system's blockers, so that decide never approves what check rejects."""
        from .decide import decide

        settings = self.settings(declaration, options)
        return decide(declaration, evidence=self.evidence(declaration, settings),
                      report=self.report(declaration, options))

    def all_decisions(self, declarations: Sequence[Declaration],
                      options: Optional[Options] = None) -> Decisions:
        """The decisions of several declarations in one mapping: with several, every system is
        ``path::name`` (``Decisions.merge``), whatever the names."""
        from .decide import Decisions

        return Decisions.merge([(d.display, self.decisions(d, options)) for d in declarations])

    def run(self, paths: Sequence[PathLike] = (), options: Optional[Options] = None,
            decide: bool = False, declarations: Optional[Sequence[Declaration]] = None) -> Run:
        """Check (and with ``decide``, decide on) the declarations ``paths`` name, or the
        ``declarations`` given: one ``Run`` holding everything every output shows (see
        ``run.py``)."""
        from .run import execute

        return execute(self, paths, options or Options(), decide, declarations)

    def check(self, paths: Sequence[PathLike] = (), options: Optional[Options] = None
              ) -> Report:
        """The report of every declaration ``paths`` name, taken together (``report.combine``)
        when there are several."""
        found = self.run(paths, options)
        if not found.declarations:  # only files that point to no declaration
            from .declaration.discovery import display_path
            from .errors import NoDeclarationError

            raise NoDeclarationError([f"the folders above {display_path(p)}" for p in paths])
        return found.report


def check(path: Optional[PathLike] = None, **options: Any) -> Report:
    """Check the declarations at ``path``: a declaration file, a file it points to, or a folder
    (default: the working folder) whose declarations at or below it are all checked, into one
    report, or, when it holds none, the declaration above it.

    Keyword options as on the command line: ``select``, ``ignore``, ``fail_on``, ``as_of``,
    ``evidence``, ``cache``, ``strict_evidence``, ``baseline`` (``options.build``). Raises
    ``DeclarationError`` or ``NoDeclarationError`` for a bad or missing declaration, and
    ``UsageError`` for an option that is wrong.
    """
    from .options import build

    return Session().check([] if path is None else [path], build(**options))
