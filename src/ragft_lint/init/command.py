"""The ``ragft-lint init`` command: which file to write (or why not), the asker on a terminal
or a pipe, the interview, the read-back check, the atomic write, and what ``decide`` says.

Everything goes through one ``Session``: the plugins are loaded once, and the recommendation
shown before the architecture question, the read-back check and the closing decisions all
validate and decide with them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, TextIO, Tuple

from .. import terminal
from ..declaration.discovery import PYPROJECT, YAML_NAMES, display_path
from ..declaration.schema import ARCHITECTURES
from ..errors import DeclarationError, RagftLintError
from ..output.present import PREFIX
from .errors import InitError
from .pyproject import pyproject_bytes
from .questions import REQUIRED, Question, default_name, questions
from .survey import Found, survey
from .writers import declaration_data, to_yaml

if TYPE_CHECKING:
    from ..declaration.document import Document
    from ..session import Session

__all__ = ["Asker", "interview", "run", "target"]


def _declares(pyproject: Path) -> bool:
    """Whether a ``pyproject.toml`` holds a ``[tool.ragft-lint]`` table (raises if unreadable)."""
    from ..declaration.discovery import read_text
    from ..declaration.toml_source import read_pyproject

    display = display_path(pyproject)
    return read_pyproject(pyproject, display, read_text(pyproject, display)) is not None


def target(folder: Path, pyproject: bool, force: bool) -> Path:
    """The file to write, or ``InitError`` when writing it would replace or add a declaration
    that the user did not ask to replace."""
    yamls = [folder / name for name in YAML_NAMES if (folder / name).is_file()]
    project = folder / PYPROJECT
    in_pyproject = project.is_file() and _declares(project)
    if pyproject:
        if not project.is_file():
            raise InitError(f"no {display_path(project)}: --pyproject adds a [tool.ragft-lint] "
                            "table to an existing pyproject.toml (without --pyproject, init "
                            "writes ragft.yaml)")
        if yamls:
            raise InitError(f"{display_path(yamls[0])} already holds the declaration, and a "
                            "folder may hold only one; run init without --pyproject (and with "
                            "--force) to replace it")
        if in_pyproject and not force:
            raise InitError(f"{display_path(project)} already has a [tool.ragft-lint] table; "
                            "use --force to replace it")
        return project
    if in_pyproject:
        raise InitError(f"{display_path(project)} already holds the declaration "
                        "([tool.ragft-lint]), and a folder may hold only one; use --pyproject "
                        "--force to replace it")
    if len(yamls) > 1:
        names = " and ".join(display_path(y) for y in yamls)
        raise InitError(f"two declarations already ({names}); keep one")
    if yamls and not force:
        raise InitError(f"{display_path(yamls[0])} already exists; use --force to replace it")
    return yamls[0] if yamls else folder / "ragft.yaml"


class _Cancelled(Exception):
    """The user ended the conversation (Ctrl-D on a terminal): nothing is written."""


# What a question nobody answered gives: it is left out of the declaration.
UNANSWERED: Any = object()


class Asker:
    """Asks on a terminal (again after a wrong answer) or reads one line per answer.

    ``given`` holds answers by question name (``--answers FILE``, ``--set``), with where each
    came from; ``yes`` takes every other question's proposal or default without asking.
    """

    def __init__(self, stdin: TextIO, prompts: TextIO, interactive: bool, colour: bool,
                 given: Optional[Dict[str, Tuple[str, str]]] = None, yes: bool = False) -> None:
        self.stdin = stdin
        self.prompts = prompts
        self.interactive = interactive
        self.colour = colour
        self.given = given or {}
        self.yes = yes
        self.lines = 0  # answers read from a pipe, for the messages that name one

    def say(self, text: str) -> None:
        if self.interactive and not self.yes:
            self.prompts.write(text + "\n")
            self.prompts.flush()

    def ask(self, label: str, total: int, question: Question, default: str) -> Any:
        if question.name in self.given:
            text, source = self.given[question.name]
            try:
                return question.parse(text)
            except ValueError as exc:
                raise InitError(f"{source}: {question.name} ({question.text}): {exc}") from None
        if self.yes:
            return question.parse(default)
        while True:
            if self.interactive:
                title = f"{label}/{total} {question.text}"
                if self.colour:
                    title = f"\x1b[1m{title}\x1b[0m"
                self.prompts.write(f"{title}\n  {question.accepts} [{default}]: ")
                self.prompts.flush()
            line = self.stdin.readline()
            if not line:
                if self.interactive:
                    raise _Cancelled()
                return UNANSWERED  # the input ran out: this question stays unanswered
            self.lines += 1
            text = line.rstrip("\r\n")
            try:
                return question.parse(text if text.strip() else default)
            except ValueError as exc:
                if not self.interactive:
                    raise InitError(f"answer {self.lines} ({question.text}): {exc}") from None
                self.prompts.write(f"  {exc}\n")


def _recommendation(session: Session, answers: Dict[str, Any], folder: Path) -> Tuple[str, str]:
    """What decide makes of the answers so far: a default architecture and a line to show."""
    from ..declaration.document import Document

    data = declaration_data({**answers, "architecture": "prompt"})
    try:
        declaration = session.load(Document(folder / "ragft.yaml", "answers", "yaml", data))
        decision = session.decisions(declaration)[answers["name"]]
    except RagftLintError:  # answers the format or the evidence refuse: no recommendation,
        return "prompt", ""  # not a stop (the read-back check says what is wrong)
    said = ", ".join(f"{f.title}: {f.verdict}" for f in decision.frameworks)
    verdicts = [decision.consensus] + [f.verdict for f in decision.frameworks]
    # Undecided everywhere (a fact is missing): the simplest architecture still open.
    verdicts += [a for a in ARCHITECTURES if a in decision.open]
    chosen = next((v for v in verdicts if v in ARCHITECTURES), "prompt")
    return chosen, f"From these answers, decide says: {said}."


def interview(asker: Asker, folder: Path, session: Session,
              found: Optional[Found] = None) -> Dict[str, Any]:
    """Every answer given, by question name; a question nobody answered is not in it.

    Questions are numbered out of the count of those asked whatever the answers (the count
    never moves); a follow-up that an answer calls for carries its question's number and a
    letter (``9a``).
    """
    asked = questions(default_name(folder), found or Found())
    total = sum(question.when is None for question in asked)
    answers: Dict[str, Any] = {}
    number = 0
    follow = 0
    for question in asked:
        if not question.asked(answers):  # follow-up questions the answers do not call for
            continue
        if question.when is None:
            number, follow = number + 1, 0
            label = str(number)
        else:
            follow += 1
            label = f"{number}{chr(ord('a') + follow - 1)}"
        if question.name == "architecture":
            answers["_recommended"], note = _recommendation(session, answers, folder)
            if note:
                asker.say(note)
        default = question.default(answers) if callable(question.default) else question.default
        answer = asker.ask(label, total, question, default)
        if answer is UNANSWERED and question.name in REQUIRED:
            answer = question.parse(default)
        if answer is not UNANSWERED:
            answers[question.name] = answer
    answers.pop("_recommended", None)
    return answers


def _given(args: argparse.Namespace) -> Dict[str, Tuple[str, str]]:
    """Answers by question name from ``--answers FILE`` and ``--set NAME=VALUE`` (which wins),
    each with where it came from; an unknown name is refused with "did you mean"."""
    from .answers import from_file, from_flags

    given: Dict[str, Tuple[str, str]] = {}
    if getattr(args, "answers", None):
        given.update(from_file(Path(args.answers)))
    given.update(from_flags(getattr(args, "set", None) or []))
    return given


def run(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    """``ragft-lint init``: ask, write, read back, and show what decide says."""
    from .. import atomic
    from ..session import Session

    folder = Path(args.folder) if args.folder else Path.cwd()
    if not folder.is_dir():
        raise InitError(f"{args.folder}: no such folder")
    path = target(folder, args.pyproject, args.force)  # refuse before any question is asked
    # What the file holds now: it is replaced only if it still holds this after the questions
    # (a file that appears meanwhile is not overwritten).
    started = _current(path)
    given = _given(args)
    yes = bool(getattr(args, "yes", False))
    session = Session()
    found = survey(str(folder))
    if stdin is None:  # started without any standard input: every answer is the default
        import io

        stdin = io.StringIO("")
    interactive = stdin.isatty()
    asker = Asker(stdin, sys.stderr, interactive, terminal.colour(sys.stderr), given, yes)
    asker.say("ragft-lint init: a few questions about one AI system. Press Enter to take the "
              "answer in [brackets]; `unknown` leaves a fact out.")
    for line in _found_lines(found):
        print(f"{PREFIX}{line}", file=sys.stderr)
    try:
        answers = interview(asker, folder, session, found)
    except _Cancelled:
        print(f"\n{PREFIX}init cancelled; nothing was written", file=sys.stderr)
        return 130
    answers = _vetted(session, answers, found, folder)
    data = declaration_data(answers)
    try:
        with atomic.Locked(path, display_path(path)) as locked:
            if args.pyproject:
                started = locked.current()
                content = pyproject_bytes(path, data, args.force)
            else:
                content = to_yaml(data).encode("utf-8")
            # What is written must read back as a valid declaration; checked before writing.
            session.load(_read_back(path, content))
            locked.replace(content, started)
    except OSError as exc:
        raise InitError(f"{display_path(path)}: cannot write: {exc.strerror or exc}") from None
    system = answers["name"]
    print(f"{PREFIX}wrote {display_path(path)} (system {system!r}, architecture "
          f"{answers['architecture']})", file=sys.stderr)

    # What decide makes of it: the same run as `ragft-lint decide` on the file just written.
    from ..options import build
    from ..output import present

    shown = present.decide(session.run([path], build(), decide=True), "text",
                           colour=terminal.colour(out))
    for line in shown.messages:
        print(line, file=sys.stderr)
    out.write(("\n" if interactive else "") + shown.text)
    out.write("\nNext: `ragft-lint check` shows where the evidence and the choice disagree.\n")
    return shown.exit_status if shown.exit_status == 3 else 0


# The answer that proposes a file, by the key its findings stand at (after the system's name),
# and the answers that go with it.
_PROPOSED = {"eval.path": ("eval_path",), "fine_tune.training_data": ("training_data",),
             "rag.retrieval_eval.path": ("retrieval_run", "retrieval_qrels"),
             "prompt.baseline_results": ("baseline_results",),
             "knowledge.sources": ("sources",)}


def _vetted(session: Session, answers: Dict[str, Any], found: Found,
            folder: Path) -> Dict[str, Any]:
    """The answers without the files the survey proposed that ``check`` would call broken (an
    eval set that shares its inputs with the training data, a file of malformed records):
    what init writes passes its own check, and each file left out is said, with why, so the
    problem is not hidden. A file the user named other than as proposed stays."""
    from ..declaration.document import Document
    from ..findings import Severity
    from ..options import build

    proposed = {"eval_path": found.eval_set, "training_data": found.training_data,
                "retrieval_run": found.retrieval_run, "sources": found.sources,
                "baseline_results": found.results[0][0] if found.results else None}
    for _ in range(len(_PROPOSED)):  # each round leaves one file out at least
        data = declaration_data(answers)
        try:
            declaration = session.load(Document(folder / "ragft.yaml", "answers", "yaml", data))
            run = session.run([], build(), declarations=[declaration])
        except DeclarationError as exc:  # what the files show the answers must choose
            raise InitError("; ".join(f"{p.message}" for p in exc.problems)
                            + " (nothing was written)") from None
        except RagftLintError:  # the read-back check says what is wrong
            return answers
        dropped = False
        for finding in run.report.findings:
            prefix = f"systems.{finding.system}."
            names = _PROPOSED.get(finding.key[len(prefix):], ()) \
                if finding.key.startswith(prefix) else ()
            if finding.severity < Severity.ERROR or finding.waived or not names or \
                    names[0] not in answers or answers[names[0]] != proposed.get(names[0]):
                continue
            print(f"{PREFIX}{answers[names[0]]} is left out: {finding.rule} "
                  f"{finding.message}; declare it once that is fixed", file=sys.stderr)
            for name in names:
                answers.pop(name, None)
            dropped = True
        if not dropped:
            return answers
    return answers


def _found_lines(found: Found) -> List[str]:
    """What the survey found, one line each, so that a run without questions says it too."""
    lines = []
    for what, path in (("an eval set", found.eval_set), ("training data", found.training_data),
                       ("knowledge files", found.sources)):
        if path:
            lines.append(f"found {what}: {path}")
    if found.retrieval_run:
        judged = f" (judgements: {found.qrels})" if found.qrels else ""
        lines.append(f"found a retrieval run: {found.retrieval_run}{judged}")
    for path, tool in found.results:
        lines.append(f"found a {tool} result file: {path}")
    for config in found.configs:
        lines.append(f"found {config}: its results count once written with "
                     "`promptfoo eval -o results.json`")
    return lines


def _current(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except OSError:  # none, or not a file: the write says what is wrong
        return None


def _read_back(path: Path, content: bytes) -> Document:
    """The document that ``content`` will be once written at ``path``."""
    from ..declaration import read_text

    display = display_path(path)
    document = read_text(path, display, content.decode("utf-8"))
    if document is None:
        raise InitError(f"{display}: the new table does not read back")
    return document
