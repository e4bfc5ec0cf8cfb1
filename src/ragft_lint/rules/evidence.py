"""DA: does the evidence on disk agree with the declaration? (measured)

These rules compare the declaration with the files and the git history it points to, as
measured once per run by ``ragft_lint.evidence`` (``Context.measurement``). With evidence off
(``--no-evidence``, or ``evidence: false``) nothing is measured and they find nothing. Their
examples say in comments what the files on disk hold.

Findings point at the declared key (the file's key, or the count it contradicts); messages
name the evidence file and, where it matters, the line in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional, Tuple

from ..declaration.model import System
from ..evidence import CHANGES, COUNT_KEYS, FILE_KEYS, WHOLE_FILE
from ..evidence import EVAL as EVAL_FILE
from ..evidence import TRAINING as TRAINING_FILE
from ..facts import Facts
from ..findings import Severity
from ..rule import Context, Violation, rule
from ..words import counted

if TYPE_CHECKING:
    from ..evidence.measurements import FileFacts


def dotted(keys: Tuple[Any, ...]) -> str:
    return ".".join(str(k) for k in keys)


def facts_of(system: System, context: Optional[Context] = None) -> Facts:
    """The system's facts, measured over declared where ``context`` read the evidence; as
    declared when there is no context (a helper called on a bare system)."""
    return context.facts(system) if context is not None else Facts(system)


def _place(facts: FileFacts, line: int) -> str:
    return f"{facts.path}:{line}" if facts.unit == "line" else f"{facts.path} row {line}"


def _lines(facts: FileFacts, lines: Tuple[int, ...]) -> str:
    word = facts.unit + ("s" if len(lines) > 1 else "")
    return f"{word} {', '.join(str(n) for n in lines)}"


@rule("DA001", "evidence-missing", Severity.ERROR)
def evidence_missing(system: System, context: Context) -> Iterator[Violation]:
    """A file the declaration names as evidence does not exist, or is not a file to read.

    Why: a declaration that points at an eval set, a training set or a regression suite that is
    not there claims evidence nobody can check. Every rule that trusts that file trusts nothing.
    The same goes for a `knowledge.sources` pattern that matches no file, and for a path that is
    not a regular file inside the project (a folder, a FIFO, a device, a link leading out of
    the project): those are refused before anything opens them.

    Fix: commit the file at the declared path, or correct the path; if the evidence does not
    exist yet, remove the key rather than point at a placeholder.

    Fires:
        systems:
          support-bot:
            architecture: fine-tune
            eval:
              path: evals/support.jsonl   # no such file in the project

    Passes:
        systems:
          support-bot:
            architecture: fine-tune
            eval:
              path: evals/support.jsonl   # the file exists
    """
    found = context.measurement(system)
    if found is None:
        return
    for key in FILE_KEYS:
        gone = found.unreadable.get(key)
        if gone is None:
            continue
        missing = gone.reason == "does not exist"
        yield Violation(
            f"{dotted(key)} names {gone.path}, which {gone.reason}",
            "commit the file at the declared path, or correct the path" if missing
            else "point the key at a regular file inside the project",
            key,
        )
    for index, pattern in found.missing_sources:
        yield Violation(
            f"knowledge.sources[{index}] is {pattern!r}, which matches no file",
            "correct the pattern, or remove it if those sources are gone",
            ("knowledge", "sources", index),
        )


@rule("DA002", "count-mismatch", Severity.ERROR)
def count_mismatch(system: System, context: Context) -> Iterator[Violation]:
    """A declared count differs from the number of records in the file it describes.

    Why: readers of the declaration, and the rules when a file cannot be read, go by the
    declared counts (`fine_tune.training_examples`, `eval.examples`,
    `rag.retrieval_eval.examples`). When the file holds a different number of records, the
    declaration describes data that is not the data really there. Malformed records count as
    records here (DA006 reports them); the other rules use the number of readable records.

    Fix: update the declared count to what the file holds, or bring the file back to the data
    set the count describes.

    Fires:
        systems:
          support-bot:
            architecture: fine-tune
            eval:
              path: evals/support.jsonl   # holds 120 records
              examples: 180

    Passes:
        systems:
          support-bot:
            architecture: fine-tune
            eval:
              path: evals/support.jsonl   # holds 180 records
              examples: 180
    """
    found = context.measurement(system)
    if found is None:
        return
    for file_key, count_key in COUNT_KEYS.items():
        facts = found.files.get(file_key)
        declared = system.get(*count_key)
        if facts is None or declared is None or not facts.complete or facts.read == declared:
            continue
        held = f"{facts.path} holds {counted(facts.read, 'record')}"
        if facts.malformed:
            held += f" ({facts.malformed} of them malformed)"
        yield Violation(
            f"{dotted(count_key)} is {declared}, but {held}: the declaration describes other "
            "data than the file",
            f"set {dotted(count_key)} to {facts.read}, or restore the data set the count "
            "describes",
            count_key,
        )


@rule("DA003", "train-eval-overlap", Severity.ERROR)
def train_eval_overlap(system: System, context: Context) -> Iterator[Violation]:
    """Inputs of the eval set also appear in the training data.

    Why: a model scored on examples it was trained on is tested on memory, not on ability, and
    the score comes out higher than real users will see. Inputs count as the same when they
    differ only in letter case and white space. The finding gives the first shared inputs as
    pairs of lines (eval, training).

    Fix: remove the shared inputs from the training data (or replace them in the eval set with
    fresh examples), retrain, and score again.

    Fires:
        systems:
          support-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl   # holds 12 of the eval set's inputs
            eval:
              path: evals/support.jsonl

    Passes:
        systems:
          support-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl   # shares no input with evals/support.jsonl
            eval:
              path: evals/support.jsonl
    """
    found = context.measurement(system)
    overlap = found.overlap if found is not None else None
    if overlap is None or not overlap.shared:
        return
    assert found is not None
    eval_unit = found.files[EVAL_FILE].unit if EVAL_FILE in found.files else "line"
    train_unit = found.files[TRAINING_FILE].unit if TRAINING_FILE in found.files else "line"
    pairs = ", ".join(f"eval {eval_unit} {e} = training {train_unit} {t}"
                      for e, t in overlap.pairs)
    yield Violation(
        f"{overlap.shared} of the {overlap.eval_inputs} eval inputs in {overlap.eval_path} also "
        f"appear in {overlap.training_path} (after normalising case and white space), e.g. "
        f"{pairs} ({overlap.snippet!r}): the eval score measures memory, not ability",
        "remove the shared inputs from the training data (or replace them in the eval set), "
        "retrain, and score again",
        TRAINING_FILE,
    )


@rule("DA004", "duplicate-training-examples", Severity.WARNING)
def duplicate_training_examples(system: System, context: Context) -> Iterator[Violation]:
    """Too many of the training examples are duplicates.

    Why: every copy of an example weighs it again, so a few behaviours get over-taught and the
    model learns the repetition as if it were signal. A small share is tolerated; the threshold
    is `max_duplicate_ratio`. An example is a duplicate when its input and its output both
    repeat an earlier example's, after normalising case and white space.

    Fix: de-duplicate the training data (after normalising case and white space) and update
    `fine_tune.training_examples`.

    Fires:
        systems:
          support-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl   # 90 of its 1800 records are duplicates (5%)

    Passes:
        systems:
          support-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl   # 9 of its 1800 records are duplicates (0.5%)
    """
    found = context.measurement(system)
    facts = found.files.get(TRAINING_FILE) if found is not None else None
    if facts is None or not facts.duplicates:
        return
    examples = facts.records - facts.without_input
    ratio = facts.duplicates / examples
    limit = context.threshold("max_duplicate_ratio")
    if ratio <= limit:
        return
    first, earlier = facts.first_duplicates[0]
    yield Violation(
        f"{facts.duplicates} of the {examples} examples in {facts.path} ({ratio:.1%}) repeat an "
        f"earlier one after normalising case and white space, more than max_duplicate_ratio "
        f"({limit}); e.g. {facts.unit} {first} repeats {facts.unit} {earlier}",
        "de-duplicate the training data and update fine_tune.training_examples",
        TRAINING_FILE,
    )


@rule("DA005", "knowledge-changes-faster", Severity.ERROR)
def knowledge_changes_faster(system: System, context: Context) -> Iterator[Violation]:
    """The git history of the knowledge sources shows changes more often than declared.

    Why: several rules decide on `knowledge.changes` (whether a fine-tune can keep up, whether
    the index is fresh enough). The repository's own history of `knowledge.sources` is better
    evidence of that pace than a guess written down once, and those rules use it when it is
    faster. The history read is the year up to the run date; a pace (daily, weekly, monthly or
    quarterly) is measured when at least half of its periods since the first change seen, and
    at least three, saw a commit.

    Fix: set `knowledge.changes` to the pace the history shows, then act on what the other
    rules say about it.

    Fires:
        systems:
          policy-bot:
            architecture: rag
            knowledge:
              changes: quarterly
              sources: ["docs/policies/**"]   # git history: changed every week this year

    Passes:
        systems:
          policy-bot:
            architecture: rag
            knowledge:
              changes: weekly
              sources: ["docs/policies/**"]   # git history: changed every week this year
    """
    declared = system.get(*CHANGES)
    measured = context.facts(system).fact(*CHANGES)
    if declared is None or not measured.measured:
        return
    pace = measured.value
    yield Violation(
        f"knowledge.changes is {declared}, but {measured.evidence}: the knowledge changes {pace}",
        f"set knowledge.changes to {pace}, then act on what the rules say about that pace",
        CHANGES,
    )


@rule("DA006", "malformed-evidence", Severity.ERROR)
def malformed_evidence(system: System, context: Context) -> Iterator[Violation]:
    """A record in an evidence file cannot be parsed.

    Why: a broken record is a record no measurement can use, and every count, duplicate check
    and overlap check made on the file after it is in doubt. The finding names the file and the
    line of the first few, and how many there are in all: reading goes on after a bad line of
    JSON Lines or CSV, so one run shows them all. A JSON array broken in the middle cannot be
    read past the break.

    Fix: repair or remove the record at the reported line, then run the check again.

    Fires:
        systems:
          support-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl   # line 37 is not valid JSON

    Passes:
        systems:
          support-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl   # every line is one JSON record
    """
    found = context.measurement(system)
    if found is None:
        return
    for key in FILE_KEYS:
        facts = found.files.get(key)
        if facts is None or not facts.malformed:
            continue
        if all(m.line == WHOLE_FILE for m in facts.first_malformed):
            # Nothing in the file could be read at all: no record is to blame, and no reading
            # stopped part-way.
            # The readers' reasons are said of the file ("is empty"), except an unknown format.
            reasons = "; ".join(m.reason if m.reason.startswith("format ") else f"it {m.reason}"
                                for m in facts.first_malformed)
            yield Violation(f"{facts.path} cannot be measured: {reasons}",
                            f"fix {facts.path}, or say how to read it (format, metric, task) "
                            "in the declaration", key)
            continue
        # A negative line is one of another file (a run's judgements), named in the reason.
        shown = "; ".join(m.reason if m.line < 0 else f"{_place(facts, m.line)}: {m.reason}"
                          for m in facts.first_malformed)
        more = facts.malformed - len(facts.first_malformed)
        # A run's judgements are read with it: their records are named as theirs.
        held = facts.path + (" and its judgements" if any(m.line < 0 for m in
                                                          facts.first_malformed) else "")
        verb = "holds" if held == facts.path else "hold"
        text = f"{held} {verb} {counted(facts.malformed, 'malformed record')}: {shown}"
        if more:
            text += f"; and {more} more"
        if not facts.complete:
            text += (f"; reading stopped there, so {counted(facts.records, 'record')} is only "
                     "a lower bound")
        yield Violation(
            text,
            f"repair or remove the malformed record{'s' if facts.malformed > 1 else ''} in "
            f"{held}",
            key,
        )


@rule("DA007", "unlabeled-eval-records", Severity.WARNING)
def unlabeled_eval_records(system: System, context: Context) -> Iterator[Violation]:
    """The eval set is declared labelled, but its records hold no expected output.

    Why: `eval.labeled: true` promises an expected answer for every example. Records without
    one contradict the declaration, and an eval without expected outputs cannot score anything
    on its own.

    Fix: add the expected output to every record (or name its field with the `output` of
    `eval.path`), or declare `eval.labeled: false` until they are labelled.

    Fires:
        systems:
          support-bot:
            architecture: rag
            eval:
              path: evals/support.jsonl   # records have a question but no answer
              labeled: true

    Passes:
        systems:
          support-bot:
            architecture: rag
            eval:
              path: evals/support.jsonl   # every record has a question and its answer
              labeled: true
    """
    if system.get("eval", "labeled") is not True:
        return
    found = context.measurement(system)
    facts = found.files.get(EVAL_FILE) if found is not None else None
    if facts is None or not facts.unlabeled:
        return
    with_input = facts.records - facts.without_input
    yield Violation(
        f"eval.labeled is true, but {facts.unlabeled} of the {with_input} records in "
        f"{facts.path} have no expected output ({_lines(facts, facts.first_unlabeled)}"
        f"{', ...' if facts.unlabeled > len(facts.first_unlabeled) else ''})",
        "add the expected output to every record (or name its field with the output setting "
        "of eval.path), or declare eval.labeled: false until they are labelled",
        ("eval", "labeled"),
    )
