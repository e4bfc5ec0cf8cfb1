"""KN: does the architecture fit the knowledge?"""

from __future__ import annotations

from typing import Iterator

from ..declaration.model import System
from ..declaration.schema import FREQUENCIES
from ..findings import Severity
from ..rule import Context, Violation, rule


def at_least_as_often(frequency: str, than: str) -> bool:
    """True when ``frequency`` is ``than`` or faster (realtime is the fastest)."""
    return FREQUENCIES.index(frequency) <= FREQUENCIES.index(than)


@rule("KN001", "fine-tune-on-changing-knowledge", Severity.ERROR)
def fine_tune_on_changing_knowledge(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune-only system whose knowledge changes quarterly or faster.

    Why: training freezes facts into the weights as they were on the training day. Facts that
    change every week or month would need a retraining run at that pace, and each run costs days
    and money, where re-indexing a retrieval store takes minutes. Quarterly changes are a
    warning: retraining four times a year is possible, but rarely the cheapest way.

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
    changes = system.get("knowledge", "changes")
    if system.architecture != "fine-tune" or changes is None:
        return
    if at_least_as_often(changes, "monthly"):
        severity = Severity.ERROR
    elif changes == "quarterly":
        severity = Severity.WARNING
    else:
        return
    yield Violation(
        f"architecture is fine-tune, but the knowledge changes {changes}: every change means "
        "another training run, where a retrieval index is refreshed in minutes",
        "serve the changing facts through retrieval (architecture rag or hybrid)",
        ("knowledge", "changes"),
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
