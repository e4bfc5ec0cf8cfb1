"""The questions ``ragft-lint init`` asks: the ``Question`` type, the parsers that turn an
answer into a declared value (or a message saying why they cannot), the questions in the
order they are asked, and their defaults.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from ..declaration.schema import ARCHITECTURES, DEPTHS, FREQUENCIES, GAPS, GOALS
from ..record import NamedTuple
from ..suggest import hint
from .survey import Found

__all__ = ["REQUIRED", "Question", "default_name", "questions"]

# Answers a declaration cannot do without: taken from their defaults when nobody gives them.
REQUIRED = ("name", "architecture")


class Question(NamedTuple):
    """One question: the answer's name, the question, what it accepts, its default, a parser.

    ``default`` is a word, or a function of the answers so far (the architecture's default is
    what ``decide`` makes of them). ``parse`` raises ``ValueError`` with a message for an
    answer it cannot use. ``when``, if given, is asked of the answers so far: the question is
    asked (and reads a line from a pipe) only when it says yes.
    """

    name: str
    text: str
    accepts: str
    default: Union[str, Callable[[Dict[str, Any]], str]]
    parse: Callable[[str], Any]
    when: Optional[Callable[[Dict[str, Any]], bool]] = None

    def asked(self, answers: Dict[str, Any]) -> bool:
        """Whether the answers so far call for this question."""
        return self.when is None or self.when(answers)


def _per_user(answers: Dict[str, Any]) -> bool:
    return answers.get("per_user_access") is True



# -- answers -----------------------------------------------------------------------------------


def _one_of(word: str, choices: Tuple[str, ...]) -> str:
    return f"{word!r} is not one of {', '.join(choices)}{hint(word, choices)}"


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


def _model(text: str) -> Optional[str]:
    name = text.strip()
    if name.lower() in ("", "unknown"):
        return None
    if any(not ch.isprintable() for ch in name):
        raise ValueError("a model name of printable characters, please")
    return name


def _path(text: str) -> Optional[str]:
    """A path (or glob) relative to the declaration's folder, or ``none``."""
    name = text.strip()
    if name.lower() in ("", "none", "unknown"):
        return None
    if any(not ch.isprintable() for ch in name):
        raise ValueError("a path of printable characters, please")
    return name.replace("\\", "/")


def _has_eval(answers: Dict[str, Any]) -> bool:
    return bool(answers.get("eval_examples") or answers.get("eval_path"))


def _has_baseline(answers: Dict[str, Any]) -> bool:
    return answers.get("baseline_score") is not None or bool(answers.get("baseline_results"))


def _unless(name: str) -> Callable[[Dict[str, Any]], bool]:
    """Asked only when the file ``name`` answers was not given: its figure is then measured."""
    return lambda answers: not answers.get(name)


def _judgements_needed(answers: Dict[str, Any]) -> bool:
    run = answers.get("retrieval_run")
    return bool(run) and not str(run).lower().endswith(".jsonl")


def _reasoning(answers: Dict[str, Any]) -> bool:
    # The conventions a fine-tune would encode matter where it would learn to reason.
    return "reasoning" in (answers.get("gaps") or []) + (answers.get("goals") or [])


def _architecture_default(answers: Dict[str, Any]) -> str:
    return str(answers.get("_recommended", "prompt"))



def default_name(folder: Path) -> str:
    """The system's name when none is given: the folder's, as a lower-case slug."""
    name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return name or "assistant"


def _file_question(name: str, text: str, found: Optional[str]) -> List[Question]:
    """A question proposing what the survey found; none when it found nothing."""
    if found is None:
        return []
    return [Question(name, text, "a path relative to this folder, or none", found, _path)]


def _measured_or_asked(question: Question, by: str, proposed: Optional[str]) -> Question:
    """``question`` (a declared figure) asked only when the file ``by`` names is not given;
    unchanged when the survey proposed no such file."""
    return question if proposed is None else question._replace(when=_unless(by))


def questions(default_name: str, found: Optional[Found] = None) -> List[Question]:
    """The questions, in the order they are asked (and answers are read from a pipe).

    ``found`` is what the survey of the project proposes: each proposal is a question whose
    default is the file found, and the figure that file measures is then asked only when the
    proposal is turned down.
    """
    found = found or Found()
    result = found.results[0][0] if found.results else None
    asked = [
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
        *_file_question("knowledge_sources", "Which files hold the knowledge it must know "
                        "(their git history says how often they change)?", found.sources),
        Question("context_window_tokens", "How many tokens fit in the model's context window?",
                 "a number such as 128k, or unknown", "unknown", _count(unknown=True)),
        Question("citations", "Must its answers cite their sources?", "yes or no", "no",
                 _yes_no),
        Question("per_user_access", "May different users see different documents?",
                 "yes or no", "no", _yes_no),
        Question("acl_filtering",
                 "Does retrieval filter the documents by the asking user's permissions?",
                 "yes or no", "no", _yes_no, when=_per_user),
        Question("leakage_tested",
                 "Do tests show that a user cannot retrieve documents only others may see?",
                 "yes or no", "no", _yes_no, when=_per_user),
        *_file_question("retrieval_run", "Which retrieval run measures its retrieval?",
                        found.retrieval_run),
        *([Question("retrieval_qrels", "Which file holds that run's relevance judgements?",
                    "a path relative to this folder, or none", found.qrels, _path,
                    _judgements_needed)] if found.qrels else []),
        *_file_question("eval_path", "Which file is the eval set?", found.eval_set),
        _measured_or_asked(Question(
            "eval_examples", "How many labelled examples does your eval set hold?",
            "a number, 0 if there is no eval set", "0", _count()), "eval_path", found.eval_set),
        Question("target_score", "What score must it reach on that eval set to ship, from 0 "
                 "to 1?", "a score such as 0.85, or unknown", "unknown", _score, _has_eval),
        *_file_question("training_data", "Which file holds the training data?",
                        found.training_data),
        _measured_or_asked(Question(
            "training_examples",
            "How many training examples (inputs with expected outputs) do you have?",
            "a number, 0 if none", "0", _count()), "training_data", found.training_data),
        Question("few_shot_examples", "How many examples have you tried in the prompt?",
                 "a number", "0", _count()),
        *_file_question("baseline_results", "Which eval tool's result file holds the best "
                        "prompt's score on the eval set?", result),
        _measured_or_asked(Question(
            "baseline_score", "What did the best prompt score on the eval set, from 0 to 1?",
            "a score such as 0.7, or unknown", "unknown", _score), "baseline_results", result),
        Question("baseline_model", "Which model was that score measured on?",
                 "a model name, or unknown", "unknown", _model, _has_baseline),
        Question("goals", "What would a fine-tune have to change?",
                 ", ".join(GOALS) + " (any of them), or none", "none", _words(GOALS)),
        Question("conventions_change", "How often do the conventions it would learn (how to "
                 "reason, what counts as correct) change?",
                 ", ".join(FREQUENCIES) + ", or unknown", "unknown", _choice(FREQUENCIES),
                 _reasoning),
        Question("requests_per_month", "How many requests a month do you expect?",
                 "a number such as 30k, or unknown", "unknown", _count(unknown=True)),
        Question("architecture", "Which architecture do you choose?",
                 ", ".join(ARCHITECTURES), _architecture_default,
                 _choice(ARCHITECTURES, unknown=False)),
    ]
    return asked
