"""The one pipeline every entry point goes through.

A ``Session`` loads the plugins once (an immutable ``Plugins`` value), resolves paths to
declarations through the one resolver, reads each declaration with the plugins' extension of
the format, measures each declaration's evidence once, and hands out reports and decisions
made from that one measurement. The command line, ``ragft_lint.check()``, the pytest plugin,
the notebook magic and ``ragft-lint init`` are thin layers over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .declaration.resolve import Resolution, resolve
from .engine import Options, Settings
from .errors import DeclarationError

if TYPE_CHECKING:
    from .decide import Decisions
    from .declaration.document import Document
    from .declaration.model import Declaration
    from .declaration.resolve import PathLike
    from .evidence.facts import Evidence
    from .host import EntryPoint, Plugins
    from .report import Report

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

    # -- declarations ---------------------------------------------------------------------------

    def resolve(self, paths: Sequence[PathLike] = ()) -> Resolution:
        """The declaration files ``paths`` name (see ``declaration.resolve``)."""
        return resolve(paths)

    def load(self, document: Document) -> Declaration:
        """Validate a read declaration against the format, with the plugins' keys and rules."""
        from .declaration import declaration_from

        return declaration_from(document, self.plugins.rule_ids, self.plugins.extension)

    def declarations(self, paths: Sequence[PathLike] = ()) -> Tuple[List[Declaration], List[str]]:
        """Every declaration ``paths`` name, validated, and notes on paths that named none.

        Every problem of every declaration is raised at once, in one ``DeclarationError``.
        """
        documents, notes = self.resolve(paths)
        problems = []
        declarations = []
        for document in documents:
            try:
                declarations.append(self.load(document))
            except DeclarationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise DeclarationError(problems)
        return declarations, notes

    def declaration(self, path: Optional[PathLike] = None) -> Declaration:
        """The one declaration ``path`` names (None: discovered from the working folder)."""
        from .declaration import load

        return load(path, self.plugins.rule_ids, self.plugins.extension)

    def cell(self, text: str, folder: Optional[str] = None, name: str = "cell") -> Declaration:
        """A YAML declaration written in a notebook cell, read as if saved in ``folder``."""
        from .declaration.cell import read_cell

        return self.load(read_cell(text, folder, name))

    # -- evidence, reports and decisions ---------------------------------------------------------

    def settings(self, declaration: Declaration, options: Optional[Options] = None) -> Settings:
        return Settings.of(declaration, options or Options())

    def evidence(self, declaration: Declaration, settings: Settings) -> Optional[Evidence]:
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

                measured = measure_declaration(declaration, settings.as_of,
                                               use_cache=settings.cache)
            self._measured[key] = (declaration, measured)
        return self._measured[key][1]

    def report(self, declaration: Declaration, options: Optional[Options] = None) -> Report:
        """Check one declaration with every selected rule."""
        from .engine import run

        settings = self.settings(declaration, options)
        return run(declaration, self.plugins, settings, self.evidence(declaration, settings))

    def decisions(self, declaration: Declaration,
                  options: Optional[Options] = None) -> Decisions:
        """The three frameworks' verdicts on each system, from the same measured facts as the
        report's (``evidence`` and ``as_of`` as in ``options``)."""
        from .decide import decide

        settings = self.settings(declaration, options)
        return decide(declaration, evidence=self.evidence(declaration, settings))


def check(path: Optional[PathLike] = None, **options: Any) -> Report:
    """Check the declaration at ``path``: a declaration file, a folder to discover it from, or a
    file it points to (default: discovered from the working folder).

    Keyword options as on the command line: ``select``, ``ignore``, ``fail_on``, ``as_of``,
    ``evidence``, ``cache``. Raises ``DeclarationError`` or ``NoDeclarationError`` for a bad
    or missing declaration.
    """
    session = Session()
    return session.report(session.declaration(path), Options(**options))
