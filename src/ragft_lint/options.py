"""The options of a run, built in one place from whatever an entry point has.

The command line's arguments, the pytest plugin's ini options, the notebook magic's words and
``ragft_lint.check()``'s keyword arguments all become an ``Options`` through ``build``, so a
word means the same everywhere and is refused the same way everywhere. ``CheckSettings`` is
what one declaration is checked with: its own settings, overridden by the options.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Tuple

from .errors import UsageError
from .findings import SEVERITY_WORDS, Severity
from .record import NamedTuple

if TYPE_CHECKING:
    from .declaration.model import Declaration
    from .host import Plugins

__all__ = ["FIRST_DAY", "LAST_DAY", "NAMES", "CheckSettings", "Options", "build",
           "check_rule_words", "from_arguments", "in_range", "parse_date", "parse_rule_list"]


class Options(NamedTuple):
    """What the caller says; None means: as the declaration says.

    ``baseline`` leaves out the findings a baseline file records; ``write_baseline`` records
    the run's findings in a file instead of failing on them; ``system`` narrows the decisions
    to one system; ``decide`` makes the run's decisions too (``decide``, the notebook).

    The habits ruff users bring change what is shown, not what is found: ``exit_zero`` exits 0
    for findings (never for a failed command), ``output_file`` writes the chosen format to a
    file, ``statistics`` counts the findings per rule, ``diff`` prints the unified diff the
    fixes would make and writes nothing, ``show_fixes`` lists the fixes made (or available).
    ``fail_on_disagreement`` (``decide``) exits 1 when a system's declared architecture is
    outside what the frameworks leave open (DE001's condition), so CI can gate on it.
    """

    select: Optional[Tuple[str, ...]] = None
    ignore: Optional[Tuple[str, ...]] = None
    fail_on: Optional[str] = None
    as_of: Optional[datetime.date] = None
    evidence: Optional[bool] = None
    cache: bool = True
    strict_evidence: bool = False
    baseline: Optional[str] = None
    write_baseline: Optional[str] = None
    system: Optional[str] = None
    decide: bool = False
    exit_zero: bool = False
    output_file: Optional[str] = None
    statistics: bool = False
    diff: bool = False
    show_fixes: bool = False
    fail_on_disagreement: bool = False


# Every word ``build`` takes: the options' own names, and the command line's negative forms.
NAMES = frozenset(Options._fields) | {"no_evidence", "no_cache"}


# The dates a run can be checked at: far enough inside datetime's own range (years 1 to 9999)
# that every window the rules and the git history reach around the date stays inside it.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9000, 12, 31)


def parse_date(text: str) -> datetime.date:
    """``YYYY-MM-DD``, or ``ValueError`` saying what was expected."""
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return in_range(day)


def in_range(day: datetime.date) -> datetime.date:
    """``day``, or ``ValueError`` when a run cannot be checked at it."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day.isoformat()} is outside the dates a run can be checked at "
                         f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
    return day


def parse_rule_list(text: str) -> Tuple[str, ...]:
    """Comma-separated rule ids or prefixes, or ``ValueError``."""
    words = tuple(w.strip() for w in text.split(",") if w.strip())
    if not words:
        raise ValueError("expected rule ids or prefixes, separated by commas")
    return words


def build(**values: Any) -> Options:
    """The options that ``values`` name (``UsageError`` for a word or value that is wrong).

    Values may be typed (a ``date``, a list of ids, a bool) or words as an ini file or a magic
    line holds them (``"2026-01-31"``, ``"KN,EV001"``, ``"true"``). None means not given.
    ``no_evidence``/``no_cache`` are the command line's spelling of ``evidence``/``cache``.
    """
    unknown = sorted(set(values) - NAMES)
    if unknown:
        from .suggest import hint

        word = unknown[0]
        raise UsageError(f"unknown option {word!r}{hint(word, sorted(NAMES))} (the options: "
                         f"{', '.join(sorted(Options._fields))})")
    given = {k: v for k, v in values.items() if v is not None}
    fields: dict[str, Any] = {}
    for name in ("select", "ignore"):
        if name in given:
            fields[name] = _rule_words(name, given[name])
    if "fail_on" in given:
        word = str(given["fail_on"]).lower()
        if word not in SEVERITY_WORDS:
            raise UsageError(f"fail_on: expected one of {', '.join(SEVERITY_WORDS)}, found "
                             f"{given['fail_on']!r}")
        fields["fail_on"] = word
    if "as_of" in given:
        fields["as_of"] = _date(given["as_of"])
    if "evidence" in given:
        fields["evidence"] = _flag("evidence", given["evidence"])
    if _flag("no_evidence", given.get("no_evidence", False)):
        fields["evidence"] = False
    fields["cache"] = _flag("cache", given.get("cache", True)) and not _flag(
        "no_cache", given.get("no_cache", False))
    for name in ("strict_evidence", "decide", "exit_zero", "statistics", "diff", "show_fixes",
                 "fail_on_disagreement"):
        fields[name] = _flag(name, given.get(name, False))
    for name in ("baseline", "write_baseline", "output_file", "system"):
        if name in given:
            text = given[name]
            if not isinstance(text, str) or not text:
                raise UsageError(f"--{name.replace('_', '-')} needs a "
                                 f"{'name' if name == 'system' else 'file name'}")
            fields[name] = text
    return Options(**fields)


def from_arguments(arguments: Mapping[str, Any]) -> Options:
    """``build`` over the options among parsed arguments (an argparse namespace's ``vars``),
    leaving out what is not an option of the run (the format, the paths, colour)."""
    return build(**{k: v for k, v in arguments.items() if k in NAMES})


def check_rule_words(option: str, words: Optional[Sequence[str]], plugins: Plugins) -> None:
    """Refuse (``UsageError``) a ``--select``/``--ignore`` word that names no installed rule.

    The same test as the declaration's ``select``: ``ALL``, a rule id, or the start of one.
    Checked once the plugins are loaded, since a plugin's rules count as much as built-in ones;
    when a plugin failed to load, its rules cannot be known, and the run ends in its failure
    (status 3) rather than in a word it might have owned.
    """
    if not words or plugins.failures:
        return
    known = plugins.rule_ids
    prefixes = {rule_id[:end] for rule_id in known for end in range(1, len(rule_id) + 1)}
    for word in words:
        if word == "ALL" or word in prefixes:
            continue
        import re

        from .rule import ID_WORDS
        from .suggest import hint

        # A near miss may be a whole id or a family prefix (``kn`` for ``KN``).
        families = sorted({m.group() for m in (re.match(r"[A-Z]+", r) for r in known) if m})
        said = hint(word, sorted(known) + families)
        family = re.match(r"[A-Za-z]+", word)
        if not said and family and family.group().upper() in families:
            said = f"; did you mean {family.group().upper()!r} (every {family.group().upper()} " \
                   "rule)? `ragft-lint rules` lists them"
        if not said:
            said = f"; a rule id is {ID_WORDS} (or the start of one), and `ragft-lint rules` " \
                   "lists them"
        raise UsageError(f"{option}: unknown rule or prefix {word!r}{said}")


def _rule_words(name: str, value: Any) -> Tuple[str, ...]:
    if isinstance(value, str):
        try:
            return parse_rule_list(value)
        except ValueError as exc:
            raise UsageError(f"{name}: {exc}") from None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise UsageError(f"{name}: expected rule ids or prefixes, found {value!r}")


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        try:
            return in_range(value)
        except ValueError as exc:
            raise UsageError(f"as_of: {exc}") from None
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError as exc:
            raise UsageError(f"as_of: {exc}") from None
    raise UsageError(f"as_of: expected a date (YYYY-MM-DD), found {value!r}")


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes",
                                                           "no", "on", "off"):
        return value.strip().lower() in ("true", "1", "yes", "on")
    raise UsageError(f"{name}: expected true or false, found {value!r}")


class CheckSettings(NamedTuple):
    """What one declaration is checked with: its own settings, the options over them."""

    select: Tuple[str, ...]
    ignore: Tuple[str, ...]
    fail_on: Severity
    as_of: datetime.date
    evidence: bool
    cache: bool
    strict_evidence: bool = False

    @classmethod
    def of(cls, declaration: Declaration, options: Options) -> CheckSettings:
        settings = declaration.settings
        select = options.select if options.select is not None else settings.select or ["ALL"]
        ignore = options.ignore if options.ignore is not None else settings.ignore
        return cls(
            select=tuple(select),
            ignore=tuple(ignore),
            fail_on=Severity.parse(options.fail_on or settings.fail_on or "error"),
            as_of=options.as_of or datetime.date.today(),
            evidence=settings.evidence if options.evidence is None else options.evidence,
            cache=options.cache,
            strict_evidence=options.strict_evidence or settings.strict_evidence,
        )
