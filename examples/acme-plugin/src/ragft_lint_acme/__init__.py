"""ACME's house rules for ragft-lint, as an organisation would ship them.

- Settings, ``plugins.acme`` in the declaration: ``approved_base_models``, the base models the
  security team has cleared for fine-tuning.
- A key of its own in every system: ``risk_review``, the ticket of the review a fine-tune needs
  before it ships.
- Two rules (ACME001, ACME002) and one output format (``acme-summary``).
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Sequence

import ragft_lint
from ragft_lint import Context, FormatOptions, OutputFormat, Severity, Violation, rule, spec
from ragft_lint.declaration import System

hookimpl = ragft_lint.hookimpl


@rule("ACME001", "unapproved-base-model", Severity.ERROR)
def unapproved_base_model(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tune starts from a base model that is not on ACME's approved list.

    Why: the security team clears base models for licence terms, data handling and known
    weaknesses. A fine-tune inherits all three from its base model, and retraining on a
    different one later costs the whole training run again.

    Fix: pick a model from `plugins.acme.approved_base_models`, or ask the security team to
    review the model and add it to the list.

    Fires:
        plugins:
          acme:
            approved_base_models: [llama-3.1-8b-instruct]
        systems:
          triage:
            architecture: fine-tune
            fine_tune:
              base_model: some-unreviewed-model-7b

    Passes:
        plugins:
          acme:
            approved_base_models: [llama-3.1-8b-instruct]
        systems:
          triage:
            architecture: fine-tune
            fine_tune:
              base_model: llama-3.1-8b-instruct
    """
    approved: List[str] = context.settings.get("approved_base_models") or []
    if not system.fine_tuned or not approved:
        return
    model = system.get("fine_tune", "base_model")
    if model is None:
        yield Violation(
            "the fine-tune does not say which base model it starts from",
            "declare fine_tune.base_model; it must be one of plugins.acme.approved_base_models",
            at=("fine_tune",) if system.has("fine_tune") else ("architecture",),
        )
    elif model not in approved:
        yield Violation(
            f"base model {model!r} is not on the approved list "
            f"({', '.join(approved)})",
            "fine-tune an approved base model, or have this one reviewed and added to "
            "plugins.acme.approved_base_models",
            at=("fine_tune", "base_model"),
        )


@rule("ACME002", "missing-risk-review", Severity.WARNING)
def missing_risk_review(system: System, context: Context) -> Iterator[Violation]:
    """A fine-tuned system has no risk review ticket.

    Why: a fine-tuned model's behaviour is set by its training data, which no prompt review
    sees. ACME reviews each fine-tune before release and records the ticket in the declaration.

    Fix: open a risk review and record it as `risk_review: {ticket: RISK-123}`.

    Fires:
        systems:
          triage:
            architecture: fine-tune

    Passes:
        systems:
          triage:
            architecture: fine-tune
            risk_review:
              ticket: RISK-42
              reviewed_on: 2026-10-01
    """
    if system.fine_tuned and not system.has("risk_review", "ticket"):
        yield Violation(
            "the fine-tune has no risk review",
            "record the review ticket as risk_review.ticket",
            at=("architecture",),
        )


@hookimpl
def ragft_lint_rules() -> List[ragft_lint.Rule]:
    return [unapproved_base_model, missing_risk_review]


@hookimpl
def ragft_lint_system_keys() -> Dict[str, spec.Spec]:
    return {
        "risk_review": spec.Table(
            {"ticket": spec.Str("the review ticket, e.g. RISK-123"),
             "reviewed_on": spec.Date("when the review concluded")},
            required=("ticket",),
            description="ACME's risk review of a fine-tune",
        ),
    }


@hookimpl
def ragft_lint_settings() -> spec.Spec:
    return spec.Table(
        {"approved_base_models": spec.List(spec.Str(), "base models cleared for fine-tuning")},
        description="settings of the ACME plugin",
    )


def _summary(reports: Sequence[ragft_lint.Report], options: FormatOptions) -> str:
    lines = []
    for report in reports:
        for name in report.systems:
            found = [f for f in report.for_system(name) if not f.waived]
            status = "ok" if not found else ", ".join(sorted({f.rule for f in found}))
            lines.append(f"{report.declaration}\t{name}\t{status}")
    return "\n".join(lines) + "\n"


@hookimpl
def ragft_lint_output_formats() -> Dict[str, OutputFormat]:
    return {"acme-summary": OutputFormat("one line per system: ok, or the rules that fired",
                                         _summary)}
