"""The command line. ``run`` raises domain errors; ``main`` turns each into a message and a status.

Exit statuses: 0 no finding at or above ``fail_on``; 1 findings at or above it; 2 the declaration
or the command line is wrong; 3 an internal error or a plugin failure.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, TextIO

from .errors import (
    DeclarationError,
    NoDeclarationError,
    Problem,
    RagftLintError,
    UnknownRuleError,
    UsageError,
)

if TYPE_CHECKING:
    from .declaration.document import Document
    from .engine import Report
    from .host import Host


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _rule_list(text: str) -> List[str]:
    words = [w.strip() for w in text.split(",") if w.strip()]
    if not words:
        raise argparse.ArgumentTypeError("expected rule ids or prefixes, separated by commas")
    return words


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


def _parser() -> argparse.ArgumentParser:
    from . import __version__

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

    check = commands.add_parser("check", help="check the declaration (the main job)",
                                description="Check a declaration and report findings.")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="a declaration file or a folder to discover from; files that are "
                            "not declarations select the declaration above them")
    check.add_argument("--format", default="text", metavar="FORMAT",
                       help="text (default), json, sarif, github, html, or a plugin's format")
    check.add_argument("--select", type=_rule_list, metavar="IDS",
                       help="comma-separated rule ids or prefixes to run (default: ALL)")
    check.add_argument("--ignore", type=_rule_list, metavar="IDS",
                       help="comma-separated rule ids or prefixes to skip")
    check.add_argument("--fail-on", choices=("error", "warning", "info"),
                       help="the lowest severity that fails the run (default: error)")
    check.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                       help="the date that date-based rules use (default: today)")
    check.add_argument("--no-evidence", action="store_true",
                       help="use declared facts only: read no evidence file, run no git")
    check.add_argument("--no-cache", action="store_true",
                       help="measure the evidence again instead of using the cache")
    baseline = check.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", metavar="FILE",
                          help="leave out the findings this baseline file records; fail only "
                               "on new ones")
    baseline.add_argument("--write-baseline", metavar="FILE",
                          help="record today's findings in FILE (written atomically) and "
                               "exit 0")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="show tracebacks of internal errors")

    decide = commands.add_parser(
        "decide", help="which architecture the evidence points to, and why",
        description="Walk the three decision frameworks over each declared system.")
    decide.add_argument("path", nargs="?", metavar="PATH",
                        help="a declaration file or a folder to discover from")
    decide.add_argument("--format", choices=("text", "json", "mermaid"), default="text",
                        help="output format (default: text)")
    decide.add_argument("-v", "--verbose", action="store_true",
                        help="show tracebacks of internal errors")

    listing = commands.add_parser("rules", help="list every rule, built-in and from plugins")
    listing.add_argument("--format", choices=("text", "markdown"), default="text",
                         help="markdown: the rules reference page")
    one = commands.add_parser("rule", help="show one rule's documentation")
    one.add_argument("rule_id", metavar="ID")
    commands.add_parser("schema", help="print the JSON Schema of the declaration")

    init = commands.add_parser(
        "init", help="write a declaration from answers to the decision questions",
        description="Ask the questions that decide between prompting, RAG and fine-tuning, "
                    "write the declaration, and show what decide makes of it. Without a "
                    "terminal, read one answer per line from standard input (an empty line "
                    "takes the default).")
    init.add_argument("folder", nargs="?", metavar="FOLDER",
                      help="where to write it (default: the working directory)")
    init.add_argument("--pyproject", action="store_true",
                      help="add a [tool.ragft-lint] table to the folder's pyproject.toml "
                           "instead of writing ragft.yaml")
    init.add_argument("--force", action="store_true", help="replace an existing declaration")
    init.add_argument("-v", "--verbose", action="store_true",
                      help="show tracebacks of internal errors")
    return parser


class _SubcommandParser(argparse.ArgumentParser):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(**kwargs)


def run(argv: Optional[Sequence[str]], out: TextIO) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args, out)
    if args.command == "decide":
        return _decide(args, out)
    if args.command == "init":
        from . import init

        return init.run(args, sys.stdin, out)
    from . import host as host_module

    host = host_module.load()
    if args.command == "rules":
        status = _rules(host, out, args.format)
    elif args.command == "rule":
        status = _rule(host, args.rule_id, out)
    else:
        status = _schema(host, out)
    return _plugin_status(host, status)


def _plugin_status(host: Host, status: int) -> int:
    for failure in host.failures:
        print(f"ragft-lint: {failure.error()}", file=sys.stderr)
    return 3 if host.failures else status


def _documents(paths: Sequence[str]) -> List[Document]:
    """The declaration files named by the command line's paths, each once, in the order given."""
    from .declaration import discovery

    documents = []
    if not paths:
        documents.append(discovery.find(None))
    problems = []
    for text in paths:
        path = Path(text)
        try:
            if path.is_dir():
                documents.append(discovery.find(path))
            elif not path.exists():
                raise DeclarationError([Problem(text, 1, 1, "no such file or folder")])
            elif discovery.is_declaration_name(path):
                document = discovery.load_file(path)
                if document is not None:  # a pyproject.toml without the table: not ours
                    documents.append(document)
            else:  # a file the declaration may point to: check the declaration above it
                document, _ = discovery.discover(path.parent)
                if document is not None:
                    documents.append(document)
        except DeclarationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeclarationError(problems)
    unique: Dict[Path, Document] = {}
    for document in documents:
        unique.setdefault(document.file.resolve(), document)
    return list(unique.values())


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from . import host as host_module
    from .declaration import declaration_from
    from .engine import Options, run

    for option, value in (("--baseline", args.baseline), ("--write-baseline",
                                                             args.write_baseline)):
        if value == "":
            raise UsageError(f"{option} needs a file name")
    documents = _documents(args.paths)
    if not documents:
        return 0
    host = host_module.load()
    formats = host.output_formats()
    if args.format not in formats:
        raise UsageError(_unknown_format(args.format, sorted(formats)))
    known = [r.id for r in host.rules()]
    problems = []
    declarations = []
    for document in documents:
        try:
            declarations.append(declaration_from(document, known, host.extension()))
        except DeclarationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DeclarationError(problems)
    options = Options(
        select=args.select,
        ignore=args.ignore,
        fail_on=args.fail_on,
        as_of=args.as_of,
        evidence=False if args.no_evidence else None,
        cache=not args.no_cache,
    )
    reports: List[Report] = [run(declaration, host, options) for declaration in declarations]
    if not args.quiet:
        notes = {note: None for report in reports for note in report.notes}  # each once
        for note in notes:  # to stderr: never inside a JSON or SARIF output
            print(f"ragft-lint: {note}", file=sys.stderr)
    if args.write_baseline is not None:
        from . import baseline

        count = baseline.write(reports, args.write_baseline)
        print(f"ragft-lint: recorded {count} finding{'' if count == 1 else 's'} in "
              f"{args.write_baseline}", file=sys.stderr)
        return _plugin_status(host, 0) if host.failures else 0
    if args.baseline is not None:
        from . import baseline

        baseline.apply(reports, args.baseline)
    from .output.formats import FormatOptions

    source = host.format_owner(args.format)
    shown = FormatOptions(colour=_colour(out), quiet=args.quiet)
    try:
        if source == "builtin":
            rendered = formats[args.format].render(reports, shown)
        else:  # a plugin's formatter runs as the rest of its code does
            from .deadline import budget
            from .guard import plugin_code

            with plugin_code(budget()):
                rendered = formats[args.format].render(reports, shown)
    except (Exception, SystemExit) as exc:  # a plugin's formatter: its failure, named
        if source == "builtin":
            raise
        host.failure(source, f"output format {args.format!r} raised "
                             f"{type(exc).__name__}: {exc}")
        return _plugin_status(host, 3)
    out.write(rendered)
    status = max(r.exit_status for r in reports)
    return _plugin_status(host, status) if host.failures else status


def _unknown_format(word: str, choices: List[str]) -> str:
    from .declaration.schema import did_you_mean

    guess = did_you_mean(word, choices)
    hint = f"; did you mean {guess!r}?" if guess else ""
    return f"unknown output format {word!r}{hint} (choose from {', '.join(choices)})"


def _decide(args: argparse.Namespace, out: TextIO) -> int:
    from . import host as host_module
    from .decide import decide
    from .declaration import load

    host = host_module.load()
    declaration = load(Path(args.path) if args.path else None, [r.id for r in host.rules()],
                       host.extension())
    from .evidence import needed

    measured = None
    if declaration.settings.evidence and needed(declaration):
        from .evidence.collect import measure_declaration

        evidence = measure_declaration(declaration, datetime.date.today())
        for note in evidence.notes:
            print(f"ragft-lint: {note}", file=sys.stderr)
        measured = {name: found.facts(declaration.systems[name].get("knowledge", "changes"))
                    for name, found in evidence.systems.items()}
    decisions = decide(declaration, measured=measured)
    if args.format == "json":
        from .output import decision_json

        out.write(decision_json.render(decisions))
    elif args.format == "mermaid":
        from .output import mermaid

        out.write(mermaid.render(decisions))
    else:
        from .output import decision_text

        out.write(decision_text.render(decisions, colour=_colour(out)))
    return _plugin_status(host, 0) if host.failures else 0


def _colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _rules(host: Host, out: TextIO, fmt: str = "text") -> int:
    rules = host.rules()
    if fmt == "markdown":
        from .output import rules_reference

        out.write(rules_reference.render(rules))
        return 0
    width = max((len(r.name) for r in rules), default=4)
    for r in rules:
        out.write(f"{r.id}  {r.name:<{width}}  {r.severity!s:<7}  {r.source}\n")
    return 0


def _rule(host: Host, rule_id: str, out: TextIO) -> int:
    rules = {r.id: r for r in host.rules()}
    wanted = rule_id.upper()
    if wanted not in rules:
        from .declaration.schema import did_you_mean

        raise UnknownRuleError(rule_id, did_you_mean(rule_id, sorted(rules)))
    found = rules[wanted]
    out.write(f"{found.id} {found.name} [{found.severity}] (from {found.source})\n\n")
    out.write(found.doc.rstrip() + "\n")
    return 0


def _schema(host: Host, out: TextIO) -> int:
    import json

    from .json_schema import declaration_schema

    out.write(json.dumps(declaration_schema(host.extension()), indent=2) + "\n")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    verbose = bool(argv is not None and ("-v" in argv or "--verbose" in argv)) or (
        argv is None and ("-v" in sys.argv[1:] or "--verbose" in sys.argv[1:]))
    try:
        return run(argv, sys.stdout)
    except NoDeclarationError as exc:
        print(f"ragft-lint: {exc}", file=sys.stderr)
        return exc.exit_status
    except RagftLintError as exc:
        for line in exc.lines():
            print(line if isinstance(exc, DeclarationError) else f"ragft-lint: {line}",
                  file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("ragft-lint: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise is: no traceback unless asked for
        if verbose:
            import traceback

            traceback.print_exc()
        print(f"ragft-lint: internal error: {type(exc).__name__}: {exc}"
              + ("" if verbose else " (run with -v for the traceback)"), file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
