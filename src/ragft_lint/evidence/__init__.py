"""Measured evidence: what the files and the git history a declaration points to really hold.

The engine calls ``collect.measure`` once per declaration when evidence is on; the rules read
the result through ``Context.measurement``. Nothing here is imported by a ``--no-evidence`` run.

Modules, in the order data flows through them:

- ``safety``: opens only regular files inside the project root;
- ``readers``: JSON Lines, JSON arrays, CSV and (with pyarrow) Parquet, record by record;
- ``layouts``: finds what the model is given and what it should answer in a record;
- ``measure``: counts, malformed records, duplicates, train/eval overlap, missing labels;
- ``history``: how often ``knowledge.sources`` change in git, when the eval file was added;
- ``cache``: results keyed on each file's identity, in a folder that ignores itself;
- ``progress``: a progress line on a terminal for scans that take a while;
- ``retrieval``, ``retrieval_metrics``: retrieval runs with their judgements, scored;
- ``results``: eval tools' result files read into per-case scores (``result_reader``: what a
  reader is, and the built-in ones by name);
- ``statistics``: intervals, paired tests and the cases that would settle a gain;
- ``measurements``: what was measured, per file and per system;
- ``collect``: all of the above for one declaration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Tuple

if TYPE_CHECKING:
    from ..declaration.model import Declaration

Keys = Tuple[str, ...]

# The keys of a system that name evidence files, and what is measured of them.
# (This module is all that a check imports of the package until something is to be measured.)
EVAL: Keys = ("eval", "path")
TRAINING: Keys = ("fine_tune", "training_data")
REGRESSION: Keys = ("fine_tune", "regression_suite")
RETRIEVAL_EVAL: Keys = ("rag", "retrieval_eval", "path")
SOURCES: Keys = ("knowledge", "sources")
# Eval tools' result files (measured-quality.md): per-case scores, read by what wrote them.
BASELINE_RESULTS: Keys = ("prompt", "baseline_results")
FINE_TUNE_RESULTS: Keys = ("fine_tune", "results")
RESULT_KEYS: Tuple[Keys, ...] = (BASELINE_RESULTS, FINE_TUNE_RESULTS)
# How a result file is read: its tool, then what picks the part that counts (its selectors).
# The line of a ``Malformed`` about the file as a whole, not a record in it: no reader gives
# it any scores (it is empty, the metric is ambiguous, an extra is missing).
WHOLE_FILE = 0

RESULT_HOW = ("format", "metric", "task", "provider", "prompt", "filter")
FILE_KEYS: Tuple[Keys, ...] = (RETRIEVAL_EVAL, TRAINING, REGRESSION, EVAL, *RESULT_KEYS)

# What is measured: the declared facts a measurement stands for.
RETRIEVAL_EXAMPLES: Keys = ("rag", "retrieval_eval", "examples")
TRAINING_EXAMPLES: Keys = ("fine_tune", "training_examples")
EVAL_EXAMPLES: Keys = ("eval", "examples")
CHANGES: Keys = ("knowledge", "changes")
EVAL_CREATED: Keys = ("eval", "created_at")
PRECISION_AT_5: Keys = ("rag", "retrieval_eval", "precision_at_5")
RECALL_AT_5: Keys = ("rag", "retrieval_eval", "recall_at_5")
BASELINE_SCORE: Keys = ("prompt", "baseline_score")
FINE_TUNE_SCORE: Keys = ("fine_tune", "score")
# A declared score -> the result file it is measured from.
SCORE_KEYS: Dict[Keys, Keys] = {
    BASELINE_SCORE: BASELINE_RESULTS,
    FINE_TUNE_SCORE: FINE_TUNE_RESULTS,
}

# Evidence file -> the declared count its records stand for (and must match).
COUNT_KEYS: Dict[Keys, Keys] = {
    RETRIEVAL_EVAL: RETRIEVAL_EXAMPLES,
    TRAINING: TRAINING_EXAMPLES,
    EVAL: EVAL_EXAMPLES,
}

# Measured fact -> the declared key that points at its evidence. A measured fact is located at
# that key, so that a finding or a step points at what the number was read from.
MEASURED_FROM: Dict[Keys, Keys] = {
    **{count: file for file, count in COUNT_KEYS.items()},
    CHANGES: SOURCES,  # the pace their git history shows
    EVAL_CREATED: EVAL,  # the day git first saw the file
    PRECISION_AT_5: RETRIEVAL_EVAL,  # scored from the retrieval run and its judgements
    RECALL_AT_5: RETRIEVAL_EVAL,
    **SCORE_KEYS,  # the mean over the scored cases of an eval tool's result file
}


def needed(declaration: Declaration) -> bool:
    """Whether any system points to evidence; when none does, nothing is imported or read."""
    return any(system.get(*keys) for system in declaration.systems.values()
               for keys in (*FILE_KEYS, SOURCES))
