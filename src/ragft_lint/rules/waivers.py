"""WV: are the accepted findings still accepted for a reason?"""

from __future__ import annotations

from typing import Iterator

from ..declaration.model import System
from ..findings import Severity
from ..rule import Context, Violation, rule


@rule("WV001", "expired-waiver", Severity.ERROR, reviews_findings=True)
def expired_waiver(system: System, context: Context) -> Iterator[Violation]:
    """A waiver whose `expires` date has passed.

    Why: a waiver records a risk that someone accepted, for a reason, until a date. After that
    date the reason has to be looked at again: the facts may have changed, and so may the
    people who accepted it. An expired waiver no longer waives its finding.

    Fix: fix what the waived rule found and delete the waiver, or, if the reason still holds,
    review it and set a new `expires` date.

    Fires:
        systems:
          search-bot:
            architecture: rag
            waivers:
              RG001:
                reason: "latency budget leaves no room for a reranker"
                expires: 2026-01-31

    Passes:
        systems:
          search-bot:
            architecture: rag
            waivers:
              RG001:
                reason: "latency budget leaves no room for a reranker"
                expires: 2027-06-30
    """
    for rule_id, waiver in sorted(system.get("waivers", default={}).items()):
        expires = waiver.get("expires")
        if expires is not None and expires < context.as_of:
            yield Violation(
                f"the waiver of {rule_id} expired on {expires.isoformat()} "
                f"(checked as of {context.as_of.isoformat()}); {rule_id} is reported again",
                f"fix what {rule_id} finds and remove the waiver, or review it and move "
                "its expiry date",
                ("waivers", rule_id, "expires"),
            )


@rule("WV002", "unused-waiver", Severity.INFO, reviews_findings=True)
def unused_waiver(system: System, context: Context) -> Iterator[Violation]:
    """A waiver for a rule that did not fire for that system.

    Why: a waiver that waives nothing is not harmless. It hides the next finding of that rule,
    which may have a different cause than the one that was accepted.

    Fix: delete the waiver. Rules that did not run (left out by `select` or `ignore`) are not
    counted as unused.

    Fires:
        systems:
          search-bot:
            architecture: prompt
            waivers:
              KN001:
                reason: "facts change weekly; retraining is automated"

    Passes:
        systems:
          search-bot:
            architecture: fine-tune
            knowledge:
              changes: weekly
            eval:
              examples: 200
            waivers:
              KN001:
                reason: "facts change weekly; retraining is automated"
    """
    fired = context.fired.get(system.name, frozenset())
    for rule_id in sorted(system.get("waivers", default={})):
        if rule_id in context.ran and rule_id not in fired:
            yield Violation(
                f"the waiver of {rule_id} waives nothing: {rule_id} did not fire for this system",
                "delete the waiver, so the next finding of the rule is seen",
                ("waivers", rule_id),
            )
