"""What ``init`` finds in the project to propose as evidence: an eval set, training data, a
retrieval run with its judgements, eval tools' result files, and a knowledge folder.

It looks at the files git knows (tracked, or new and not ignored) at or below the folder the
declaration goes into; outside a repository, at a walk of that folder that skips hidden
folders and virtual environments. It never imports or runs anything from the project: it reads
the first bytes of the files whose names fit (at most ``MAX_FILES`` names, ``HEAD_BYTES`` of
at most ``MAX_OPENED`` files), and a result file whole only through the reader that will read
it at ``check`` time (bounded as there), so that only a file ``check`` can measure is proposed.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Tuple

from ..record import NamedTuple

__all__ = ["MAX_FILES", "MAX_OPENED", "Found", "survey"]

MAX_FILES = 20_000  # names looked at; a bigger tree is surveyed in part
HEAD_BYTES = 64 * 1024
MAX_OPENED = 500  # files whose first bytes are read; the shallowest are looked at first
_GIT_SECONDS = 10.0
_RECORDS = (".jsonl", ".json", ".csv")
_DATA_SUFFIXES = _RECORDS + (".parquet",)
_RESULT_SUFFIXES = (".json", ".jsonl", ".csv", ".eval")
# The keys that open a record in one of the layouts the readers recognise (evidence/layouts).
_LAYOUT_KEYS = ("messages", "prompt", "instruction", "input", "question", "query")
_EVAL_WORDS = re.compile(r"(^|[/_.-])(evals?|evaluation|test|dev|valid(ation)?|golden)([/_.-]|$)")
_TRAIN_WORDS = re.compile(r"(^|[/_.-])(train(ing)?|sft|finetune|fine-tune)([/_.-]|$)")
_TREC_RUN = re.compile(r"\S+\s+Q0\s+\S+\s+\d+\s+[-+0-9.eE]+\s+\S+")
_TREC_QRELS = re.compile(r"\S+\s+\S+\s+\S+\s+-?\d+(\.0*)?")
_KNOWLEDGE_FOLDERS = ("docs", "knowledge", "kb", "documents", "corpus")
_KNOWLEDGE_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".pdf", ".html", ".htm")
_SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "__pypackages__"})


class Found(NamedTuple):
    """What the survey proposes, each path relative to the surveyed folder, '/'-separated."""

    eval_set: Optional[str] = None
    training_data: Optional[str] = None
    retrieval_run: Optional[str] = None
    qrels: Optional[str] = None  # the judgements beside a TREC or BEIR run
    results: Tuple[Tuple[str, str], ...] = ()  # (path, the tool that wrote it)
    sources: Optional[str] = None  # a glob of the knowledge files
    configs: Tuple[str, ...] = ()  # eval tools' configs: their output is what is measured


def _listed(folder: str) -> Optional[List[str]]:
    """The files git knows at or below ``folder``, or None when git cannot say."""
    from .. import gitcmd
    from ..declaration.discovery import project_root

    done = gitcmd.run(["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                      project_root(folder), folder, _GIT_SECONDS, user_config=True)
    if done.output is None:
        return None
    names = done.output.decode("utf-8", "surrogateescape").split("\0")
    return [name for name in names if name][:MAX_FILES]


def _walked(folder: str) -> List[str]:
    names: List[str] = []
    for current, folders, files in os.walk(folder):
        folders[:] = sorted(
            name for name in folders
            if not name.startswith(".") and name not in _SKIPPED
            and not os.path.exists(os.path.join(current, name, "pyvenv.cfg")))
        relative = os.path.relpath(current, folder)
        for name in sorted(files):
            names.append(name if relative == "." else f"{relative}/{name}".replace(os.sep, "/"))
            if len(names) >= MAX_FILES:
                return names
    return names


def _head(folder: str, name: str) -> str:
    """The first bytes of a regular file inside ``folder`` (links are not followed)."""
    path = os.path.join(folder, *name.split("/"))
    try:
        if not os.path.isfile(path) or os.path.islink(path):
            return ""
        with open(path, "rb") as handle:
            return handle.read(HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _first_record(head: str, name: str) -> Dict[str, Any]:
    """The first record of a JSON Lines, JSON array or CSV file, from its head."""
    import json

    text = head.lstrip("\ufeff").lstrip()
    if name.endswith(".csv"):
        lines = text.split("\n", 2)
        header = [cell.strip().strip('"') for cell in lines[0].split(",")]
        cells = lines[1].split(",") if len(lines) > 1 else []
        return {key: _number(cell) for key, cell in zip(header, cells + [""] * len(header))}
    line = text.split("\n", 1)[0] if name.endswith(".jsonl") else ""
    if name.endswith(".json"):
        match = re.match(r"\[\s*(\{[^\n]*?\})\s*[,\]]", text)
        line = match.group(1) if match else ""
    try:
        record = json.loads(line)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def _number(cell: str) -> Any:
    try:
        return float(cell)
    except ValueError:
        return cell


def _scored(record: Dict[str, Any]) -> bool:
    """Whether a record carries a score (a number that is not an id): a question-and-answer
    record without one is an eval set, not a result file."""
    return any(isinstance(value, (int, float)) and not isinstance(value, bool)
               and key.lower() not in ("id", "sample_id", "case_id", "index")
               for key, value in record.items())


def _result_tool(folder: str, name: str, head: str) -> Optional[str]:
    """The tool that wrote a result file ``check`` can measure as it stands, else None."""
    from ..evidence.result_reader import builtin_readers
    from ..evidence.results import opener_inside
    from ..evidence.safety import MAX_FILE_BYTES

    readers = builtin_readers()
    reader = next((r for r in readers.values() if r.sniff(head, name)), None)
    if reader is None or (reader.name == "ragas" and not _scored(_first_record(head, name))):
        return None
    try:
        if os.path.getsize(os.path.join(folder, *name.split("/"))) > MAX_FILE_BYTES:
            return None  # check would not read it either
        # Read whole, as check will read it: a file that needs a selector (several metrics or
        # providers), an extra that is not installed, or that no reader can read is not
        # proposed, whatever the reason (NotReadable, OSError or a reader's own failure).
        reader.read(name, opener_inside(os.path.realpath(folder)), None, None)
    except Exception:
        return None
    return str(reader.name)


def _rank(name: str) -> Tuple[int, str]:
    return name.count("/"), name  # the shallowest first, then by name


def survey(folder: str) -> Found:
    """What evidence the project at or below ``folder`` holds (see the module's docstring)."""
    from ..declaration.discovery import project_root
    from ..declaration.listing import is_repository

    names = _listed(folder) if is_repository(project_root(folder)) else None
    if names is None:
        names = _walked(folder)
    names = sorted(names, key=_rank)
    evals: List[str] = []
    training: List[str] = []
    runs: Dict[str, str] = {}  # a run, and its kind: trec, beir or jsonl
    qrels: Dict[str, str] = {}
    results: List[Tuple[str, str]] = []
    configs: List[str] = []
    knowledge: Dict[str, int] = {}
    opened = 0
    for name in names:
        lower = name.lower()
        base = lower.rsplit("/", 1)[-1]
        top = lower.split("/", 1)[0]
        if "/" in lower and top in _KNOWLEDGE_FOLDERS and base.endswith(_KNOWLEDGE_SUFFIXES):
            knowledge[top] = knowledge.get(top, 0) + 1
            continue
        if base.startswith("promptfooconfig.") and base.endswith((".yaml", ".yml")):
            configs.append(name)
            continue
        if not base.endswith(_DATA_SUFFIXES + (".eval", ".txt", ".trec", ".run", ".tsv",
                                               ".qrels")) and "." in base:
            continue
        if opened >= MAX_OPENED:
            break
        opened += 1
        head = _head(folder, name) if not base.endswith(".parquet") else ""
        first = head.lstrip().split("\n", 1)[0]
        if "qrels" in lower or base.endswith(".qrels"):
            if _TREC_QRELS.fullmatch(first.strip()):
                qrels[name] = "trec"
            elif first.replace(" ", "").startswith("query-id\tcorpus-id"):
                qrels[name] = "beir"
            continue
        if _TREC_RUN.fullmatch(first.strip()):
            runs[name] = "trec"
            continue
        if base.endswith(_RESULT_SUFFIXES) and head:
            tool = _result_tool(folder, name, head)
            if tool is not None:
                results.append((name, tool))
                continue
        if not base.endswith(_DATA_SUFFIXES):
            continue
        keys = list(_first_record(head, base)) if head else []
        if "retrieved" in keys and ({"query_id", "qid", "query"} & set(keys)):
            runs[name] = "jsonl"
            continue
        if base.endswith(".json") and re.match(r"\{\s*\"[^\"]+\"\s*:\s*\{", head):
            runs.setdefault(name, "beir")  # {qid: {docid: score}}: a run only with judgements
            continue
        if head and not any(key in keys for key in _LAYOUT_KEYS):
            continue
        if _EVAL_WORDS.search(lower):
            evals.append(name)
        elif _TRAIN_WORDS.search(lower) or top in ("data", "datasets"):
            training.append(name)
    run, judged = _retrieval(runs, qrels)
    sources = max(knowledge, key=lambda k: knowledge[k]) if knowledge else None
    return Found(eval_set=evals[0] if evals else None,
                 training_data=training[0] if training else None,
                 retrieval_run=run, qrels=judged, results=tuple(results),
                 sources=f"{sources}/**" if sources else None, configs=tuple(configs))


def _retrieval(runs: Dict[str, str], qrels: Dict[str, str]) -> Tuple[Optional[str],
                                                                   Optional[str]]:
    """A run ``check`` can measure: per-query JSON Lines, or a TREC/BEIR run with judgements of
    its kind (the nearest ones: in the same folder, else the shallowest)."""
    for run, kind in runs.items():
        if kind == "jsonl":
            return run, None
        judged = [q for q, k in qrels.items() if k == kind]
        if judged:
            here = run.rsplit("/", 1)[0] if "/" in run else ""
            near = [q for q in judged if q.startswith(here)] or judged
            return run, near[0]
    return None, None
