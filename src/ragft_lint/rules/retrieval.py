"""RG: will retrieval find the right thing?"""

from __future__ import annotations

from typing import Any, Iterator, Tuple

from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule
from .knowledge import at_least_as_often, knowledge_changes, pace_source

# What a retrieval eval can declare besides its precision: named in RG002's message.
_RETRIEVAL_EVAL_KEYS = ("path", "examples", "recall_at_5")
PRECISION = ("rag", "retrieval_eval", "precision_at_5")


def _in_rag(system: System, key: str) -> Tuple[Any, ...]:
    """Where to point for ``rag.<key>``: the key, else the rag table, else the architecture."""
    if system.has("rag", key):
        return ("rag", key)
    return ("rag",) if system.has("rag") else ("architecture",)


@rule("RG001", "no-reranker", Severity.WARNING)
def no_reranker(system: System, context: Context) -> Iterator[Violation]:
    """A retrieval system that sends its first retrieved chunks to the model without reranking.

    Why: embedding search ranks candidates by rough similarity. Rescoring a wider set of them
    (say the top 20) with a cross-encoder and keeping only the best few (say 5) usually
    improves answers more than a new embedding model or another chunk size would.

    When `rag.retrieval_eval.precision_at_5` already meets `min_precision_at_5`, the finding is
    only information: retrieval is measured to be good enough, and a reranker is an optional
    gain rather than a gap. If latency rules a reranker out, waive the rule with that reason.

    Fix: set `rag.reranker` to a cross-encoder model, retrieve more candidates than the model
    sees (`rag.retrieve_k: 20`, `rag.context_k: 5`), and measure the difference.

    Fires:
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: false
              retrieve_k: 5
              context_k: 5

    Passes:
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieve_k: 20
              context_k: 5
    """
    if not system.retrieval:
        return
    reranker = system.get("rag", "reranker")
    if reranker:
        return
    stated = "rag.reranker is false" if reranker is False else "no rag.reranker is declared"
    precision = system.get("rag", "retrieval_eval", "precision_at_5")
    minimum = context.threshold("min_precision_at_5")
    if precision is not None and precision >= minimum:
        yield Violation(
            f"{stated}; retrieval already reaches precision@5 {precision} (min_precision_at_5 "
            f"is {minimum}), so a reranker is an optional gain",
            "try a cross-encoder reranker over about 20 candidates, keeping 5, and keep it if "
            "precision@5 improves; waive RG001 with the reason if latency rules it out",
            _in_rag(system, "reranker"),
            Severity.INFO,
        )
        return
    yield Violation(
        f"{stated}: the {system.architecture} system hands the model its chunks in raw "
        "embedding order",
        "rerank about 20 retrieved candidates with a cross-encoder and keep the best 5 "
        "(rag.reranker, rag.retrieve_k: 20, rag.context_k: 5)",
        _in_rag(system, "reranker"),
    )


@rule("RG002", "no-retrieval-eval", Severity.WARNING)
def no_retrieval_eval(system: System, context: Context) -> Iterator[Violation]:
    """A retrieval system whose retrieval precision is not measured.

    Why: the model can only answer from what retrieval hands it, so retrieval quality caps the
    quality of the whole system. Without a retrieval eval, nobody knows how often the chunk
    that holds the answer is among those the model sees. A retrieval eval that gives no
    precision@5 (a file of queries that was never scored, a count of queries, a recall alone)
    measures nothing the other rules can compare with `min_precision_at_5`.

    Fix: collect real queries, label the chunks that answer each, measure precision and recall
    at 5, and declare them under `rag.retrieval_eval` (`precision_at_5`, with `path`,
    `examples` and `recall_at_5`), or point `rag.retrieval_eval.path` at a scored retrieval run.

    Fires:
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieval_eval:
                path: evals/retrieval.jsonl

    Passes:
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieval_eval:
                path: evals/retrieval.jsonl
                precision_at_5: 0.78
                recall_at_5: 0.81
    """
    if not system.retrieval:
        return
    # Declared, or measured from the retrieval run: the facts view holds whichever is known.
    if context.facts(system).has(*PRECISION):
        return
    declared = system.get("rag", "retrieval_eval", default={})
    given = [key for key in _RETRIEVAL_EVAL_KEYS if key in declared]
    if given:
        named = ", ".join(f"rag.retrieval_eval.{key}" for key in given)
        stated = f"{named} {'is' if len(given) == 1 else 'are'} declared, but no precision@5"
    elif system.has("rag", "retrieval_eval"):
        stated = "rag.retrieval_eval names no eval file and no measured precision"
    else:
        stated = "no rag.retrieval_eval is declared"
    yield Violation(
        f"architecture is {system.architecture}, but {stated}: nobody knows how often the "
        "chunk that answers a query reaches the model",
        "label real queries with the chunks that answer them, measure precision@5 and "
        "recall@5, and declare them under rag.retrieval_eval (or point its path at a scored "
        "retrieval run)",
        _in_rag(system, "retrieval_eval"),
    )


@rule("RG003", "low-retrieval-precision", Severity.ERROR)
def low_retrieval_precision(system: System, context: Context) -> Iterator[Violation]:
    """Retrieval precision at 5 is below the bar.

    Why: when too few of the retrieved chunks are relevant, everything downstream (the prompt,
    the model, a fine-tune) works from the wrong material. Below the bar, retrieval is the
    first thing to fix: chunking, embeddings, reranking. A fine-tune chosen because retrieval
    disappointed does not fix retrieval either, so the rule also applies to fine-tuned systems
    that declare their retrieval results; it is skipped only for `prompt` systems, which
    retrieve nothing. Where `rag.retrieval_eval.path` holds a scored retrieval run, the
    precision measured from it counts, with the run it came from; else the declared figure.

    Fix: raise precision@5 to at least `min_precision_at_5` (section-level chunking, a better
    embedding model, a reranker) and re-measure before changing anything else.

    Fires:
        systems:
          docs-bot:
            architecture: rag
            rag:
              retrieval_eval:
                path: evals/retrieval.jsonl
                precision_at_5: 0.62

    Passes:
        systems:
          docs-bot:
            architecture: rag
            rag:
              retrieval_eval:
                path: evals/retrieval.jsonl
                precision_at_5: 0.74
    """
    # A prompt-only system retrieves nothing: a retrieval result it declares is history.
    if system.architecture == "prompt":
        return
    # Measured from the retrieval run where there is one, else declared: the facts view says.
    fact = context.facts(system).fact(*PRECISION)
    precision = fact.value
    minimum = context.threshold("min_precision_at_5")
    if precision is None or precision >= minimum:
        return
    if system.retrieval:
        consequence = "too many of the chunks the model sees do not bear on the question"
    else:
        consequence = "a fine-tune does not make up for retrieval that finds the wrong chunks"
    stated = (f"precision@5 is {precision} ({fact.evidence})" if fact.measured
              else f"rag.retrieval_eval.precision_at_5 is {precision}")
    yield Violation(
        f"{stated}, below min_precision_at_5 ({minimum}): {consequence}",
        "fix retrieval first (structural chunking, a better embedding model, a reranker) and "
        "re-measure precision@5 before changing anything else",
        fact.source,
    )


@rule("RG004", "fixed-chunks-on-structured-docs", Severity.WARNING)
def fixed_chunks_on_structured_docs(system: System, context: Context) -> Iterator[Violation]:
    """Hierarchical documents are cut into fixed-size chunks.

    Why: manuals, specifications, policies and API references are organised in sections. Fixed
    windows of text split a section in the middle and glue the end of one to the start of the
    next, so a chunk holds half an answer. The cure is chunking along the document's own
    structure, not a cleverer retrieval algorithm.

    Fix: chunk by section (`rag.chunking: structural`), keeping each heading with its text.

    Fires:
        systems:
          manual-bot:
            architecture: rag
            knowledge:
              structured_documents: true
            rag:
              chunking: fixed

    Passes:
        systems:
          manual-bot:
            architecture: rag
            knowledge:
              structured_documents: true
            rag:
              chunking: structural
    """
    if not system.retrieval:
        return
    if system.get("rag", "chunking") == "fixed" and \
            system.get("knowledge", "structured_documents") is True:
        yield Violation(
            "rag.chunking is fixed, but knowledge.structured_documents is true: fixed-size "
            "chunks cut sections in half",
            "chunk along the documents' sections (rag.chunking: structural)",
            ("rag", "chunking"),
        )


@rule("RG005", "no-acl-filtering", Severity.ERROR)
def no_acl_filtering(system: System, context: Context) -> Iterator[Violation]:
    """Users may see different documents, but retrieval does not filter by who is asking.

    Why: if retrieval ignores the permissions of the systems the documents come from, any user
    can ask the assistant for a document they are not allowed to open, and get it quoted back.
    The assistant becomes a way around access control.

    Fix: filter retrieved documents by the asking user's permissions at query time, taken from
    the source systems, and declare `rag.acl_filtering: true`.

    Fires:
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
            rag:
              acl_filtering: false

    Passes:
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
            rag:
              acl_filtering: true
              leakage_tested: true
    """
    if not system.retrieval or system.get("knowledge", "per_user_access") is not True:
        return
    if system.get("rag", "acl_filtering") is True:
        return
    at, stated = _not_true(system, "acl_filtering")
    yield Violation(
        f"knowledge.per_user_access is true, but {stated}: any user can retrieve documents "
        "they are not allowed to see",
        "filter retrieval by the asking user's permissions and declare rag.acl_filtering: true",
        at,
    )


def _not_true(system: System, key: str) -> Tuple[Tuple[Any, ...], str]:
    """Where a per-user-access finding about ``rag.<key>`` points, and how to say what is
    wrong: the key when it is declared false, else the nearest declared table."""
    if system.has("rag", key):
        return ("rag", key), f"rag.{key} is false"
    at = ("rag",) if system.has("rag") else ("knowledge", "per_user_access")
    return at, f"rag.{key} is not declared"


@rule("RG006", "no-leakage-test", Severity.WARNING)
def no_leakage_test(system: System, context: Context) -> Iterator[Violation]:
    """Users may see different documents, but no test shows that retrieval keeps them apart.

    Why: permission filtering is easy to get subtly wrong (a stale cache, a missing filter on one
    index, a shared embedding store). Until a test tries to fetch another user's documents and
    fails, nobody knows that the filtering works.

    Fix: add tests in which one user queries for documents only another user may see and gets
    none of them; run them on every change and declare `rag.leakage_tested: true`.

    Fires:
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
            rag:
              acl_filtering: true

    Passes:
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
            rag:
              acl_filtering: true
              leakage_tested: true
    """
    if not system.retrieval or system.get("knowledge", "per_user_access") is not True:
        return
    if system.get("rag", "leakage_tested") is True:
        return
    at, stated = _not_true(system, "leakage_tested")
    yield Violation(
        f"knowledge.per_user_access is true, but {stated}: nothing shows that one user cannot "
        "retrieve another's documents",
        "test that users cannot retrieve documents they may not see and declare "
        "rag.leakage_tested: true",
        at,
    )


@rule("RG007", "index-slower-than-knowledge", Severity.WARNING)
def index_slower_than_knowledge(system: System, context: Context) -> Iterator[Violation]:
    """The index is rebuilt less often than the knowledge in it changes.

    Why: between a change and the next refresh, the system answers from the old facts. Fresh
    answers are the main reason to retrieve instead of training, and an index that lags the
    knowledge gives that reason away. The pace of the knowledge is `knowledge.changes`, or the
    pace the git history of `knowledge.sources` shows when that is faster.

    Fix: refresh the index at least as often as the knowledge changes (`rag.index_refresh`
    equal to or faster than `knowledge.changes`), or update it incrementally when sources
    change.

    Fires:
        systems:
          pricing-bot:
            architecture: rag
            knowledge:
              changes: daily
            rag:
              index_refresh: weekly

    Passes:
        systems:
          pricing-bot:
            architecture: rag
            knowledge:
              changes: daily
            rag:
              index_refresh: daily
    """
    if not system.retrieval:
        return
    refresh = system.get("rag", "index_refresh")
    changes = knowledge_changes(system, context)
    if refresh is None or changes is None or at_least_as_often(refresh, changes):
        return
    source, _ = pace_source(system, context)
    yield Violation(
        f"rag.index_refresh is {refresh}, but the knowledge changes {changes}{source}: between "
        "refreshes the system answers from stale facts",
        f"refresh the index {changes} or faster, or update it as the sources change",
        ("rag", "index_refresh"),
    )


@rule("RG008", "nothing-to-rerank", Severity.WARNING)
def nothing_to_rerank(system: System, context: Context) -> Iterator[Violation]:
    """A reranker is configured, but it gets no more candidates than the model sees.

    Why: a reranker improves answers by choosing the best few from a wider set. When retrieval
    returns no more chunks than go into the context, the reranker can only reorder them; it
    never drops a weak one, and its latency buys almost nothing.

    Fix: retrieve several times more candidates than the model sees, for example
    `rag.retrieve_k: 20` and `rag.context_k: 5`.

    Fires:
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieve_k: 5
              context_k: 5

    Passes:
        systems:
          docs-bot:
            architecture: rag
            rag:
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieve_k: 20
              context_k: 5
    """
    if not system.retrieval:
        return
    reranker = system.get("rag", "reranker")
    retrieve_k = system.get("rag", "retrieve_k")
    context_k = system.get("rag", "context_k")
    if not reranker or retrieve_k is None or context_k is None or retrieve_k > context_k:
        return
    yield Violation(
        f"rag.retrieve_k is {retrieve_k} and rag.context_k is {context_k}: the reranker "
        f"({reranker}) has no candidates to leave out",
        f"retrieve several times more candidates than rag.context_k ({context_k}), "
        "for example 20 for 5",
        ("rag", "retrieve_k"),
    )


@rule("RG009", "no-index-refresh", Severity.WARNING)
def no_index_refresh(system: System, context: Context) -> Iterator[Violation]:
    """Knowledge that changes monthly or faster, in an index with no refresh schedule.

    Why: fresh answers are the reason to retrieve facts rather than train them in. An index
    that nobody plans to rebuild keeps the facts of the day it was built, which makes it as
    frozen as a fine-tune, only without saying so. The pace of the knowledge is
    `knowledge.changes`, or the pace the git history of `knowledge.sources` shows when that
    is faster.

    Fix: decide how often the index is rebuilt or updated (at least as often as the knowledge
    changes) and declare it in `rag.index_refresh`.

    Fires:
        systems:
          pricing-bot:
            architecture: rag
            knowledge:
              changes: daily

    Passes:
        systems:
          pricing-bot:
            architecture: rag
            knowledge:
              changes: daily
            rag:
              index_refresh: daily
    """
    if not system.retrieval or system.has("rag", "index_refresh"):
        return
    changes = knowledge_changes(system, context)
    if changes is None or not at_least_as_often(changes, "monthly"):
        return
    source, at = pace_source(system, context)
    yield Violation(
        f"the knowledge changes {changes}{source}, but rag.index_refresh is not declared: "
        "nothing keeps the index as fresh as the facts",
        f"refresh the index {changes} or faster (or as the sources change) and declare "
        "rag.index_refresh",
        _in_rag(system, "index_refresh") if system.has("rag") else at,
    )
