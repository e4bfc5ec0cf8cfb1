"""``ragft-lint init``: the guided start, from answers to the decision questions to a declaration.

On a terminal it asks each question with its default in brackets and asks again after an
answer it cannot use. Otherwise it reads one answer per line from standard input, an empty line
(or the end of the input) taking the default, and stops at the first answer it cannot use. It
then writes ``ragft.yaml``, or with ``--pyproject`` appends a ``[tool.ragft-lint]`` table to the
folder's ``pyproject.toml`` without changing a byte of what is there, and ends with what
``decide`` says about the new declaration.

It never replaces a declaration unless told to (``--force``), never leaves the folder with two
declarations, and writes nothing until every answer is in and the result has been read back.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    NamedTuple,
    Optional,
    TextIO,
    Tuple,
    Union,
)

from .declaration.discovery import PYPROJECT, YAML_NAMES, display_path
from .declaration.schema import ARCHITECTURES, DEPTHS, FREQUENCIES, GAPS, GOALS, did_you_mean
from .errors import RagftLintError

if TYPE_CHECKING:
    from .declaration.document import Document

class InitError(RagftLintError):
    """``init`` cannot go on: nothing was written."""


class Question(NamedTuple):
    """One question: the answer's name, the question, what it accepts, its default, a parser.

    ``default`` is a word, or a function of the answers so far (the architecture's default is
    what ``decide`` makes of them). ``parse`` raises ``ValueError`` with a message for an
    answer it cannot use.
    """

    name: str
    text: str
    accepts: str
    default: Union[str, Callable[[Dict[str, Any]], str]]
    parse: Callable[[str], Any]


# -- answers -----------------------------------------------------------------------------------


def _one_of(word: str, choices: Tuple[str, ...]) -> str:
    guess = did_you_mean(word, choices)
    hint = f"; did you mean {guess!r}?" if guess else ""
    return f"{word!r} is not one of {', '.join(choices)}{hint}"


def _name(text: str) -> str:
    name = text.strip()
    if not name:
        raise ValueError("a system needs a name")
    if len(name) > 100:
        raise ValueError("a name of at most 100 characters, please")
    if any(not ch.isprintable() for ch in name):
        raise ValueError("a name of printable characters, please")
    return name


def _words(choices: Tuple[str, ...], aliases: Optional[Dict[str, str]] = None
           ) -> Callable[[str], List[str]]:
    def parse(text: str) -> List[str]:
        words = [w for w in re.split(r"[\s,]+", text.strip().lower()) if w]
        if words == ["none"]:
            return []
        chosen: List[str] = []
        for word in words:
            word = (aliases or {}).get(word, word)
            if word not in choices:
                raise ValueError(_one_of(word, choices + ("none",)))
            if word not in chosen:
                chosen.append(word)
        return chosen

    return parse


def _choice(choices: Tuple[str, ...], unknown: bool = True) -> Callable[[str], Optional[str]]:
    def parse(text: str) -> Optional[str]:
        word = text.strip().lower()
        if unknown and word == "unknown":
            return None
        if word not in choices:
            raise ValueError(_one_of(word, choices + (("unknown",) if unknown else ())))
        return word

    return parse


_SCALES = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def _count(unknown: bool = False) -> Callable[[str], Optional[int]]:
    """A whole number; ``128k`` and ``4M`` are read as people write them."""

    def parse(text: str) -> Optional[int]:
        word = text.strip().lower().replace("_", "").replace(",", "")
        if unknown and word == "unknown":
            return None
        scale = 1
        if word[-1:] in _SCALES:
            scale, word = _SCALES[word[-1]], word[:-1]
        try:
            number = float(word) * scale if scale > 1 else int(word)
        except ValueError:
            also = " or unknown" if unknown else ""
            raise ValueError(f"{text.strip()!r} is not a whole number{also}") from None
        if number < 0 or number != int(number):
            raise ValueError(f"{text.strip()!r} is not a whole number of at least 0")
        return int(number)

    return parse


def _score(text: str) -> Optional[float]:
    word = text.strip().lower()
    if word == "unknown":
        return None
    percent = word.endswith("%")
    try:
        value = float(word.rstrip("%")) / (100 if percent else 1)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a score from 0 to 1 (or a percentage), "
                         "or unknown") from None
    if not 0 <= value <= 1:
        raise ValueError(f"{text.strip()!r} is not between 0 and 1")
    return round(value, 4)


def _yes_no(text: str) -> bool:
    word = text.strip().lower()
    if word in ("y", "yes", "true"):
        return True
    if word in ("n", "no", "false"):
        return False
    raise ValueError(f"{text.strip()!r}: answer yes or no")


def _architecture_default(answers: Dict[str, Any]) -> str:
    return str(answers.get("_recommended", "prompt"))


def questions(default_name: str) -> List[Question]:
    """The questions, in the order they are asked (and answers are read from a pipe)."""
    return [
        Question("name", "What is the AI system called?", "a name", default_name, _name),
        Question("gaps", "What did the unmodified base model get wrong when you tried it?",
                 "knowledge, reasoning, behavior (any of them), or none if not tried yet",
                 "none", _words(GAPS, {"behaviour": "behavior"})),
        Question("baseline_queries", "How many real queries did you run against it?",
                 "a number", "0", _count()),
        Question("changes", "How often do the facts it must know change?",
                 ", ".join(FREQUENCIES) + ", or unknown", "unknown", _choice(FREQUENCIES)),
        Question("depth", "Should it look those facts up, or must it have internalised them?",
                 "reference, deep, or unknown", "unknown", _choice(DEPTHS)),
        Question("corpus_tokens", "How many tokens do its documents hold in all?",
                 "a number such as 4M, 0 if it has none", "0", _count()),
        Question("context_window_tokens", "How many tokens fit in the model's context window?",
                 "a number such as 128k, or unknown", "unknown", _count(unknown=True)),
        Question("citations", "Must its answers cite their sources?", "yes or no", "no",
                 _yes_no),
        Question("per_user_access", "May different users see different documents?",
                 "yes or no", "no", _yes_no),
        Question("eval_examples", "How many labelled examples does your eval set hold?",
                 "a number, 0 if there is no eval set", "0", _count()),
        Question("training_examples",
                 "How many training examples (inputs with expected outputs) do you have?",
                 "a number, 0 if none", "0", _count()),
        Question("few_shot_examples", "How many examples have you tried in the prompt?",
                 "a number", "0", _count()),
        Question("baseline_score",
                 "What did the best prompt score on the eval set, from 0 to 1?",
                 "a score such as 0.7, or unknown", "unknown", _score),
        Question("goals", "What would a fine-tune have to change?",
                 ", ".join(GOALS) + " (any of them), or none", "none", _words(GOALS)),
        Question("requests_per_month", "How many requests a month do you expect?",
                 "a number such as 30k, or unknown", "unknown", _count(unknown=True)),
        Question("architecture", "Which architecture do you choose?",
                 ", ".join(ARCHITECTURES), _architecture_default,
                 _choice(ARCHITECTURES, unknown=False)),
    ]


# -- the declaration ---------------------------------------------------------------------------


def system_facts(answers: Dict[str, Any]) -> Dict[str, Any]:
    """One system's declared facts from the answers; what is unknown is left out."""
    system: Dict[str, Any] = {"architecture": answers["architecture"]}
    if answers["gaps"]:
        system["gaps"] = answers["gaps"]
    if answers["baseline_queries"]:
        system["baseline_queries"] = answers["baseline_queries"]
    knowledge: Dict[str, Any] = {}
    if answers["changes"] is not None:
        knowledge["changes"] = answers["changes"]
    if answers["depth"] is not None:
        knowledge["depth"] = answers["depth"]
    if answers["corpus_tokens"]:
        knowledge["corpus_tokens"] = answers["corpus_tokens"]
    knowledge["citations"] = answers["citations"]
    knowledge["per_user_access"] = answers["per_user_access"]
    system["knowledge"] = knowledge
    prompt: Dict[str, Any] = {}
    if answers["few_shot_examples"]:
        prompt["few_shot_examples"] = answers["few_shot_examples"]
    if answers["context_window_tokens"] is not None:
        prompt["context_window_tokens"] = answers["context_window_tokens"]
    if answers["baseline_score"] is not None:
        prompt["baseline_score"] = answers["baseline_score"]
    if prompt:
        system["prompt"] = prompt
    fine_tune: Dict[str, Any] = {}
    if answers["goals"]:
        fine_tune["goals"] = answers["goals"]
    if answers["training_examples"]:
        fine_tune["training_examples"] = answers["training_examples"]
    if answers["requests_per_month"] is not None:
        fine_tune["requests_per_month"] = answers["requests_per_month"]
    if fine_tune:
        system["fine_tune"] = fine_tune
    if answers["eval_examples"]:
        system["eval"] = {"examples": answers["eval_examples"], "labeled": True}
    return system


def declaration_data(answers: Dict[str, Any]) -> Dict[str, Any]:
    """The whole declaration: the default settings and the one system."""
    return {"fail_on": "error", "systems": {answers["name"]: system_facts(answers)}}


_COMMENTS = {
    "fail_on": "the lowest severity that fails `ragft-lint check`",
    "architecture": " | ".join(ARCHITECTURES),
    "gaps": "what the unmodified base model got wrong",
    "changes": "how often the facts change",
    "requests_per_month": "the volume a fine-tune would have to pay back",
}

_HEADER = [
    "Each AI system, the architecture chosen for it, and the evidence behind that choice.",
    "Written by `ragft-lint init`; `ragft-lint check` compares the choice with the evidence,",
    "`ragft-lint decide` shows which architecture the evidence points to, and",
    "`ragft-lint schema` describes every key.",
]

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Words a YAML 1.1 reader would take for something other than a string.
_YAML_SPECIAL = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _quoted(text: str) -> str:
    """A double-quoted string that YAML and TOML read alike."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    text = str(value)
    plain = _PLAIN.fullmatch(text) and text.lower() not in _YAML_SPECIAL
    return text if plain else _quoted(text)


def _comment(key: str) -> str:
    return f"  # {_COMMENTS[key]}" if key in _COMMENTS else ""


def to_yaml(data: Dict[str, Any]) -> str:
    """The declaration as a commented ``ragft.yaml``."""
    lines = [f"# {line}" for line in _HEADER] + [""]
    lines.append(f"fail_on: {_yaml_scalar(data['fail_on'])}{_comment('fail_on')}")
    lines += ["", "systems:"]

    def table(values: Dict[str, Any], indent: int) -> None:
        for key, value in values.items():
            if isinstance(value, dict):
                lines.append(f"{' ' * indent}{key}:")
                table(value, indent + 2)
            else:
                lines.append(f"{' ' * indent}{key}: {_yaml_scalar(value)}{_comment(key)}")

    for name, system in data["systems"].items():
        lines.append(f"  {_yaml_scalar(name)}:")
        table(system, 4)
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _quoted(str(value))


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _quoted(key)


def to_toml(data: Dict[str, Any]) -> str:
    """The declaration as a ``[tool.ragft-lint]`` table for a ``pyproject.toml``."""
    # The comment goes inside the table, so that replacing the table (--force) replaces it too.
    lines = ["[tool.ragft-lint]"] + [f"# {line}" for line in _HEADER]
    lines.append(f"fail_on = {_toml_value(data['fail_on'])}{_comment('fail_on')}")

    def table(header: str, values: Dict[str, Any]) -> None:
        lines.extend(["", f"[{header}]"])
        for key, value in values.items():
            if not isinstance(value, dict):
                lines.append(f"{_toml_key(key)} = {_toml_value(value)}{_comment(key)}")
        for key, value in values.items():
            if isinstance(value, dict):
                table(f"{header}.{_toml_key(key)}", value)

    for name, system in data["systems"].items():
        table(f"tool.ragft-lint.systems.{_toml_key(name)}", system)
    return "\n".join(lines) + "\n"


# -- where it goes -----------------------------------------------------------------------------


def _declares(pyproject: Path) -> bool:
    """Whether a ``pyproject.toml`` holds a ``[tool.ragft-lint]`` table (raises if unreadable)."""
    from .declaration.discovery import read_text
    from .declaration.toml_source import read_pyproject

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


_HEADER_LINE = re.compile(r"\s*\[\[?([^\]\[]*)\]\]?\s*(#.*)?")
_OURS = re.compile(r"tool\.(ragft-lint|\"ragft-lint\"|'ragft-lint')(\..*)?")


def _is_ours(header: str) -> bool:
    key = re.sub(r"\s*\.\s*", ".", header.strip())
    return bool(_OURS.fullmatch(key))


def _replace_table(text: str, table: str) -> str:
    """``text`` with its ``[tool.ragft-lint]`` tables replaced by ``table``, in the place of
    the first of them; every other line stays as it was."""
    lines = text.splitlines(keepends=True)
    kept: List[str] = []
    tail: List[str] = []  # comments and blank lines at the end of the table being dropped
    inside = False
    place: Optional[int] = None
    for line in lines:
        match = _HEADER_LINE.fullmatch(line.rstrip("\r\n"))
        if match:
            ours = _is_ours(match.group(1))
            if inside and not ours:  # the comments just above a header belong to that header
                while tail and not tail[0].strip():
                    tail.pop(0)
                kept.extend(tail)
            tail = []
            inside = ours
            if inside and place is None:
                place = len(kept)
        if not inside:
            kept.append(line)
        elif not line.strip() or line.lstrip().startswith("#"):
            tail.append(line)
        else:
            tail = []
    if place is None:
        return _appended(text, table)
    newline = "\r\n" if "\r\n" in text else "\n"
    block = table.replace("\n", newline)
    if place < len(kept):
        block += newline
    return "".join(kept[:place]) + block + "".join(kept[place:])


def _appended(text: str, table: str) -> str:
    """``text`` unchanged, then a blank line and ``table`` (in the file's own line ending)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    block = table.replace("\n", newline)
    if not text:
        return block
    if text.endswith(newline * 2):
        return text + block
    if text.endswith(("\n", "\r")):
        return text + newline + block
    return text + newline + newline + block


def _toml(text: str) -> Dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    parsed: Dict[str, Any] = tomllib.loads(text)
    return parsed


def _without_ours(parsed: Dict[str, Any]) -> Dict[str, Any]:
    tool = dict(parsed.get("tool") or {})
    tool.pop("ragft-lint", None)
    rest = {k: v for k, v in parsed.items() if k != "tool"}
    if tool:
        rest["tool"] = tool
    return rest


def pyproject_bytes(file: Path, data: Dict[str, Any], force: bool) -> bytes:
    """The new content of a ``pyproject.toml``: its bytes as they are, then the new table (or,
    with ``force``, the old table replaced); ``InitError`` when that cannot be done safely."""
    from .declaration.discovery import read_text

    display = display_path(file)
    text = read_text(file, display)  # refuses what is not UTF-8 text
    raw = file.read_bytes()
    table = to_toml(data)
    bom = raw.startswith(b"\xef\xbb\xbf")
    new_text = _replace_table(text, table) if force else _appended(text, table)
    by_hand = f"; add this table by hand:\n\n{table}"
    try:
        before = _toml(text)
        after = _toml(new_text)
        tool = after.get("tool")
        ours = tool.get("ragft-lint") if isinstance(tool, dict) else None
        if ours != data or _without_ours(after) != _without_ours(before):
            raise ValueError("the table would not read back as written")
    except ValueError as exc:  # TOMLDecodeError is a ValueError
        if force:
            raise InitError(f"{display} declares tool.ragft-lint in a form that init cannot "
                            f"replace line by line; remove it by hand and run init again"
                            f"{by_hand}") from None
        raise InitError(f"{display}: a [tool.ragft-lint] table cannot be added to the file "
                        f"as it stands ({exc}){by_hand}") from None
    if not force:
        return raw + new_text[len(text):].encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")


# -- the conversation --------------------------------------------------------------------------


class _Cancelled(Exception):
    """The user ended the conversation (Ctrl-D on a terminal): nothing is written."""


class _Asker:
    """Asks on a terminal (again after a wrong answer) or reads one line per answer."""

    def __init__(self, stdin: TextIO, prompts: TextIO, interactive: bool, colour: bool) -> None:
        self.stdin = stdin
        self.prompts = prompts
        self.interactive = interactive
        self.colour = colour

    def say(self, text: str) -> None:
        if self.interactive:
            self.prompts.write(text + "\n")
            self.prompts.flush()

    def ask(self, number: int, total: int, question: Question, default: str) -> Any:
        while True:
            if self.interactive:
                title = f"{number}/{total} {question.text}"
                if self.colour:
                    title = f"\x1b[1m{title}\x1b[0m"
                self.prompts.write(f"{title}\n  {question.accepts} [{default}]: ")
                self.prompts.flush()
            line = self.stdin.readline()
            if not line and self.interactive:
                raise _Cancelled()
            text = line.rstrip("\r\n")
            try:
                return question.parse(text if text.strip() else default)
            except ValueError as exc:
                if not self.interactive:
                    raise InitError(f"answer {number} ({question.text}): {exc}") from None
                self.prompts.write(f"  {exc}\n")


def _recommendation(answers: Dict[str, Any], folder: Path) -> Tuple[str, str]:
    """What decide makes of the answers so far: a default architecture and a line to show."""
    from .decide import decide
    from .declaration import declaration_from
    from .declaration.document import Document

    data = declaration_data({**answers, "architecture": "prompt"})
    try:
        declaration = declaration_from(Document(folder / "ragft.yaml", "answers", "yaml", data))
    except RagftLintError:
        return "prompt", ""
    decision = decide(declaration)[answers["name"]]
    said = ", ".join(f"{f.title}: {f.verdict}" for f in decision.frameworks)
    verdicts = [decision.consensus] + [f.verdict for f in decision.frameworks]
    chosen = next((v for v in verdicts if v in ARCHITECTURES), "prompt")
    return chosen, f"From these answers, decide says: {said}."


def interview(asker: _Asker, folder: Path) -> Dict[str, Any]:
    """Every answer, by question name."""
    name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-") or "assistant"
    asked = questions(name)
    answers: Dict[str, Any] = {}
    for number, question in enumerate(asked, 1):
        if question.name == "architecture":
            answers["_recommended"], note = _recommendation(answers, folder)
            if note:
                asker.say(note)
        default = question.default(answers) if callable(question.default) else question.default
        answers[question.name] = asker.ask(number, len(asked), question, default)
    answers.pop("_recommended", None)
    return answers


def run(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    """``ragft-lint init``: ask, write, read back, and show what decide says."""
    from . import atomic
    from .cli import _colour, _plugin_status

    folder = Path(args.folder) if args.folder else Path.cwd()
    if not folder.is_dir():
        raise InitError(f"{args.folder}: no such folder")
    path = target(folder, args.pyproject, args.force)  # refuse before any question is asked
    if stdin is None:  # started without any standard input: every answer is the default
        import io

        stdin = io.StringIO("")
    interactive = stdin.isatty()
    asker = _Asker(stdin, sys.stderr, interactive, _colour(sys.stderr))
    asker.say("ragft-lint init: a few questions about one AI system. Press Enter to take the "
              "answer in [brackets]; `unknown` leaves a fact out.")
    try:
        answers = interview(asker, folder)
    except _Cancelled:
        print("\nragft-lint: init cancelled; nothing was written", file=sys.stderr)
        return 130
    data = declaration_data(answers)
    if args.pyproject:
        content = pyproject_bytes(path, data, args.force)
    else:
        content = to_yaml(data).encode("utf-8")

    from . import host as host_module
    from .declaration import declaration_from
    from .declaration.discovery import load_file

    host = host_module.load()
    known = [r.id for r in host.rules()]
    # What is written must read back as a valid declaration; checked before writing.
    declaration_from(_read_back(path, content), known, host.extension())
    try:
        atomic.write_bytes(path, content)
    except OSError as exc:
        raise InitError(f"{display_path(path)}: cannot write: {exc.strerror or exc}") from None
    system = answers["name"]
    print(f"ragft-lint: wrote {display_path(path)} (system {system!r}, architecture "
          f"{answers['architecture']})", file=sys.stderr)

    from .decide import decide
    from .output import decision_text

    written = load_file(path)
    if written is None:
        raise InitError(f"{display_path(path)}: the new table does not read back")
    declaration = declaration_from(written, known, host.extension())
    out.write(("\n" if interactive else "")
              + decision_text.render(decide(declaration), colour=_colour(out)))
    out.write("\nNext: `ragft-lint check` shows where the evidence and the choice disagree.\n")
    return _plugin_status(host, 0)


def _read_back(path: Path, content: bytes) -> Document:
    """The document that ``content`` will be once written at ``path``."""
    from .declaration.toml_source import read_pyproject
    from .declaration.yaml_source import read_yaml

    display = display_path(path)
    text = content.decode("utf-8")
    text = text[1:] if text.startswith("\ufeff") else text
    document = (read_pyproject(path, display, text) if path.name == PYPROJECT
                else read_yaml(path, display, text))
    if document is None:
        raise InitError(f"{display}: the new table does not read back")
    return document
