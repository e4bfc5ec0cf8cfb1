"""DA: do the declared scores agree with the ones measured from the files behind them?

The figures are measured once per run by ``ragft_lint.evidence`` (retrieval runs with their
judgements under ``rag.retrieval_eval.path``) and reach the rules through the facts view,
where a measured figure stands beside the declared one. With evidence off nothing is measured
and these rules find nothing.
"""

from __future__ import annotations

from typing import Iterator

from ..declaration.model import System
from ..evidence import PRECISION_AT_5, RECALL_AT_5
from ..findings import Severity
from ..rule import Context, Violation, rule

# The declared figures that a measurement can contradict, by what the message calls them.
_FIGURES = ((PRECISION_AT_5, "precision@5"), (RECALL_AT_5, "recall@5"))


@rule("DA008", "score-mismatch", Severity.ERROR)
def score_mismatch(system: System, context: Context) -> Iterator[Violation]:
    """A declared score differs from the score measured from the file it comes from.

    Why: a score in the declaration is a claim; the run or result file that produced it is the
    evidence. When the two differ by more than `score_tolerance`, every rule and framework that
    reads the declared figure reasons from a number the evidence does not support. Retrieval
    figures are measured from a scored run under `rag.retrieval_eval.path` (a TREC or BEIR run
    with its qrels, or per-query JSON Lines with retrieved and relevant documents), with
    precision@5 and recall@5 defined as trec_eval defines them and averaged over the queries
    that have a relevant document; the message gives the measured figure's 95 % interval (a
    normal interval on the mean of the per-query values) and the number of judged queries.

    Fix: declare the measured figure (or remove the declared one and let the run speak), or,
    if the file is not the run the figure came from, point the key at the right one.

    Fires:
        systems:
          docs-bot:
            architecture: rag
            rag:
              retrieval_eval:
                path: {path: runs/bm25.trec, qrels: runs/qrels.txt}   # measures 0.55
                precision_at_5: 0.78

    Passes:
        systems:
          docs-bot:
            architecture: rag
            rag:
              retrieval_eval:
                path: {path: runs/bm25.trec, qrels: runs/qrels.txt}   # measures 0.55
                precision_at_5: 0.55
    """
    if context.measurement(system) is None:
        return
    facts = context.facts(system)
    tolerance = context.threshold("score_tolerance")
    for keys, name in _FIGURES:
        declared = system.get(*keys)
        fact = facts.fact(*keys)
        if declared is None or not fact.measured:
            continue
        if abs(float(declared) - fact.value) <= tolerance:
            continue
        dotted = ".".join(keys)
        yield Violation(
            f"{dotted} is {declared}, but the {name} {fact.evidence}: the declared figure is "
            f"more than score_tolerance ({tolerance}) away",
            f"declare {dotted}: {fact.value:.2f}, or point rag.retrieval_eval.path at the run "
            "the declared figure came from",
            keys,
        )
