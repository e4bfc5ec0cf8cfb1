"""``ragft-lint check --fix``: the fixes that need no judgement.

- a value that says "there is none" in words where a name or ``false`` is expected
  (``reranker: none``, ``no``, ``null``, an empty value) becomes ``false``; this is done to the
  file's values before they are validated, since the validator refuses those words;
- a declared count that the counted records contradict (DA002) becomes the counted number;
- an unused waiver (WV002) is removed (and ``waivers`` with it, when it was the last).

Counting needs the evidence, and whether a waiver is used can depend on it: with evidence off
(``--no-evidence``, or ``evidence: false``), only what needs no evidence is fixed, and a
waiver of a system that points at evidence is left for a run that reads it.

Nothing is written when a declaration has any other problem or a plugin failed.

``--diff`` makes the same fixes without writing them and prints the unified diff they would
make; ``--show-fixes`` lists the fixes made (or, without ``--fix``, the fixes available) after
the findings instead of as they are made.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from ..errors import DeclarationError
from .changes import Change, NeedsPerson, Remove, SetValue, lookup
from .files import Source

if TYPE_CHECKING:
    from ..declaration.document import Document
    from ..declaration.model import Declaration
    from ..declaration.specs import Spec
    from ..options import Options
    from ..session import Session

PREFIX = "ragft-lint: "


class Fix:
    """One change, and the line that tells the user about it."""

    def __init__(self, change: Change, where: Tuple[int, int], rule: str, says: str,
                 system: str) -> None:
        self.change = change
        self.where = where
        self.rule = rule
        self.says = says
        self.system = system

    def line(self, display: str, done: bool, why: str = "", would: bool = False) -> str:
        line, column = self.where
        head = f"{display}:{line}:{column}: "
        if done:
            return f"{head}{'would fix' if would else 'fixed'} {self.rule}: {self.says} " \
                   f"({self.system})"
        return f"{head}not fixed {self.rule}: {self.says} ({self.system}): {why}; " \
               "this needs a person"


class Made:
    """The fixes of one declaration: its text before and after, and a line per fix."""

    def __init__(self, display: str, before: str, after: str, lines: Sequence[str]) -> None:
        self.display = display
        self.before = before
        self.after = after
        self.lines = tuple(lines)


def run(session: Session, paths: Sequence[str], options: Options,
        out: Any = None, write: bool = True, tell: bool = False) -> List[Made]:
    """Fix the declarations ``paths`` name (``write``: in the files; else only work out what
    the fixes would be); returns what was (or would be) changed, one ``Made`` per file.
    ``tell``: each file's fixes are said on ``out`` as soon as it is written, so that a
    later file's failure cannot hide them.

    Raises ``DeclarationError`` (nothing written) when a declaration has a problem that no
    fix here removes.
    """
    import contextlib

    stream = out if out is not None else sys.stderr
    documents, _ = session.resolve(paths)
    # Each file stays locked from its reading to its writing, so that an edit made meanwhile
    # by another run waits rather than being lost.
    with contextlib.ExitStack() as held:
        return _fix(session, [held.enter_context(Source(d)) for d in documents], options,
                    stream, write, tell)


def _fix(session: Session, sources: List[Source], options: Options, stream: Any,
         write: bool = True, tell: bool = False) -> List[Made]:
    problems = []
    staged: List[Tuple[Source, List[Fix], Declaration]] = []
    for source in sources:
        fixes = none_words(source.document, session)
        changed = source.document
        if fixes:
            try:
                changed = source.read(source.edited([f.change for f in fixes]))
            except NeedsPerson as exc:  # the words stay, and the validator says so
                fixes = []
                print(f"{PREFIX}{source.display}: not fixed: {exc}", file=stream)
        try:
            staged.append((source, fixes, session.load(changed)))
        except DeclarationError as exc:
            problems.extend(exc.problems)
    # What the evidence shows the declarations must choose, before anything is written.
    problems.extend(session.problems([declaration for _, _, declaration in staged], options))
    if problems:
        raise DeclarationError(problems)
    made: List[Made] = []
    for source, fixes, declaration in staged:
        report = session.report(declaration, options)
        if report.plugin_failures or session.plugins.failures:
            print(f"{PREFIX}--fix wrote nothing to {source.display}: a plugin failed",
                  file=stream)
            continue
        fixes += from_report(session, declaration, report, options, stream)
        one = _write(source, fixes, stream, write)
        if one is not None:
            made.append(one)
            for line in one.lines if tell else ():
                print(line, file=stream)
    return made


def _write(source: Source, fixes: List[Fix], stream: Any, write: bool = True) -> Optional[Made]:
    """Make the fixes that can be made (``write``: in the file); say which could not."""
    if not fixes:
        return None
    try:
        text = source.edited([f.change for f in fixes])
        kept = fixes
    except NeedsPerson:  # find which: each of the others is still made
        kept = []
        for fix in fixes:
            try:
                source.edited([fix.change])
            except NeedsPerson as exc:
                print(fix.line(source.display, False, exc.why), file=stream)
                continue
            kept.append(fix)
        if not kept:
            return None
        text = source.edited([f.change for f in kept])
    if write:
        source.write(text)
    return Made(source.display, source.text, text,
                [fix.line(source.display, True, would=not write) for fix in kept])


# -- before validation: words for "none" ------------------------------------------------------


def none_words(document: Document, session: Session) -> List[Fix]:
    """``reranker: none`` and its kin, anywhere a name-or-false is expected: become false."""
    from ..declaration.schema import declaration_spec

    extension = session.plugins.extension
    spec = declaration_spec(extension.system_keys, extension.settings) if extension \
        else declaration_spec()
    found: List[Fix] = []
    systems = document.data.get("systems")
    if not isinstance(systems, dict):
        return found
    system_spec = _field(spec, "systems")
    for name, facts in systems.items():
        for path, value in _name_or_false(_item(system_spec), facts, ()):
            full = ("systems", str(name)) + path
            shown = "an empty value" if value is None else repr(value)
            found.append(Fix(SetValue(full, False), document.position(full), ".".join(path),
                             f"{shown} -> false", str(name)))
    return found


def _field(spec: Any, key: str) -> Any:
    return getattr(spec, "fields", {}).get(key)


def _item(spec: Any) -> Any:
    return getattr(spec, "value", None)


def _name_or_false(spec: Optional[Spec], value: Any,
                   path: Tuple[str, ...]) -> List[Tuple[Tuple[str, ...], Any]]:
    from ..declaration.specs import NONE_WORDS, Map, StrOrFalse, Table

    if isinstance(spec, StrOrFalse):
        if value is None or (isinstance(value, str) and value.strip().lower() in NONE_WORDS):
            return [(path, value)]
        return []
    found = []
    if isinstance(value, dict) and isinstance(spec, (Table, Map)):
        for key, item in value.items():
            below = spec.fields.get(key) if isinstance(spec, Table) else spec.value
            found += _name_or_false(below, item, path + (str(key),))
    return found


# -- after checking: DA002 and WV002 ----------------------------------------------------------


def from_report(session: Session, declaration: Declaration, report: Any, options: Options,
                stream: Any) -> List[Fix]:
    from ..evidence import COUNT_KEYS, FILE_KEYS, SOURCES

    settings = session.settings(declaration, options)
    evidence = session.evidence(declaration, settings)
    fired: Dict[Tuple[str, str], Optional[str]] = {
        (f.rule, f.key): f.system for f in report.findings if not f.waived}
    data = declaration.document.data
    found: List[Fix] = []
    for name, system in declaration.systems.items():
        measured = evidence.systems.get(name) if evidence is not None else None
        for file_key, count_key in COUNT_KEYS.items():
            facts = measured.files.get(file_key) if measured is not None else None
            if facts is None or ("DA002", system.key(*count_key)) not in fired:
                continue
            path = ("systems", name) + count_key
            found.append(Fix(SetValue(path, facts.read), declaration.document.position(path),
                             "DA002", f"{'.'.join(count_key)} {system.get(*count_key)} -> "
                                      f"{facts.read}", name))
        waivers = lookup(data, ("systems", name, "waivers"))
        if not isinstance(waivers, dict):
            continue
        unused = [key for key in waivers
                  if {("WV002", system.key("waivers", k)) for k in (str(key), str(key).upper())}
                  & fired.keys()]
        if not unused:
            continue
        if not settings.evidence and any(system.get(*k) for k in (*FILE_KEYS, SOURCES)):
            for key in unused:
                print(f"{PREFIX}{declaration.display}: the waiver of {key} ({name}) is kept: "
                      "whether it is used depends on the evidence, which this run did not "
                      "read", file=stream)
            continue
        if len(unused) == len(waivers):  # the last ones: ``waivers`` goes with them
            path = ("systems", name, "waivers")
            said = ", ".join(str(key) for key in unused)
            found.append(Fix(Remove(path), declaration.document.position(path, at_key=True),
                             "WV002", f"removed the unused waiver{'s' * (len(unused) > 1)} "
                                      f"of {said}, and waivers with it", name))
            continue
        for key in unused:
            path = ("systems", name, "waivers", str(key))
            found.append(Fix(Remove(path), declaration.document.position(path, at_key=True),
                             "WV002", f"removed the unused waiver of {key}", name))
    return found


def from_command_line(session: Session, paths: Sequence[str], options: Options) -> List[str]:
    """``check --fix``: the fixes, with the run's options; the check that follows reports what
    is left. Each fix is told on stderr as it is made, or, with ``--show-fixes``, returned
    (under a heading) for the findings to be followed by."""
    made = run(session, paths, options, tell=not options.show_fixes)
    lines = [line for one in made for line in one.lines]
    if options.show_fixes:
        return [f"Fixed {len(lines)}:", *(f"  {line}" for line in lines)] if lines else []
    if lines:
        print(f"{PREFIX}fixed {len(lines)}; what the check finds now needs a person",
              file=sys.stderr)
    return []


def available(session: Session, paths: Sequence[str], options: Options) -> List[str]:
    """``--show-fixes`` without ``--fix``: the fixes ``--fix`` would make, under a heading
    (nothing when there are none)."""
    lines = [line for one in run(session, paths, options, write=False) for line in one.lines]
    if not lines:
        return []
    return [f"Fixable with --fix ({len(lines)}):", *(f"  {line}" for line in lines)]


def diff(session: Session, paths: Sequence[str], options: Options) -> Tuple[str, int]:
    """``--fix --diff``: the unified diff the fixes would make, each declaration as
    ``a/PATH`` and ``b/PATH``, and how many fixes it holds; nothing is written."""
    import difflib

    made = run(session, paths, options, write=False)
    lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
             for one in made if one.before != one.after
             for line in difflib.unified_diff(one.before.splitlines(keepends=True),
                                              one.after.splitlines(keepends=True),
                                              f"a/{one.display}", f"b/{one.display}")]
    return "".join(lines), sum(len(one.lines) for one in made)
