"""The IPython extension: ``%ragft_lint`` and ``%%ragft_lint`` in IPython and Jupyter.

``%load_ext ragft_lint`` registers one magic that works both ways:

- ``%ragft_lint [PATH] [options]`` checks the declarations of the working folder (a
  notebook's kernel runs in the notebook's folder), or those PATH names, as ``ragft-lint
  check`` would, and shows their findings and each system's decision.
- ``%%ragft_lint [FOLDER] [options]`` checks the YAML declaration written in the cell below it,
  read as if it were saved in FOLDER (default: the working folder): a design to try out before
  it is committed. Line numbers count the ``%%ragft_lint`` line, as the cell shows them.

Both return a ``Result`` that renders as HTML in a notebook and as text in a terminal; its
``report`` and ``decisions`` are there for code. A wrong declaration or option is shown as a
message with its line and column, never as a traceback (``-v`` shows the traceback of an
internal error). IPython is imported only here, once the extension is loaded.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any, List, NoReturn, Optional, Sequence

from .errors import (
    DeclarationError,
    NoDeclarationError,
    PluginError,
    RagftLintError,
    UsageError,
)

if TYPE_CHECKING:
    from .run import Run

MAGIC = "ragft_lint"
# How a cell's declaration is named in its findings: ``cell:4:14``.
CELL = "cell"


class Result:
    """What the magics return: a run (``ragft_lint.run.Run``) with its report, the decision for
    each system, and the notes the command line would print."""

    def __init__(self, run: Run) -> None:
        from .decide import Decisions

        self.run = run
        self.report = run.report
        self.decisions = run.decisions if run.decisions is not None else Decisions()
        self.notes = run.notes

    def __str__(self) -> str:
        from .output import changed, decision_text, text

        told = "".join(f"note: {note.message}\n" for note in self.notes)
        bars = changed.of_decisions(self.decisions, self.run.reports)  # each declaration's own
        return (told + text.render([self.report]) + "\n"
                + decision_text.render(self.decisions, bars=bars))

    def __repr__(self) -> str:
        return f"<ragft_lint Result of {self.report.declaration}: {self.report.summary}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self).rstrip("\n"))

    def _repr_html_(self) -> str:
        from .output import changed, html

        return (html.notes(self.notes) + html.report(self.report, with_notes=False)
                + html.decisions(self.decisions,
                                 changed.of_decisions(self.decisions, self.run.reports)))


class Failure:
    """A problem to show instead of a result: a heading and one line per problem."""

    def __init__(self, heading: str, lines: Sequence[str]) -> None:
        self.heading = heading
        self.lines = list(lines)

    @classmethod
    def of(cls, error: RagftLintError) -> Failure:
        if isinstance(error, DeclarationError):
            return cls("ragft-lint: the declaration is wrong; nothing was checked",
                       error.lines())
        if isinstance(error, NoDeclarationError):
            return cls("ragft-lint: no declaration found", error.lines())
        if isinstance(error, PluginError):
            return cls("ragft-lint: a plugin failed", error.lines())
        return cls(f"%{MAGIC}: the command is wrong; nothing was checked", error.lines())

    def __str__(self) -> str:
        return "\n".join([self.heading, *self.lines]) + "\n"

    def __repr__(self) -> str:
        return f"<ragft_lint Failure: {self.heading}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self).rstrip("\n"))

    def _repr_html_(self) -> str:
        from .output import html

        return html.problems(self.lines, self.heading)


class _Shown(Exception):
    """``-h`` printed the help: nothing more to do."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a wrong option as an error to show, not by leaving the kernel."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (%{MAGIC} -h lists the options)")

    def exit(self, status: int = 0, message: Optional[str] = None) -> NoReturn:
        if message:
            raise UsageError(message.strip())
        raise _Shown()


def _parser() -> argparse.ArgumentParser:
    from .arguments import date, rule_list

    parser = _Parser(
        prog=f"%{MAGIC}",
        description="Check a declaration and show its findings and the decision for each "
                    "system. As a cell magic (%%ragft_lint), check the YAML declaration written "
                    "in the cell.",
    )
    parser.add_argument("path", nargs="?", metavar="PATH",
                        help="line magic: a declaration file or a folder to discover from "
                             "(default: the working folder); cell magic: the folder the cell's "
                             "declaration is read as if saved in (default: the working folder)")
    parser.add_argument("--select", type=rule_list, metavar="IDS",
                        help="comma-separated rule ids or prefixes to run (default: ALL)")
    parser.add_argument("--ignore", type=rule_list, metavar="IDS",
                        help="comma-separated rule ids or prefixes to skip")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"),
                        help="the lowest severity that fails the check (default: error)")
    parser.add_argument("--as-of", type=date, metavar="YYYY-MM-DD",
                        help="the date that date-based rules use (default: today)")
    parser.add_argument("--no-evidence", action="store_true",
                        help="use declared facts only: read no evidence file, run no git")
    parser.add_argument("--strict-evidence", action="store_true",
                        help="fail when a figure could not be measured (a cut history, a file "
                             "that could not be read)")
    parser.add_argument("--no-cache", action="store_true",
                        help="measure the evidence again instead of using the cache")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the traceback of an internal error")
    return parser


def _split(line: str) -> List[str]:
    """The magic's line as words: quotes group, and a backslash is kept as it is (a Windows
    path needs no doubling)."""
    import shlex

    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.escape = ""
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as exc:  # an unclosed quote
        raise UsageError(f"cannot read the options: {exc}") from None


def ragft_lint(line: str, cell: Optional[str] = None) -> Optional[Result]:
    """Check a declaration and show its findings and the decision for each system.

    ``%ragft_lint [PATH] [options]``: the declaration found from the working folder, or at
    PATH (a declaration file or a folder).
    ``%%ragft_lint [FOLDER] [options]``: the YAML declaration written in the cell, read as if
    it were saved in FOLDER (default: the working folder).

    Options: ``--select IDS``, ``--ignore IDS``, ``--fail-on error|warning|info``,
    ``--as-of YYYY-MM-DD``, ``--no-evidence``, ``--no-cache``, ``-v``; ``-h`` explains them.
    Returns a ``Result`` (``.report``, ``.decisions``) that renders itself.
    """
    verbose = False
    try:
        words = _split(line)
        verbose = "-v" in words or "--verbose" in words
        args = _parser().parse_args(words)
        return _check(args, cell)
    except _Shown:
        return None
    except RagftLintError as exc:
        _show(Failure.of(exc))
        return None
    except Exception as exc:  # the promise is: no traceback unless asked for
        if verbose:
            raise
        _show(Failure("ragft-lint: internal error",
                      [f"{type(exc).__name__}: {exc} (add -v for the traceback)"]))
        return None


def _show(failure: Failure) -> None:
    # Shown at once rather than returned: a magic in the middle of a cell shows no value.
    import IPython.display

    show: Any = IPython.display.display
    show(failure)


def _check(args: argparse.Namespace, cell: Optional[str]) -> Result:
    from .options import check_rule_words, from_arguments
    from .session import Session

    session = Session()
    check_rule_words("--select", args.select, session.plugins)
    check_rule_words("--ignore", args.ignore, session.plugins)
    options = from_arguments(vars(args))
    if cell is not None:
        declared = [session.cell(cell, args.path, CELL)]
        return Result(session.run(options=options, decide=True, declarations=declared))
    path = os.path.expanduser(args.path) if args.path else None
    # A folder means every declaration at or below it, as on the command line.
    run = session.run([] if path is None else [path], options, decide=True)
    if not run.declarations:
        raise NoDeclarationError([f"the folders above {path}"])
    return Result(run)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%ragft_lint`` and ``%%ragft_lint`` with an IPython shell."""
    ipython.register_magic_function(ragft_lint, magic_kind="line_cell", magic_name=MAGIC)
