"""DE: does the declared architecture agree with the verdicts of `decide`?"""

from __future__ import annotations

from typing import Iterator

from ..decide import UNDECIDED, disagreement
from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule


@rule("DE001", "architecture-disagrees", Severity.WARNING)
def architecture_disagrees(system: System, context: Context) -> Iterator[Violation]:
    """The declared architecture is not the verdict of any of the three decision frameworks.

    Why: `ragft-lint decide` walks the failure-mode tree, the five gates and the checklist over
    the facts this system declares. When not one of them arrives at the architecture that was
    chosen, the declared facts point somewhere else: either the choice was made on other
    grounds than the evidence, or the evidence as written is wrong or incomplete. A framework
    that could not reach a verdict (`undecided`) agrees with nothing; but when none of the three
    reached one, the rule stays quiet, because then the missing diagnosis is the problem
    (BL001 reports it) rather than a disagreement.

    Fix: run `ragft-lint decide` to see each framework's path and the facts behind every step.
    Then change the architecture to what the evidence supports, or correct the facts that
    point elsewhere (a gap, how often the knowledge changes, the size of the data).

    Fires:
        systems:
          faq-bot:
            architecture: fine-tune
            gaps: [knowledge]
            knowledge:
              changes: weekly
              sources: ["docs/faq/**"]

    Passes:
        systems:
          faq-bot:
            architecture: rag
            gaps: [knowledge]
            knowledge:
              changes: weekly
              sources: ["docs/faq/**"]
    """
    # The same facts as `ragft-lint decide` walks: measured over declared, where evidence was read.
    decision = disagreement(system, context.thresholds, facts=context.facts(system))
    if decision is None or not decision.reached:
        return
    verdicts = "; ".join(f"{f.title}: {f.verdict}" for f in decision.frameworks)
    consensus = decision.consensus
    if consensus not in ("split", UNDECIDED):
        fix = (f"the frameworks point to {consensus}: run `ragft-lint decide` to see why, then "
               "change the architecture or correct the facts that point there")
    else:
        fix = ("run `ragft-lint decide` to see each framework's path, then change the "
               "architecture or correct the facts that point elsewhere")
    prefix = system.key() + "."
    missing = [key[len(prefix):] if key.startswith(prefix) else key for key in decision.missing]
    if missing:
        fix += f"; not declared, and able to change the verdicts: {', '.join(missing)}"
    yield Violation(
        f"architecture is {system.architecture}, but no decision framework reaches it "
        f"({verdicts})",
        fix,
        ("architecture",),
    )
