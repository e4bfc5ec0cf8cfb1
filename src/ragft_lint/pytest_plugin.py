"""The pytest plugin: one test per declared AI system, and a fixture holding the report.

Installing ragft-lint registers this module with pytest (entry point group ``pytest11``), and
it stays out of the way until asked for: ``pytest --ragft-lint``, or ``ragft_lint = true`` in
the ini options. Until then it adds its options and the ``ragft_lint_report`` fixture and
imports nothing else of ragft-lint; the declaration, the plugin host and the rules are loaded
on first use.

When active, the session collects a ``ragft-lint`` node with one item per system of every
declaration found from the rootdir (``ragft-lint::support-bot``; with several declarations,
``ragft-lint::services/search/ragft.yaml::search-bot``). An item fails with its system's
findings at or above ``fail_on``, one ``path:line:column`` line each with the fix below it, and
passes otherwise. A declaration that cannot be read or does not fit the format is a collection
error that shows where, as ``ragft-lint check`` would.

Every process makes one run (``Session.run``) at most: the items, the fixtures and the notes
in the summary all present it, and under pytest-xdist each worker makes its own from the same
files. Over several declarations a system is ``path::name`` in the fixtures as in the items.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Generator, Iterator, List, Optional, Sequence, Union

import pytest

if TYPE_CHECKING:
    from .decide import Decisions
    from .declaration import Declaration
    from .findings import Finding, Location
    from .notes import Note
    from .report import Report
    from .run import Run

# The name the active part of the plugin is registered under, so the fixture can find it.
ACTIVE = "ragft-lint-session"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ragft-lint", "checking the AI systems' declaration (ragft-lint)")
    group.addoption(
        "--ragft-lint", action="store_true", default=False, dest="ragft_lint",
        help="add one test per declared AI system, failing with its findings at or above the "
             "declaration's fail_on (ini: ragft_lint = true)")
    group.addoption(
        "--ragft-lint-path", metavar="PATH", default=None, dest="ragft_lint_path",
        help="the declaration file, or a folder to discover it from (default: discovered "
             "from the rootdir; ini: ragft_lint_path)")
    parser.addini("ragft_lint", type="bool", default=False,
                  help="add one test per declared AI system, as --ragft-lint does")
    parser.addini("ragft_lint_path", default="",
                  help="the declaration file, or a folder to discover it from, relative to "
                       "the ini file")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("ragft_lint") or config.getini("ragft_lint"):
        config.pluginmanager.register(_ActiveSession(_Lint(config)), ACTIVE)


def _lint(request: pytest.FixtureRequest) -> _Lint:
    """The session's one ``_Lint``: the active plugin's, or one kept for the fixtures alone."""
    config = request.config
    active = config.pluginmanager.get_plugin(ACTIVE)
    if isinstance(active, _ActiveSession):
        return active.lint
    if _INACTIVE not in config.stash:
        config.stash[_INACTIVE] = _Lint(config)
    return config.stash[_INACTIVE]


@pytest.fixture(scope="session")
def ragft_lint_report(request: pytest.FixtureRequest) -> Report:
    """The report of checking the declaration (``ragft_lint.Report``), for your own asserts.

    Available with or without ``--ragft-lint``; the declarations are the ones the plugin uses
    (several, as in a monorepo, are one report). ``report.for_system(name)`` gives one
    system's findings without the waived ones (``include_waived=True`` for those too) and
    raises ``UnknownSystemError`` (a ``KeyError``) with "did you mean" for a system the run does
    not hold, as ``ragft_lint_decisions[name]`` does; ``report.findings``
    holds all of them.
    A declaration that cannot be read fails the test that asks for the report, showing where.
    """
    from .errors import RagftLintError

    try:
        return _lint(request).report()
    except RagftLintError as exc:
        problem = "\n".join(exc.lines())
    # Failed outside the handler, so that pytest shows the message alone, not the chain.
    pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="session")
def ragft_lint_decisions(request: pytest.FixtureRequest) -> Decisions:
    """Each system's decision (``decisions["support-bot"].consensus``), as ``ragft-lint decide``
    makes it, from the same declaration and the same measured evidence as the report."""
    from .errors import RagftLintError

    try:
        return _lint(request).decisions()
    except RagftLintError as exc:
        problem = "\n".join(exc.lines())
    pytest.fail(problem, pytrace=False)


class _Lint:
    """The one run a pytest session checks (``Session.run``), made on first use: the items, the
    fixtures and the summary all present it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._run: Optional[Run] = None

    def start(self) -> Path:
        """Where the declarations are: the command line's path, the ini's, or the rootdir."""
        given = self.config.getoption("ragft_lint_path")
        if given:
            return Path(given)
        configured = str(self.config.getini("ragft_lint_path"))
        if configured:
            inipath = self.config.inipath
            return (inipath.parent if inipath else self.config.rootpath) / configured
        return self.config.rootpath

    def run(self) -> Run:
        """The run over every declaration the start names (a folder: all of them at or below
        it), with the decisions."""
        if self._run is None:
            from .options import build
            from .session import Session

            found = Session().run([self.start()], build(), decide=True)
            if not found.declarations:
                from .declaration.discovery import display_path
                from .errors import NoDeclarationError

                raise NoDeclarationError([f"the folders above {display_path(self.start())}"])
            self._run = found
        return self._run

    def declarations(self) -> List[Declaration]:
        return list(self.run().declarations)

    def report_of(self, declaration: Declaration) -> Report:
        run = self.run()
        return run.reports[run.declarations.index(declaration)]

    def report(self) -> Report:
        """All the declarations' reports as one (``report.combine``)."""
        return self.run().report

    def decisions(self) -> Decisions:
        """Made from the same measurement of the evidence as the report."""
        decisions = self.run().decisions
        assert decisions is not None  # the run is made with decide=True
        return decisions


class _ActiveSession:
    """The hooks that add the ``ragft-lint`` node, registered only when the plugin is active."""

    def __init__(self, lint: _Lint) -> None:
        self.lint = lint

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[Any, Any, None]:
        outcome = yield
        if isinstance(collector, pytest.Session):
            report = outcome.get_result()
            if report.passed:
                node = DeclarationNode.from_parent(collector, name="ragft-lint",
                                                   nodeid="ragft-lint")
                node.lint = self.lint
                report.result.append(node)


    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The run's notes, as the command line prints them, once the tests have run."""
        run = self.lint._run
        if run is None or not run.notes:
            return
        terminalreporter.section("ragft-lint notes")
        for note in run.notes:
            terminalreporter.line(f"{note.code}: {note.message}")


class DeclarationNode(pytest.Collector):
    """The declarations, collected into one item per declared system: ``ragft-lint::bot``, or
    with several declarations ``ragft-lint::services/search/ragft.yaml::bot``, so that every id
    stays unique however the systems are named."""

    lint: _Lint

    def collect(self) -> Iterator[Union[pytest.Item, pytest.Collector]]:
        from .errors import RagftLintError

        try:
            declarations = self.lint.declarations()
        except RagftLintError as exc:
            # CollectError is shown as its message alone, without a traceback.
            raise self.CollectError("\n".join(exc.lines())) from None
        if len(declarations) == 1:
            yield from _items(self, self.lint, declarations[0])
            return
        root = str(self.config.rootpath)
        for declaration in declarations:
            node = OneDeclaration.from_parent(self, name=_relative(declaration, root))
            node.lint = self.lint
            node.declaration = declaration
            yield node


class OneDeclaration(pytest.Collector):
    """One of several declarations, holding its systems' items."""

    lint: _Lint
    declaration: Declaration

    def collect(self) -> Iterator[Union[pytest.Item, pytest.Collector]]:
        yield from _items(self, self.lint, self.declaration)


def _relative(declaration: Declaration, root: str) -> str:
    import os

    try:
        path = os.path.relpath(declaration.document.file, root)
    except ValueError:  # another drive
        path = declaration.document.file
    return path.replace(os.sep, "/")


def _items(parent: pytest.Collector, lint: _Lint, declaration: Declaration) -> Iterator[SystemItem]:
    for name, system in declaration.systems.items():
        item = SystemItem.from_parent(parent, name=name)
        item.lint = lint
        item.declaration = declaration
        item.system = name
        item.where = system.where()
        item.file = Path(declaration.document.file)
        yield item
    # Findings of the declaration as a whole (a loosened threshold) belong to no system: when
    # there are any, one more item, named after the declaration's file, fails with them.
    own = [f for f in lint.report_of(declaration).findings if f.system is None]
    if own:
        item = SystemItem.from_parent(parent, name=Path(declaration.document.file).name)
        item.lint = lint
        item.declaration = declaration
        item.system = None
        item.where = own[0].location
        item.file = Path(declaration.document.file)
        yield item


class SystemItem(pytest.Item):
    """One declared system: fails with its findings at or above ``fail_on``. With no system,
    the declaration itself: fails with the findings of the declaration as a whole."""

    lint: _Lint
    declaration: Declaration
    system: Optional[str]  # its name in the declaration; None for the declaration itself
    where: Location  # of the system's key
    file: Path

    @property
    def funcargs(self) -> Dict[str, Any]:
        """No fixtures. Other plugins' call wrappers look for a function item's fixtures, and
        some skip the test itself when an item has none to show (pytest-lsp 1.x does)."""
        return {}

    def runtest(self) -> None:
        run = self.lint.run()
        report = self.lint.report_of(self.declaration)
        found = ([f for f in report.findings if f.system is None and not f.waived]
                 if self.system is None else report.for_system(self.system))
        failing = [f for f in found if f.severity >= report.fail_on]
        unmeasured = [n for n in report.notes if n in run.strict]
        if failing or report.plugin_failures or unmeasured:
            raise SystemFailed(self.system, failing, report, unmeasured)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        if isinstance(excinfo.value, SystemFailed):
            return excinfo.value.text()
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.file, self.where.line - 1, f"ragft-lint: {self.name}"


class SystemFailed(Exception):
    """A system's findings at or above ``fail_on``, or the plugin failures that void the run."""

    def __init__(self, system: Optional[str], findings: List[Finding], report: Report,
                 unmeasured: Sequence[Note] = ()) -> None:
        super().__init__(system or report.declaration)
        self.system = system
        self.findings = findings
        self.report = report
        self.unmeasured = list(unmeasured)

    def text(self) -> str:
        fail_on = self.report.fail_on
        count = len(self.findings)
        whose = self.system if self.system is not None else f"{self.report.declaration} itself"
        lines = [f"{whose}: {count} finding{'s' if count != 1 else ''} at or above "
                 f"fail_on ({fail_on})"] if count else []
        for finding in self.findings:
            lines.append(f"{finding.location}: {finding.rule} [{finding.severity}] "
                         f"{finding.message}")
            if finding.fix:
                lines.append(f"    fix: {finding.fix}")
        for failure in self.report.plugin_failures:
            lines.append(f"ragft-lint: {failure.error()}")
        for note in self.unmeasured:
            lines.append(f"ragft-lint: strict evidence: {note.message}")
        return "\n".join(lines)


# Where the fixtures keep their ``_Lint`` when the plugin is not active.
_INACTIVE = pytest.StashKey[_Lint]()
