"""DA: do the declared scores agree with the ones measured from the files behind them?

The figures are measured once per run by ``ragft_lint.evidence`` (retrieval runs with their
judgements under ``rag.retrieval_eval.path``, eval tools' result files under
``prompt.baseline_results`` and ``fine_tune.results``) and reach the rules through the facts view,
where a measured figure stands beside the declared one. With evidence off nothing is measured
and these rules find nothing.
"""

from __future__ import annotations

from typing import Iterator

from ..declaration.model import System
from ..evidence import (
    BASELINE_SCORE,
    EVAL_EXAMPLES,
    FINE_TUNE_SCORE,
    PRECISION_AT_5,
    RECALL_AT_5,
    RESULT_KEYS,
)
from ..findings import Severity
from ..rule import Context, Violation, rule
from ..words import counted

# The declared figures that a measurement can contradict, by what the message calls them.
_FIGURES = ((PRECISION_AT_5, "precision@5"), (RECALL_AT_5, "recall@5"),
            (BASELINE_SCORE, "score"), (FINE_TUNE_SCORE, "score"))
# Where each figure is measured from, as the fix names it.
_FROM = {PRECISION_AT_5: "rag.retrieval_eval.path at the run",
         RECALL_AT_5: "rag.retrieval_eval.path at the run",
         BASELINE_SCORE: "prompt.baseline_results at the result file",
         FINE_TUNE_SCORE: "fine_tune.results at the result file"}
# More cases than this share without a score, and the file's score is not the eval's.
UNSCORED_SHARE = 0.05


@rule("DA008", "score-mismatch", Severity.ERROR)
def score_mismatch(system: System, context: Context) -> Iterator[Violation]:
    """A declared score differs from the score measured from the file it comes from.

    Why: a score in the declaration is a claim; the run or result file that produced it is the
    evidence. When the two differ by more than `score_tolerance`, every rule and framework that
    reads the declared figure reasons from a number the evidence does not support. Retrieval
    figures are measured from a scored run under `rag.retrieval_eval.path` (a TREC or BEIR run
    with its qrels, or per-query JSON Lines with retrieved and relevant documents) as trec_eval
    computes them: ranked by score, ties by document id descending, averaged over the queries
    both in the run and in the judgements (`queries: all` averages every judged query, as
    `trec_eval -c`); when equally scored documents straddle a cut-off, the message says in how
    many queries, since tools that break ties otherwise print other figures. The message gives
    the measured figure's 95 % interval (a normal interval on the mean of the per-query values)
    and the number of queries averaged.
    `prompt.baseline_score` and `fine_tune.score` are measured from the eval tool's result
    file under `prompt.baseline_results` and `fine_tune.results` (promptfoo, inspect_ai,
    deepeval, lm-evaluation-harness, OpenAI evals, ragas, or JSON Lines of `{id, score}`): the
    mean over the scored cases, with a Wilson interval when every score is a pass or a fail,
    else a normal interval on the mean; cases without a score are not averaged.

    Fix: declare the measured figure (or remove the declared one and let the file speak), or,
    if the file is not the one the figure came from, point the key at the right one.

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
    found = context.measurement(system)
    if found is None:
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
        run = found.retrieval if keys in (PRECISION_AT_5, RECALL_AT_5) else None
        ties = ""
        if run is not None and run.tied:
            # Tools that break ties otherwise print other figures from the same run.
            judged = counted(run.judged, "query", "queries")
            verb = "has" if run.tied == 1 else "have"
            ties = (f"; {run.tied} of its {judged} {verb} equally scored documents "
                    "across the cut-off at 5 or 10, which trec_eval orders by document id "
                    "(descending), so a tool that breaks ties otherwise (ranx keeps the file's "
                    "order) prints another figure")
        yield Violation(
            f"{dotted} is {declared}, but the {name} {fact.evidence}: the declared figure is "
            f"more than score_tolerance ({tolerance}) away{ties}",
            f"declare {dotted}: {fact.value:.2f}, or point {_FROM[keys]} the declared figure "
            "came from",
            keys,
        )


@rule("DA009", "results-do-not-cover-eval", Severity.WARNING)
def results_do_not_cover_eval(system: System, context: Context) -> Iterator[Violation]:
    """A result file that does not cover the eval set, or leaves many cases without a score.

    Why: a score is the eval's score only when it is measured over the eval set, the whole of
    it and nothing else. A result file with fewer cases than the eval set is a score over part
    of it (a run stopped early, a filter left on); one with more cases scored another set. And
    cases without a score (a provider error, a NaN) are not averaged: past 5 % of the cases,
    the mean is over a set the errors chose. The eval set's size is the records counted in
    `eval.path`, else `eval.examples`; the eval records carry no case ids, so the two are
    compared by count.

    Fix: score the whole eval set again, and only it, and repair what made cases fail to
    score; or, if the eval set changed, point `eval.path` at the one the results are from.

    Fires:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              path: evals/tone.jsonl          # 180 records
            fine_tune:
              results: results/ft.json        # scores 90 cases

    Passes:
        systems:
          tone-bot:
            architecture: fine-tune
            eval:
              path: evals/tone.jsonl          # 180 records
            fine_tune:
              results: results/ft.json        # scores the same 180 cases
    """
    found = context.measurement(system)
    if found is None:
        return
    held = context.facts(system).get(*EVAL_EXAMPLES)
    for key in RESULT_KEYS:
        scores = found.results.get(key)
        if scores is None:
            continue
        dotted = ".".join(key)
        if isinstance(held, int) and scores.complete and scores.cases != held:
            fewer = scores.cases < held
            yield Violation(
                f"{scores.path} ({dotted}) scores {counted(scores.cases, 'case')}, but the eval "
                f"set holds {held}: " + ("the score covers only part of the eval set" if fewer else
                               "it scores cases that are not in the eval set"),
                "score the whole eval set, and only it, and point "
                f"{dotted} at that file",
                key,
            )
        if scores.cases and scores.unscored > UNSCORED_SHARE * scores.cases:
            share = 100 * scores.unscored / scores.cases
            named = ", ".join(scores.first_unscored)
            yield Violation(
                f"{scores.path} ({dotted}) has {scores.unscored} of its {scores.cases} cases "
                f"without a score ({share:.0f} %, more than {UNSCORED_SHARE * 100:.0f} %)"
                + (f", e.g. {named}" if named else "")
                + ": the score is over the cases that did not fail",
                "repair what kept those cases from being scored (provider errors, NaN scores) "
                "and score them again",
                key,
            )
