"""The command line. ``run`` raises domain errors; ``main`` turns each into a message and a status.

Exit statuses: 0 no finding at or above ``fail_on``; 1 findings at or above it; 2 the declaration
or the command line is wrong; 3 an internal error or a plugin failure.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, TextIO

from . import arguments, terminal
from .errors import (
    DeclarationError,
    NoDeclarationError,
    RagftLintError,
    UnknownRuleError,
    UsageError,
)

if TYPE_CHECKING:
    from .host import Plugins
    from .session import Session


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without ``shutil``.

    The stock formatter imports ``shutil`` (and with it the compression modules) on every run
    just to learn the terminal width; every commit pays for that, so ask ``os`` instead.
    """

    def __init__(self, prog: str, **kwargs: Any) -> None:
        if kwargs.get("width") is None:
            try:
                columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
            except (ValueError, OSError):
                columns = 80
            kwargs["width"] = max(columns - 2, 20)
        super().__init__(prog, **kwargs)


# Each command, its one-line help, and the description its own --help shows.
COMMANDS = {
    "check": ("check the declaration (the main job)", "Check a declaration and report findings."),
    "decide": ("which architecture the evidence points to, and why",
               "Walk the three decision frameworks over each declared system."),
    "rules": ("list every rule, built-in and from plugins", None),
    "rule": ("show one rule's documentation", None),
    "schema": ("print the JSON Schema of the declaration", None),
    "init": ("write a declaration from answers to the decision questions",
             "Ask the questions that decide between prompting, RAG and fine-tuning, write the "
             "declaration, and show what decide makes of it. Without a terminal, read one "
             "answer per line from standard input (an empty line takes the default)."),
    "waive": ("accept a rule's finding for a system, with a reason",
              "Add a waiver of RULE under SYSTEM in the declaration (or update the one there), "
              "keeping the rest of the file as it is."),
    "server": ("run the language server for editors (LSP over stdio)",
               "Speak the Language Server Protocol over standard input and output: "
               "diagnostics, hover, quick fixes and completion for the declaration as it is "
               "typed. Needs the lsp extra: pip install 'ragft-lint[lsp]'."),
}


def _parser(argv: Optional[Sequence[str]] = None) -> argparse.ArgumentParser:
    """The command line's parser. Only the command being run gets its options: every commit
    pays for building a parser, and one command's options are all a run can use."""
    from ._version import __version__

    parser = argparse.ArgumentParser(
        prog="ragft-lint",
        formatter_class=_Formatter,
        description="Check that each AI system's architecture (prompt, RAG, fine-tune, hybrid) "
        "agrees with the evidence behind it.",
    )
    parser.add_argument("--version", action="version", version=f"ragft-lint {__version__}")
    # Every subcommand's help is sized the same way (see _Formatter).
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=_SubcommandParser)
    commands.required = True
    words = list(sys.argv[1:] if argv is None else argv)
    named = next((w for w in words if not w.startswith("-")), None)
    for name, (summary, description) in COMMANDS.items():
        # A command named: its parser alone (the others show only in the list of commands, which
        # no run of a named command prints). None or a wrong word: all, for the help or the
        # "invalid choice" error that lists them.
        if named in COMMANDS and named != name:
            continue
        command = commands.add_parser(name, help=summary, description=description)
        _OPTIONS[name](command)
    return parser


def _check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="a declaration file, or a folder: every declaration at or below it "
                            "(default: the working folder); other files select the declaration "
                            "above them")
    check.add_argument("--format", default="text", metavar="FORMAT",
                       help="text (default), json, sarif, github, html, or a plugin's format")
    check.add_argument("--select", type=arguments.rule_list, metavar="IDS",
                       help="comma-separated rule ids or prefixes to run (default: ALL)")
    check.add_argument("--ignore", type=arguments.rule_list, metavar="IDS",
                       help="comma-separated rule ids or prefixes to skip")
    check.add_argument("--fail-on", choices=("error", "warning", "info"),
                       help="the lowest severity that fails the run (default: error)")
    check.add_argument("--as-of", type=arguments.date, metavar="YYYY-MM-DD",
                       help="the date that date-based rules use (default: today)")
    check.add_argument("--no-evidence", action="store_true",
                       help="use declared facts only: read no evidence file, run no git")
    check.add_argument("--fix", action="store_true",
                       help="first fix what needs no judgement (declared counts, unused "
                            "waivers, reranker: none), in the file, then check")
    check.add_argument("--no-cache", action="store_true",
                       help="measure the evidence again instead of using the cache")
    _strict_option(check)
    baseline = check.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", metavar="FILE",
                          help="leave out the findings this baseline file records; fail only "
                               "on new ones")
    baseline.add_argument("--write-baseline", metavar="FILE",
                          help="record today's findings in FILE (written atomically) and "
                               "exit 0")
    # The habits ruff users bring, with ruff's meanings.
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings (still 2 for a wrong command "
                            "line or declaration, 3 for a failure)")
    check.add_argument("--output-file", metavar="FILE",
                       help="write the output to FILE (atomically) instead of standard output")
    check.add_argument("--statistics", action="store_true",
                       help="count the findings per rule instead of listing them (text or "
                            "json)")
    check.add_argument("--diff", action="store_true",
                       help="with --fix: print the unified diff the fixes would make and "
                            "write nothing; exit 1 when there is something to fix")
    check.add_argument("--show-fixes", action="store_true",
                       help="after the findings, list the fixes --fix made (without --fix: "
                            "the fixes it would make)")
    _colour_option(check)
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="show tracebacks of internal errors")


def check_option_takes_value(word: str) -> bool:
    """Whether ``word`` is one of ``check``'s options that takes a value, written in full or
    shortened as argparse allows (``--form`` for ``--format``)."""
    check = argparse.ArgumentParser(add_help=False)
    _check_options(check)
    valued = {option for action in check._actions if action.nargs != 0
              for option in action.option_strings}
    if word in valued:
        return True
    longer = {option for action in check._actions for option in action.option_strings
              if word.startswith("--") and option.startswith(word)}
    return len(longer) == 1 and longer <= valued


def _decide_options(decide: argparse.ArgumentParser) -> None:
    decide.add_argument("paths", nargs="*", metavar="PATH",
                        help="as for check: a declaration file, or a folder and every "
                             "declaration at or below it (default: the working folder)")
    decide.add_argument("--format", choices=("text", "json", "mermaid", "markdown"),
                        default="text",
                        help="text (default), json, mermaid (one raw flowchart, for a .mmd "
                             "file: name the system when there are several), or markdown (the "
                             "text and a fenced diagram per system)")
    decide.add_argument("--system", metavar="NAME",
                        help="only this system's decision")
    decide.add_argument("--as-of", type=arguments.date, metavar="YYYY-MM-DD",
                        help="the date the measured evidence is read at (default: today)")
    decide.add_argument("--no-evidence", action="store_true",
                        help="use declared facts only: read no evidence file, run no git")
    decide.add_argument("--no-cache", action="store_true",
                        help="measure the evidence again instead of using the cache")
    decide.add_argument("--fail-on-disagreement", action="store_true",
                        help="exit 1 when a system's declared architecture is outside what the "
                             "frameworks leave open (DE001's condition), to gate CI on it")
    _strict_option(decide)
    _colour_option(decide)
    decide.add_argument("-v", "--verbose", action="store_true",
                        help="show tracebacks of internal errors")


def _strict_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strict-evidence", action="store_true",
                        help="fail the run (exit 1) when a figure could not be measured: a "
                             "shallow clone's cut history, a file that could not be read "
                             "(as evidence: strict in the declaration)")


def _colour_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--color", "--colour", choices=terminal.COLOUR_CHOICES, default="auto",
                        dest="color", metavar="WHEN",
                        help="auto (default), always or never; auto colours on a terminal "
                             "unless NO_COLOR or TERM=dumb says otherwise, and always with "
                             "FORCE_COLOR")


def _rules_options(listing: argparse.ArgumentParser) -> None:
    listing.add_argument("--format", choices=("text", "markdown"), default="text",
                         help="markdown: the rules reference page")


def _rule_options(one: argparse.ArgumentParser) -> None:
    one.add_argument("rule_id", metavar="ID")


def _schema_options(schema: argparse.ArgumentParser) -> None:
    """``schema`` takes no options: the schema is the same for every declaration."""


def _waive_options(waive: argparse.ArgumentParser) -> None:
    waive.add_argument("rule", metavar="RULE", help="the rule id, such as RG001")
    waive.add_argument("system", metavar="SYSTEM", help="the declared system")
    waive.add_argument("path", nargs="?", metavar="PATH",
                       help="a declaration file or a folder to discover from")
    waive.add_argument("--reason", required=True, metavar="TEXT",
                       help="why the finding is accepted")
    waive.add_argument("--expires", type=arguments.date, metavar="YYYY-MM-DD",
                       help="when the waiver lapses")
    waive.add_argument("-v", "--verbose", action="store_true",
                       help="show tracebacks of internal errors")


def _server_options(server: argparse.ArgumentParser) -> None:
    """``server`` takes no options: the editor's client says the rest."""


def _init_options(init: argparse.ArgumentParser) -> None:
    init.add_argument("folder", nargs="?", metavar="FOLDER",
                      help="where to write it (default: the working directory)")
    init.add_argument("--pyproject", action="store_true",
                      help="add a [tool.ragft-lint] table to the folder's pyproject.toml "
                           "instead of writing ragft.yaml")
    init.add_argument("--force", action="store_true", help="replace an existing declaration")
    init.add_argument("-y", "--yes", action="store_true",
                      help="take every proposal and default without asking")
    init.add_argument("--answers", metavar="FILE",
                      help="answers by question name, from a YAML or JSON file")
    init.add_argument("--set", action="append", metavar="NAME=VALUE",
                      help="one answer by question name (repeatable), e.g. architecture=rag")
    init.add_argument("-v", "--verbose", action="store_true",
                      help="show tracebacks of internal errors")


_OPTIONS: Dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "check": _check_options,
    "decide": _decide_options,
    "rules": _rules_options,
    "rule": _rule_options,
    "schema": _schema_options,
    "init": _init_options,
    "waive": _waive_options,
    "server": _server_options,
}


class _SubcommandParser(argparse.ArgumentParser):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(**kwargs)


def run(argv: Optional[Sequence[str]], out: TextIO) -> int:
    return command(_parser(argv).parse_args(argv), out)


def command(args: argparse.Namespace, out: TextIO) -> int:
    """Run the parsed command, its output to ``out``."""
    if args.command == "init":
        from .init import command

        return command.run(args, sys.stdin, out)
    if args.command == "server":
        from .server import serve

        return serve(out)
    from .session import Session

    session = Session()
    if args.command == "check":
        return _check(session, args, out)
    if args.command == "decide":
        return _decide(session, args, out)
    if args.command == "waive":
        from .edit import waivers

        return waivers.run(session, args.rule, args.system, args.reason, args.expires, args.path)
    plugins = session.plugins
    if args.command == "rules":
        status = _rules(plugins, out, args.format)
    elif args.command == "rule":
        status = _rule(plugins, args.rule_id, out)
    else:
        status = _schema(plugins, out)
    from .output.present import status_told

    return status_told(plugins.failures, status)


def _check(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    from .options import check_rule_words, from_arguments
    from .output import present

    plugins = session.plugins
    if args.format not in plugins.formats:
        raise UsageError(_unknown_format(args.format, sorted(plugins.formats)))
    check_rule_words("--select", args.select, plugins)
    check_rule_words("--ignore", args.ignore, plugins)
    options = from_arguments(vars(args))
    if options.statistics and args.format not in ("text", "json"):
        raise UsageError(f"--statistics prints text or json, not {args.format!r}; leave out "
                         "--format or choose one of those")
    if options.diff:
        return _diff(session, args, out)
    made: List[str] = []
    if args.fix or options.show_fixes:
        from .edit import fixes

        made = fixes.from_command_line(session, args.paths, options) if args.fix \
            else fixes.available(session, args.paths, options)
    run = session.run(args.paths, options)
    # A file gets no colour codes, whatever the terminal is.
    colour = options.output_file is None and terminal.colour(out, args.color)
    return _show(present.check(run, args.format, plugins, colour=colour, quiet=args.quiet,
                               fixes=made), out, options.output_file)


def _diff(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    """``check --fix --diff``: the diff the fixes would make, on standard output (as ruff
    prints it); nothing is written, and the status says whether there is something to fix."""
    from .edit import fixes
    from .options import from_arguments
    from .output.present import PREFIX, status_told

    text, count = fixes.diff(session, args.paths, from_arguments(vars(args)))
    out.write(text)
    if count:
        print(f"{PREFIX}would fix {count}; nothing was written (leave out --diff to fix)",
              file=sys.stderr)
    return status_told(session.plugins.failures, 1 if text and not args.exit_zero else 0)


def _show(shown: Any, out: TextIO, output_file: Optional[str] = None) -> int:
    """Print a presented run (``output.present.Shown``) and return its status; ``output_file``:
    its text goes to that file instead (replaced atomically), unless the format failed."""
    from .output.escape import line as printed

    for line in shown.messages:
        print(printed(line), file=sys.stderr)
    if output_file is None:
        out.write(shown.text)
    elif shown.text or shown.exit_status != 3:
        from .atomic import Locked, WriteRefused

        try:
            # The folders on the way made, as ruff does (inside the root: check_target).
            os.makedirs(os.path.dirname(output_file) or ".", exist_ok=True)
            with Locked(output_file, output_file) as locked:  # replaced whole: no comparison
                locked.replace(shown.text.encode("utf-8"), locked.current())
        except OSError as exc:
            raise WriteRefused(output_file, f"cannot write the output: "
                                            f"{exc.strerror or exc}") from None
    return int(shown.exit_status)


def _unknown_format(word: str, choices: List[str]) -> str:
    from .suggest import hint

    return f"unknown output format {word!r}{hint(word, choices)} (choose from " \
           f"{', '.join(choices)})"


def _decide(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    from .options import from_arguments
    from .output import present

    run = session.run(args.paths, from_arguments(vars(args)), decide=True)
    return _show(present.decide(run, args.format, colour=terminal.colour(out, args.color)), out)


def _rules(plugins: Plugins, out: TextIO, fmt: str = "text") -> int:
    rules = plugins.rules
    if fmt == "markdown":
        from .output import rules_reference

        out.write(rules_reference.render(rules))
        return 0
    width = max((len(r.name) for r in rules), default=4)
    for r in rules:
        out.write(f"{r.id}  {r.name:<{width}}  {r.severity!s:<7}  {r.source}\n")
    return 0


def _rule(plugins: Plugins, rule_id: str, out: TextIO) -> int:
    rules = {r.id: r for r in plugins.rules}
    wanted = rule_id.upper()
    if wanted not in rules:
        raise UnknownRuleError(rule_id, sorted(rules))
    found = rules[wanted]
    out.write(f"{found.id} {found.name} [{found.severity}] (from {found.source})\n\n")
    out.write(found.doc.rstrip() + "\n")
    return 0


def _schema(plugins: Plugins, out: TextIO) -> int:
    import json

    from .json_schema import declaration_schema

    out.write(json.dumps(declaration_schema(plugins.extension), indent=2) + "\n")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    # Almost all that a run allocates lives to its end (the modules, the rules, the declaration)
    # and holds few cycles: the cyclic collector's passes over it free nothing, and cost a plain
    # check about a sixth of its start-up. Reference counting still frees the rest, and the
    # collector is back on when the command returns (tests call main in one process).
    collecting = gc.isenabled()
    gc.disable()
    if argv is None:
        _english_argparse()
    try:
        return _main(argv)
    finally:
        if argv is None:
            # Run as the program, about to exit: without this, the interpreter's teardown makes
            # one more pass over everything the run made, as long again as the run's own.
            gc.freeze()
        if collecting:
            gc.enable()


def _english_argparse() -> None:
    """Run as the program: argparse's own words ("usage:", "error:") stay English, as every
    message of ours is. Otherwise argparse looks each of them up in gettext's default domain
    (importing ``locale`` to do so) on every run, about 2 ms of every commit, for a catalogue
    that Python does not ship. Tests that call ``main`` in one process keep argparse as it is.
    """
    argparse._ = str  # type: ignore[attr-defined]
    argparse.ngettext = _plural  # type: ignore[attr-defined]


def _plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _main(argv: Optional[Sequence[str]]) -> int:
    verbose = bool(argv is not None and ("-v" in argv or "--verbose" in argv)) or (
        argv is None and ("-v" in sys.argv[1:] or "--verbose" in sys.argv[1:]))
    out: TextIO = sys.stdout
    try:
        args = _parser(argv).parse_args(argv)  # help and --version go to stdout as they are
        if argv is None:
            # Run as the program: from here on the output has a descriptor of its own, and
            # descriptor 1 and sys.stdout lead to stderr, so that nothing a plugin's thread
            # prints, whenever it prints it, can land inside JSON or SARIF.
            out = terminal.output_apart()
        status = command(args, out)
        out.flush()  # a closed pipe shows here, while it can still be handled
        return status
    except BrokenPipeError:  # the reader went away (`ragft-lint rules | head`): stop quietly
        return terminal.quiet_closed_pipe(out)
    except NoDeclarationError as exc:
        from .output.escape import printable

        print(f"ragft-lint: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_status
    except RagftLintError as exc:
        from .output.escape import line as printed

        for line in exc.lines():
            if isinstance(exc, DeclarationError):  # keys and names from the user's files
                print(printed(line), file=sys.stderr)
            else:  # may show a table to add by hand: its lines stay lines, each escaped
                for part in f"ragft-lint: {line}".split("\n"):
                    print(printed(part), file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("ragft-lint: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise is: no traceback unless asked for
        if verbose:
            import traceback

            traceback.print_exc()
        from .output.escape import printable

        print(f"ragft-lint: internal error: {type(exc).__name__}: {printable(str(exc))}"
              + ("" if verbose else " (run with -v for the traceback)"), file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
