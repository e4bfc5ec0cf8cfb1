"""BL: was the failure diagnosed first?"""

from __future__ import annotations

from typing import Iterator, List

from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule


@rule("BL001", "no-baseline-diagnosis", Severity.WARNING)
def no_baseline_diagnosis(system: System, context: Context) -> Iterator[Violation]:
    """A retrieval or fine-tuned system chosen without diagnosing the base model's failure.

    Why: what the unmodified model gets wrong on real queries (missing knowledge, weak
    reasoning, or the wrong behaviour) is what points to retrieval, fine-tuning or a better
    prompt. Picking an architecture before running those queries and naming the gap is
    picking it because it is popular, not because it fits.

    Fix: run at least `min_baseline_queries` real queries against the unmodified model, then
    record how many you ran in `baseline_queries` and what went wrong in `gaps`.

    Fires:
        systems:
          support-bot:
            architecture: rag
            baseline_queries: 20

    Passes:
        systems:
          support-bot:
            architecture: rag
            gaps: [knowledge]
            baseline_queries: 60
    """
    # A prompt-only system is the starting point the diagnosis is run from, not a choice
    # that needs one.
    if system.architecture == "prompt":
        return
    minimum = context.threshold("min_baseline_queries")
    queries = system.get("baseline_queries")
    too_few = queries is not None and queries < minimum
    gaps: List[str] = system.get("gaps", default=[])
    if not gaps:
        shortfall = (
            f"; baseline_queries is {queries}, fewer than min_baseline_queries ({minimum})"
            if too_few else ""
        )
        yield Violation(
            f"architecture is {system.architecture}, but gaps "
            f"{'is empty' if system.has('gaps') else 'is not declared'}: nothing says what the "
            f"unmodified model got wrong{shortfall}",
            f"run at least {minimum} real queries against the unmodified model and declare "
            "the failures you saw in gaps (knowledge, reasoning, behavior)",
            ("gaps",) if system.has("gaps") else ("architecture",),
        )
    elif too_few:
        # An undeclared count is not a shortfall: the declared gaps are the diagnosis.
        yield Violation(
            f"baseline_queries is {queries}, fewer than min_baseline_queries ({minimum}): too "
            f"few real queries to tell which gap decides the architecture",
            f"run at least {minimum} real queries against the unmodified model before "
            "settling the architecture",
            ("baseline_queries",),
        )
