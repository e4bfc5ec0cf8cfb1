"""DE: does the declared architecture agree with the verdicts of `decide`?"""

from __future__ import annotations

from typing import Iterator

from ..decide import UNDECIDED, disagreement
from ..decide.model import ARCHITECTURES
from ..decide.open_sets import spoken
from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule


@rule("DE001", "architecture-disagrees", Severity.WARNING)
def architecture_disagrees(system: System, context: Context) -> Iterator[Violation]:
    """The declared architecture is not what the decision frameworks agree on.

    Why: `ragft-lint decide` walks the failure-mode tree, the five gates and the checklist over
    the facts this system declares (and what was measured of them). Where at least two of them
    arrive at the same verdict, that consensus is what the evidence points to; a declared
    architecture that differs from it was chosen on other grounds than the evidence, or the
    evidence as written is wrong or incomplete. One framework agreeing is not enough to settle
    it: the checklist alone can lean either way on a single sign. Where no two agree, the one
    architecture that every framework leaves open is the consensus. Without one, the rule
    fires only if no framework leaves the declared architecture open. A framework that could
    not reach a verdict for want of a fact (`undecided`) still rules out what no value of that
    fact could lead to, and nothing else: missing facts alone never fire this rule (BL001 and
    the steps of `ragft-lint decide` name them).

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
              depth: reference
              corpus_tokens: 2000000
              sources: ["docs/faq/**"]
            prompt:
              context_window_tokens: 128000

    Passes:
        systems:
          faq-bot:
            architecture: rag
            gaps: [knowledge]
            knowledge:
              changes: weekly
              depth: reference
              corpus_tokens: 2000000
              sources: ["docs/faq/**"]
            prompt:
              context_window_tokens: 128000
    """
    # The same facts as `ragft-lint decide` walks: measured over declared, where evidence was read.
    decision = disagreement(system, context.thresholds, facts=context.facts(system))
    if decision is None:
        return
    verdicts = "; ".join(f"{f.title}: {f.verdict}" + (
        f" ({spoken(f.open)} open)" if f.verdict == UNDECIDED else "")
        for f in decision.frameworks)
    consensus = decision.consensus
    if consensus in ARCHITECTURES:
        said = (f"{consensus} is the only architecture no framework rules out ({verdicts})"
                if decision.only_open else f"the frameworks agree on {consensus} ({verdicts})")
        fix = (f"the frameworks point to {consensus}: run `ragft-lint decide` to see why, then "
               "change the architecture or correct the facts that point there")
    else:
        said = f"no decision framework leaves it open ({verdicts})"
        fix = ("run `ragft-lint decide` to see each framework's path, then change the "
               "architecture or correct the facts that point elsewhere")
    prefix = system.key() + "."
    missing = [key[len(prefix):] if key.startswith(prefix) else key for key in decision.missing]
    if missing:
        fix += f"; not declared, and able to change the verdicts: {', '.join(missing)}"
    yield Violation(f"architecture is {system.architecture}, but {said}", fix, ("architecture",))
