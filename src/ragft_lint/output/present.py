"""A run, presented: what goes to standard output, what to standard error, and the status.

The edges (the command line, the notebook magic, ``init``) hand a ``Run`` and the chosen format
here and print what comes back; nothing about a run is decided after it. A plugin's output
format runs here, under the plugin time limit, and its failure is that plugin's, named, with
exit status 3.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Iterable, List, Sequence, Tuple

from ..record import NamedTuple
from .escape import printable

if TYPE_CHECKING:
    from ..host import PluginFailure, Plugins
    from ..run import Run

__all__ = ["PREFIX", "Shown", "check", "decide", "statistics", "status_told", "told"]

PREFIX = "ragft-lint: "


class Shown(NamedTuple):
    """A run as the command line prints it: ``text`` to standard output, each of ``messages``
    as a line on standard error, and the exit status."""

    text: str
    messages: Tuple[str, ...]
    exit_status: int


def told(run: Run, *, quiet: bool = False, in_output: bool = False,
         failures: Tuple[PluginFailure, ...] = ()) -> List[str]:
    """The lines for standard error: the notes (unless ``quiet``, or the output carries them
    already: ``in_output``), then every plugin failure, named."""
    lines = [] if quiet or in_output else [f"{PREFIX}{printable(note.message)}"
                                           for note in run.notes]
    if run.strict and not quiet:
        count = len(run.strict)
        lines.append(f"{PREFIX}strict evidence: {count} figure{'s' * (count != 1)} could not be "
                     "measured (the notes above say which); failing the run")
    lines += [f"{PREFIX}{printable(str(failure.error()))}"
              for failure in (*run.failures, *failures)]
    return lines


def status_told(failures: Iterable[PluginFailure], status: int) -> int:
    """For the commands that make no run (``rules``, ``schema``, ``waive``): print each plugin
    failure on stderr, named; the status is 3 when there was one, else ``status``."""
    told_any = False
    for failure in failures:
        print(f"{PREFIX}{printable(str(failure.error()))}", file=sys.stderr)
        told_any = True
    return 3 if told_any else status


def check(run: Run, name: str, plugins: Plugins, *, colour: bool = False,
          quiet: bool = False, fixes: Sequence[str] = ()) -> Shown:
    """``check --format NAME``: the format's text (a plugin's run guarded), the lines for
    stderr, and the status (3 when the format itself failed).

    ``fixes`` (``--show-fixes``: a heading and a line per fix) follow the findings in the text
    format, and go to stderr in the others, whose output a program reads. ``--exit-zero``
    turns the status of findings (1) into 0, and nothing else: a wrong command line is still
    2, a failed plugin 3.
    """
    shown = _check(run, name, plugins, colour=colour, quiet=quiet)
    text, messages = shown.text, shown.messages
    if fixes:
        if name == "text" and run.declarations and not run.options.statistics:
            text += "\n" + "".join(f"{line}\n" for line in fixes)
        else:
            messages += tuple(f"{PREFIX}{printable(line.strip())}" for line in fixes)
    status = shown.exit_status
    if run.options.exit_zero and status == 1:
        status = 0
    return Shown(text, messages, status)


def statistics(run: Run, name: str, plugins: Plugins) -> str:
    """``--statistics``: a line per rule that found something, as ruff prints them (the count
    right-aligned, the id, the rule's name), most frequent first; ``json``: the same as a
    list."""
    import collections

    counts = collections.Counter(f.rule for r in run.reports for f in r.findings
                                 if not f.waived)
    names = {r.id: r.name for r in plugins.rules}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if name == "json":
        import json

        return json.dumps([{"code": rule, "name": names.get(rule, ""), "count": count}
                           for rule, count in ranked], indent=2) + "\n"
    width = max((len(str(count)) for count in counts.values()), default=1)
    wide = max((len(rule) for rule in counts), default=0)
    return "".join(f"{count:>{width}}  {rule:<{wide}}  {names.get(rule, '')}".rstrip() + "\n"
                   for rule, count in ranked)


def _check(run: Run, name: str, plugins: Plugins, *, colour: bool = False,
           quiet: bool = False) -> Shown:
    if run.recorded is not None:  # --write-baseline: the file is the output
        count = run.recorded
        said = f"{PREFIX}recorded {count} finding{'' if count == 1 else 's'} in " \
               f"{printable(run.options.write_baseline or '')}"
        if run.dropped:
            said += f"; dropped {run.dropped} entr{'y' if run.dropped == 1 else 'ies'} of " \
                    "the old baseline that matched no finding any more"
        return Shown("", (*told(run, quiet=quiet), said), run.exit_status)
    if not run.declarations:
        return Shown("", tuple(told(run, quiet=quiet)), run.exit_status)
    if run.options.statistics:
        return Shown(statistics(run, name, plugins), tuple(told(run, quiet=quiet)),
                     run.exit_status)
    from ..output_format import FormatOptions

    shown = FormatOptions(colour=colour, quiet=quiet, notes=run.notes)
    source = plugins.format_owner(name)
    render = plugins.formats[name].render
    reports = list(run.reports)
    try:
        if source == "builtin":
            text = render(reports, shown)
        else:  # a plugin's formatter runs as the rest of its code does
            from ..deadline import budget
            from ..guard import plugin_code

            with plugin_code(budget()):
                text = render(reports, shown)
            if not isinstance(text, str):
                raise TypeError(f"returned {type(text).__name__}, not str")
    except (Exception, SystemExit) as exc:  # a plugin's formatter: its failure, named
        if source == "builtin":
            raise
        failure = plugins.failure(source, f"output format {name!r} raised "
                                          f"{type(exc).__name__}: {exc}")
        return Shown("", tuple(told(run, quiet=quiet, failures=(failure,))), 3)
    # The text format leaves the notes to stderr; github carries them as workflow commands.
    return Shown(text, tuple(told(run, quiet=quiet, in_output=name == "github")),
                 run.exit_status)


def decide(run: Run, name: str, *, colour: bool = False) -> Shown:
    """``decide --format NAME`` (text, json, mermaid, markdown)."""
    decisions = run.decisions
    if decisions is None or not run.declarations:
        return Shown("", tuple(told(run)), run.exit_status)
    from .changed import of_decisions

    # The thresholds of the declarations whose systems are shown, each its own: --system X
    # shows X's declaration's, several declarations each theirs (output/changed.py).
    bars = of_decisions(decisions, run.reports)
    if name == "json":
        from . import decision_json

        text = decision_json.render(decisions, run.notes, bars)
    elif name == "mermaid":
        from ..errors import UsageError
        from . import mermaid

        if len(decisions) != 1:
            names = ", ".join(decisions) or "none"
            raise UsageError(f"--format mermaid writes one diagram (a .mmd file holds one), "
                             f"and there are {len(decisions)} systems ({names}): choose one "
                             "with --system NAME, or use --format markdown for all")
        text = mermaid.chart(next(iter(decisions.values())))
    elif name == "markdown":
        from . import decision_markdown

        text = decision_markdown.render(decisions, bars)
    else:
        from . import decision_text

        text = decision_text.render(decisions, colour=colour, bars=bars)
    said = list(told(run))
    if run.options.fail_on_disagreement:
        off = [name for name, d in decisions.items() if d.disagrees]
        if off:  # why the run fails, where the output itself may be a file or a diagram
            said.append(f"{PREFIX}--fail-on-disagreement: the declared architecture of "
                        f"{', '.join(off)} is outside what the frameworks leave open (DE001)")
    return Shown(text, tuple(said), run.exit_status)
