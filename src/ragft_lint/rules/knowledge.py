"""KN: does the architecture fit the knowledge?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional, Tuple

from ..declaration.model import System
from ..declaration.vocabulary import FREQUENCIES
from ..evidence import CHANGES
from ..findings import Severity
from ..rule import Context, Violation, rule
from .evidence import facts_of

if TYPE_CHECKING:
    from decimal import Decimal


def at_least_as_often(frequency: str, than: str) -> bool:
    """True when ``frequency`` is ``than`` or faster (realtime is the fastest)."""
    return FREQUENCIES.index(frequency) <= FREQUENCIES.index(than)


def knowledge_changes(system: System, context: Optional[Context] = None) -> Optional[str]:
    """How often the system's knowledge changes, as far as is known.

    The declared ``knowledge.changes``; with evidence read (a ``context`` that measured it),
    the pace the git history of ``knowledge.sources`` shows when that is faster.
    """
    changes = facts_of(system, context).get(*CHANGES)
    return str(changes) if changes is not None else None


def pace_source(system: System, context: Context) -> Tuple[str, Tuple[Any, ...]]:
    """Words saying where a measured pace comes from, and the key to point at: empty and
    ``knowledge.changes`` when the declared pace stands."""
    fact = context.facts(system).fact(*CHANGES)
    return (f" ({fact.evidence})" if fact.measured else ""), fact.source


@rule("KN001", "fine-tune-on-changing-knowledge", Severity.ERROR)
def fine_tune_on_changing_knowledge(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune-only system whose knowledge changes quarterly or faster.

    Why: training freezes facts into the weights as they were on the training day. Facts that
    change every week or month would need a retraining run at that pace, and each run costs days
    and money, where re-indexing a retrieval store takes minutes. Quarterly changes are a
    warning: retraining four times a year is possible, but rarely the cheapest way. When the
    git history of `knowledge.sources` shows a faster pace than declared, that pace is used.

    Fix: keep the changing facts in a retrieval index (architecture `rag`, or `hybrid` when the
    fine-tune is there for behaviour), or correct `knowledge.changes` if it overstates the pace.

    Fires:
        systems:
          pricing-bot:
            architecture: fine-tune
            knowledge:
              changes: weekly

    Passes:
        systems:
          pricing-bot:
            architecture: hybrid
            knowledge:
              changes: weekly
    """
    changes = knowledge_changes(system, context)
    if system.architecture != "fine-tune" or changes is None:
        return
    if at_least_as_often(changes, "monthly"):
        severity = Severity.ERROR
    elif changes == "quarterly":
        severity = Severity.WARNING
    else:
        return
    source, at = pace_source(system, context)
    yield Violation(
        f"architecture is fine-tune, but the knowledge changes {changes}{source}: every change "
        "means another training run, where a retrieval index is refreshed in minutes",
        "serve the changing facts through retrieval (architecture rag or hybrid)",
        at,
        severity,
    )


@rule("KN002", "fine-tune-for-knowledge", Severity.ERROR)
def fine_tune_for_knowledge(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune meant to teach the model facts.

    Why: fine-tuning does not store facts the model can look up. It recalls them loosely,
    invents specifics when a question is phrased differently, and may lose general ability on
    the way. A gap in what the model knows is a retrieval problem, not a training problem.

    Fix: remove `knowledge` from `fine_tune.goals` and put the facts in a retrieval index; keep
    fine-tuning for behaviour (format, style, reasoning) if you need it.

    Fires:
        systems:
          policy-bot:
            architecture: fine-tune
            gaps: [knowledge]

    Passes:
        systems:
          policy-bot:
            architecture: rag
            gaps: [knowledge]
    """
    goals = system.get("fine_tune", "goals", default=[])
    if system.fine_tuned and "knowledge" in goals:
        index = goals.index("knowledge")
        yield Violation(
            "fine_tune.goals includes knowledge: a fine-tune recalls facts loosely and "
            "hallucinates their specifics",
            "retrieve the facts at query time and fine-tune only for behaviour",
            ("fine_tune", "goals", index),
        )
    elif system.architecture == "fine-tune" and "knowledge" in system.get("gaps", default=[]):
        yield Violation(
            "the base model's gap is knowledge, and the only remedy declared is a fine-tune, "
            "which does not make facts reliably retrievable",
            "close a knowledge gap with retrieval (architecture rag or hybrid)",
            ("gaps", system.get("gaps").index("knowledge")),
        )


@rule("KN003", "citations-need-retrieval", Severity.ERROR)
def citations_need_retrieval(system: System, context: Context) -> Iterator[Violation]:
    """Answers must cite their sources, but nothing is retrieved.

    Why: a fine-tuned model cannot say where a fact came from, because the source is not in
    front of it. A citation needs the source document in the context of the answer.

    Fix: retrieve the sources (architecture `rag` or `hybrid`) and cite what was retrieved.

    Fires:
        systems:
          legal-bot:
            architecture: fine-tune
            knowledge:
              citations: true

    Passes:
        systems:
          legal-bot:
            architecture: rag
            knowledge:
              citations: true
    """
    if system.architecture == "fine-tune" and system.get("knowledge", "citations") is True:
        yield Violation(
            "knowledge.citations is true, but a fine-tune-only system has no source in its "
            "context to cite",
            "retrieve the sources so each answer can cite them (architecture rag or hybrid)",
            ("knowledge", "citations"),
        )


@rule("KN004", "per-user-access-needs-retrieval", Severity.ERROR)
def per_user_access_needs_retrieval(system: System, context: Context) -> Iterator[Violation]:
    """Different users may see different documents, but the documents are trained into weights.

    Why: whatever is trained into a model's weights can come out for any user who asks the
    right way. Per-user permissions can only be enforced when documents are fetched, at
    retrieval time, with the asking user's rights.

    Fix: keep permissioned documents out of the training data and retrieve them with filtering
    by the user's permissions (architecture `rag` or `hybrid`, `rag.acl_filtering: true`).

    Fires:
        systems:
          hr-bot:
            architecture: fine-tune
            knowledge:
              per_user_access: true

    Passes:
        systems:
          hr-bot:
            architecture: rag
            knowledge:
              per_user_access: true
            rag:
              acl_filtering: true
    """
    if system.architecture == "fine-tune" and system.get("knowledge", "per_user_access") is True:
        yield Violation(
            "knowledge.per_user_access is true, but a fine-tune makes what it learned "
            "visible to every user",
            "retrieve permissioned documents with per-user filtering instead of training on them",
            ("knowledge", "per_user_access"),
        )


@rule("KN005", "retrieval-for-behaviour", Severity.WARNING)
def retrieval_for_behaviour(system: System, context: Context) -> Iterator[Violation]:
    """Retrieval (RAG, or a hybrid's retrieval layer) built for a gap only about behaviour.

    Why: an index supplies facts; it does not change how the model writes. Putting a style guide,
    answer templates or past approved outputs in the index "so the model sees the voice" adds a
    lookup to every query and still leaves tone and format to chance. When the diagnosis found
    nothing but behaviour gaps, and nothing else asks for documents in the context (citations,
    per-user access), retrieval is solving a problem the system does not have; in a hybrid, the
    fine-tune is what carries the behaviour, and the retrieval layer serves no knowledge need.

    Fix: write a system prompt with a handful of examples of the wanted behaviour and measure it;
    if that measurably falls short, fine-tune for the behaviour (and drop the index). If the
    base model also lacks facts, add `knowledge` to `gaps`.

    Fires:
        systems:
          tone-bot:
            architecture: rag
            gaps: [behavior]
          voice-writer:
            architecture: hybrid
            gaps: [behavior]
            knowledge:
              corpus_tokens: 30000000
              sources: ["cms/approved-posts/**"]

    Passes:
        systems:
          tone-bot:
            architecture: prompt
            gaps: [behavior]
            prompt:
              few_shot_examples: 6
          brand-answers:
            architecture: hybrid
            gaps: [behavior]
            knowledge:
              citations: true
              sources: ["docs/**"]
    """
    gaps = system.get("gaps", default=[])
    if system.architecture not in ("rag", "hybrid") or not gaps or set(gaps) != {"behavior"}:
        return
    if (system.get("knowledge", "citations") is True
            or system.get("knowledge", "per_user_access") is True):
        return  # documents in the context are asked for, whatever the gaps
    if system.architecture == "rag":
        said = ("architecture is rag, but gaps names only behavior: retrieval adds facts, not "
                "tone or format, and the diagnosis found no missing facts")
    else:
        said = ("architecture is hybrid, but gaps names only behavior and neither citations nor "
                "per-user access is needed: its retrieval layer serves no knowledge need; "
                "examples in an index do not teach the behaviour the fine-tune is for")
    yield Violation(
        said,
        "fix behaviour with a system prompt and examples first, then a fine-tune if that "
        "measurably fails; add knowledge to gaps if facts are missing too",
        ("gaps",),
    )


@rule("KN006", "corpus-fits-context", Severity.INFO)
def corpus_fits_context(system: System, context: Context) -> Iterator[Violation]:
    """A retrieval system whose whole corpus would fit in the model's context window.

    Why: a knowledge base that takes up no more than a modest share of the context window can
    be placed in the prompt as it is. With prompt caching that is often cheaper to build and
    run than an index, an embedding model and a retriever, and nothing relevant is missed
    because nothing has to be found.

    Fix: try the whole corpus in the prompt with caching and compare it with retrieval on the
    eval set; keep the retrieval pipeline only if it wins or the corpus is about to grow. The
    share of the window that counts as fitting is the threshold `context_fit_ratio`.

    Not reported when `knowledge.per_user_access` is true: a prompt that holds every document
    would show each user the documents they must not see.

    Fires:
        systems:
          faq-bot:
            architecture: rag
            knowledge:
              corpus_tokens: 40000
            prompt:
              context_window_tokens: 128000

    Passes:
        systems:
          faq-bot:
            architecture: rag
            knowledge:
              corpus_tokens: 90000
            prompt:
              context_window_tokens: 128000
    """
    corpus = system.get("knowledge", "corpus_tokens")
    window = system.get("prompt", "context_window_tokens")
    if not system.retrieval or corpus is None or not window:
        return
    # Putting everything in the prompt would bypass the per-user filtering retrieval enforces.
    if system.get("knowledge", "per_user_access") is True:
        return
    ratio = context.threshold("context_fit_ratio")
    # Decimal of the written ratio keeps the inclusive boundary exact (0.29 x 100 is 29, not
    # 28.999...); imported here, not at start-up, which every run pays for.
    from decimal import Decimal

    limit = Decimal(str(ratio)) * window
    if corpus <= limit:
        yield Violation(
            f"knowledge.corpus_tokens is {corpus}, no more than context_fit_ratio ({ratio}) of "
            f"prompt.context_window_tokens ({window}), that is {_number(limit)} tokens: the "
            "whole corpus fits in the prompt",
            "try the corpus in the prompt with prompt caching and keep retrieval only if it "
            "scores better on the eval set",
            ("knowledge", "corpus_tokens"),
        )


def _number(value: Decimal) -> str:
    """A token count for a message: whole numbers without a trailing '.0'."""
    return str(int(value)) if value == value.to_integral_value() else str(value)


@rule("KN007", "knowledge-overflows-prompt", Severity.ERROR)
def knowledge_overflows_prompt(system: System, context: Context) -> Iterator[Violation]:
    """A prompt-only system whose knowledge does not fit in the model's context window.

    Why: a prompt system carries its knowledge in the prompt. A corpus larger than the context
    window cannot be sent whole: some of it is cut off, and the model answers without it.
    Well before the window is full, a long prompt already crowds out the question and the
    examples and gets slower and dearer on every request; past `context_fit_ratio` of the
    window this is a warning, past the window itself an error. Knowledge that does not fit
    has to be retrieved.

    Fix: retrieve the relevant part per query (architecture `rag`, with a reranker and a
    retrieval eval), or cut the corpus down to what the system needs; correct
    `knowledge.corpus_tokens` or `prompt.context_window_tokens` if one of them is wrong.

    Fires:
        systems:
          handbook-bot:
            architecture: prompt
            knowledge:
              corpus_tokens: 600000
            prompt:
              context_window_tokens: 128000

    Passes:
        systems:
          handbook-bot:
            architecture: prompt
            knowledge:
              corpus_tokens: 30000
            prompt:
              context_window_tokens: 200000
    """
    if system.architecture != "prompt":
        return
    facts = context.facts(system)
    corpus = facts.get("knowledge", "corpus_tokens")
    window = facts.get("prompt", "context_window_tokens")
    if corpus is None or not window:
        return
    ratio = context.threshold("context_fit_ratio")
    from decimal import Decimal  # exact at the boundary, as in KN006

    room = Decimal(str(ratio)) * window
    stated = (f"knowledge.corpus_tokens is {corpus}, more than prompt.context_window_tokens "
              f"({window})")
    if corpus > window:
        yield Violation(
            stated + ": the knowledge cannot all go in the prompt, so part of it is cut off",
            "retrieve what each query needs (architecture rag), or cut the corpus down to what "
            "fits",
            ("knowledge", "corpus_tokens"),
        )
    elif corpus > room:
        yield Violation(
            f"knowledge.corpus_tokens is {corpus}, more than context_fit_ratio ({ratio}) of "
            f"prompt.context_window_tokens ({window}), that is {_number(room)} tokens: the "
            "knowledge crowds the question and the examples out of the prompt",
            "retrieve what each query needs (architecture rag), or trim the corpus below "
            f"{_number(room)} tokens",
            ("knowledge", "corpus_tokens"),
            Severity.WARNING,
        )
