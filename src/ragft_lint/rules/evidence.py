"""DA: does the evidence on disk agree with the declaration? (measured)

These rules compare the declaration with the files and the git history it points to. Their
checks read the measurements of the evidence subsystem; until it provides them, they find
nothing. Their examples say in comments what the files on disk hold.
"""

from __future__ import annotations

from typing import Iterator

from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule


@rule("DA001", "evidence-missing", Severity.ERROR)
def evidence_missing(system: System, context: Context) -> Iterator[Violation]:
    """A file the declaration names as evidence does not exist.

    Why: a declaration that points at an eval set, a training set or a regression suite that is
    not there claims evidence nobody can check. Every rule that trusts that file trusts nothing.

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
    # Reads which declared paths exist, a measurement the evidence subsystem provides.
    yield from ()


@rule("DA002", "count-mismatch", Severity.ERROR)
def count_mismatch(system: System, context: Context) -> Iterator[Violation]:
    """A declared count differs from the number of records in the file it describes.

    Why: readers of the declaration, and the rules when a file cannot be read, go by the
    declared counts (`fine_tune.training_examples`, `eval.examples`,
    `rag.retrieval_eval.examples`). When the file holds a different number of records, the
    declaration describes data that is not the data really there.

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
    # Reads record counts of the evidence files, measurements the evidence subsystem provides.
    yield from ()


@rule("DA003", "train-eval-overlap", Severity.ERROR)
def train_eval_overlap(system: System, context: Context) -> Iterator[Violation]:
    """Inputs of the eval set also appear in the training data.

    Why: a model scored on examples it was trained on is tested on memory, not on ability, and
    the score comes out higher than real users will see. Inputs count as the same when they
    differ only in letter case and white space.

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
    # Reads the inputs of both files, measurements the evidence subsystem provides.
    yield from ()


@rule("DA004", "duplicate-training-examples", Severity.WARNING)
def duplicate_training_examples(system: System, context: Context) -> Iterator[Violation]:
    """Too many of the training examples are duplicates.

    Why: every copy of an example weighs it again, so a few behaviours get over-taught and the
    model learns the repetition as if it were signal. A small share is tolerated; the threshold
    is `max_duplicate_ratio`.

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
    # Reads the training data's duplicate share, which the evidence subsystem provides.
    yield from ()


@rule("DA005", "knowledge-changes-faster", Severity.ERROR)
def knowledge_changes_faster(system: System, context: Context) -> Iterator[Violation]:
    """The git history of the knowledge sources shows changes more often than declared.

    Why: several rules decide on `knowledge.changes` (whether a fine-tune can keep up, whether
    the index is fresh enough). The repository's own history of `knowledge.sources` is better
    evidence of that pace than a guess written down once.

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
    # Reads how often the sources changed in git, a measurement the evidence subsystem provides.
    yield from ()


@rule("DA006", "malformed-evidence", Severity.ERROR)
def malformed_evidence(system: System, context: Context) -> Iterator[Violation]:
    """A record in an evidence file cannot be parsed.

    Why: a broken record is a record no measurement can use, and every count, duplicate check
    and overlap check made on the file after it is in doubt. The finding names the file and the
    line.

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
    # Reads the parse errors of the evidence files, which the evidence subsystem provides.
    yield from ()


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
    # Reads which eval records hold an expected output, which the evidence subsystem provides.
    yield from ()
