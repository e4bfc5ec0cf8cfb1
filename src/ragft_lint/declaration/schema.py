"""The declaration format itself: its vocabularies, the system table and the whole declaration.

Built from the blocks in ``specs``, which are re-exported here: callers import the blocks, the
vocabularies and ``did_you_mean`` from this module, as the one place the format is described.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ..rule import ID_PATTERN, ID_WORDS
from ..suggest import did_you_mean
from ..thresholds import THRESHOLDS
from .document import KeyPath
from .specs import (
    EVIDENCE_FORMATS,
    LARGEST,
    RETRIEVAL_FORMATS,
    RETRIEVAL_QUERIES,
    AnyTable,
    Bool,
    BoolOrStrict,
    Complain,
    Count,
    Date,
    Enum,
    EvidenceFile,
    List,
    Map,
    PluginSettings,
    Ratio,
    Score,
    Spec,
    Str,
    StrOrFalse,
    Table,
    Words,
    describe,
)
from .vocabulary import (
    ARCHITECTURES,
    CHUNKINGS,
    DEPTHS,
    FREQUENCIES,
    GAPS,
    GOALS,
    SEVERITIES,
)

__all__ = [
    "ARCHITECTURES",
    "CHUNKINGS",
    "DEPTHS",
    "EVIDENCE_FORMATS",
    "FREQUENCIES",
    "GAPS",
    "GOALS",
    "RULE_ID_KEY",
    "SEVERITIES",
    "AnyTable",
    "Bool",
    "Complain",
    "Count",
    "Date",
    "Enum",
    "EvidenceFile",
    "KeyPath",
    "List",
    "Map",
    "PluginSettings",
    "Ratio",
    "Score",
    "Spec",
    "Str",
    "StrOrFalse",
    "Table",
    "ThresholdValue",
    "Words",
    "declaration_spec",
    "describe",
    "did_you_mean",
    "system_spec",
]


# Keys that name a rule (waivers, severity overrides) are rule ids as rules define them.
RULE_ID_KEY = f"^{ID_PATTERN.pattern}$"


def _rule_id_problem(key: str) -> Optional[str]:
    if not isinstance(key, str) or not ID_PATTERN.fullmatch(key):
        return f"{key!r} is not a rule id ({ID_WORDS})"
    return None


class ThresholdValue(Spec):
    """A threshold: a number, or a table ``{value: N, reason: "..."}`` that says why it was
    changed. Normalised to the number, or to the table with its checked value."""

    def __init__(self, number: Spec, description: str = "") -> None:
        self.number = number
        self.description = description
        self.table = Table({"value": number,
                            "reason": Str("why the bar is set away from its default")},
                           required=("value",))

    def expected(self, words: Words) -> str:
        return f"{self.number.expected(words)}, or a {words.table} with value and reason"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if isinstance(value, dict):
            checked = self.table.check(value, path, complain, words)
            return checked if checked and "value" in checked else None
        return self.number.check(value, path, complain, words)

    def json_schema(self) -> dict[str, Any]:
        table = self.table.json_schema()
        table["type"] = "object"  # a threshold's table is never empty: it needs its value
        return self._with_doc({"oneOf": [self.number.json_schema(), table]})


def _threshold_spec(kind: str, meaning: str) -> Spec:
    number: Spec = (Count(meaning) if kind == "count" else Score(meaning) if kind == "score"
                    else Ratio(meaning))
    return ThresholdValue(number, meaning)


class StrOrIndex(Spec):
    """A name, or a whole number that counts places from 0 (promptfoo's prompt index)."""

    def __init__(self, description: str = "") -> None:
        self.description = description

    def expected(self, words: Words) -> str:
        return f"a string or a whole number from 0 to {LARGEST}"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if isinstance(value, bool) or not ((isinstance(value, str) and value)
                                           or (isinstance(value, int) and 0 <= value <= LARGEST)):
            self._wrong(value, path, complain, words)
            return None
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"oneOf": [{"type": "string", "minLength": 1},
                                         {"type": "integer", "minimum": 0,
                                          "maximum": LARGEST}]})


def _result_file(description: str) -> EvidenceFile:
    """An eval tool's result file (measured-quality.md): read by what wrote it, not by fields."""
    # The tools are not a closed list: plugins add readers, so ``format`` is any name.
    return EvidenceFile(description, how={
        "format": Str("the tool that wrote the file; guessed from its content"),
        "metric": Str("the metric that counts, in a file that holds several"),
        "task": Str("the task that counts, in a file that holds several"),
        "provider": Str("the provider (id or label) that counts, in a promptfoo file that "
                        "holds several"),
        "prompt": StrOrIndex("the prompt (label, or index from 0) that counts, in a promptfoo "
                             "file that holds several"),
        "filter": Str("the filter that counts, in an lm-evaluation-harness file whose task "
                      "has several"),
    })


def _retrieval_run(description: str) -> EvidenceFile:
    """A retrieval run (measured-quality.md): one file, or a run with its judgements beside it."""
    return EvidenceFile(description, how={
        "format": Enum(RETRIEVAL_FORMATS, "the form of the run; guessed from its content"),
        "qrels": Str("the relevance judgements of a TREC or BEIR run, relative to the "
                     "declaring file"),
        "queries": Enum(RETRIEVAL_QUERIES, "the judged queries averaged: judged (those in the "
                        "run too, as trec_eval) or all (missing ones as 0, as trec_eval -c)"),
    })


def system_spec(extra: Optional[Dict[str, Spec]] = None) -> Table:
    """The table that declares one AI system; ``extra`` holds keys that plugins add."""
    fields: dict[str, Spec] = {
        "architecture": Enum(ARCHITECTURES, "the architecture chosen"),
        "gaps": List(Enum(GAPS), "what the unmodified base model got wrong"),
        "baseline_queries": Count("real queries run against the unmodified base model"),
        "knowledge": Table({
            "changes": Enum(FREQUENCIES, "how often the facts change"),
            "depth": Enum(DEPTHS, "look it up (reference) or internalise it (deep)"),
            "structured_documents": Bool("manuals, specs, policies, API references"),
            "corpus_tokens": Count("size of the knowledge base in tokens"),
            "citations": Bool("answers must cite their sources"),
            "per_user_access": Bool("different users may see different documents"),
            "sources": List(Str(), "glob patterns of the knowledge files in the repository"),
        }, description="what the system must know"),
        "prompt": Table({
            "few_shot_examples": Count("examples in the prompt that were tried"),
            "structured_output": Bool("constrained decoding or schema mode was tried"),
            "context_window_tokens": Count("the model's context window"),
            "baseline_score": Score("the unmodified model's score with the best prompt"),
            "baseline_model": Str("the model baseline_score was measured on"),
            "baseline_results": _result_file("the eval tool's result file behind baseline_score"),
        }, description="what prompting alone was tried with"),
        "rag": Table({
            "chunking": Enum(CHUNKINGS, "how the documents are cut into chunks"),
            "embedding_model": Str("the model that embeds chunks and queries"),
            "reranker": StrOrFalse("a reranker model, or false"),
            "retrieve_k": Count("candidates retrieved"),
            "context_k": Count("chunks the model finally sees"),
            "index_refresh": Enum(FREQUENCIES, "how often the index is rebuilt"),
            "acl_filtering": Bool("retrieval filters by the user's permissions"),
            "leakage_tested": Bool("tests prove users cannot retrieve others' documents"),
            "retrieval_eval": Table({
                "path": _retrieval_run("the retrieval run: per-query JSON Lines, TREC or BEIR"),
                "examples": Count("queries in the retrieval eval set"),
                "precision_at_5": Score("relevant chunks among the top 5, on average"),
                "recall_at_5": Score("share of the relevant chunks found in the top 5"),
            }, description="how well retrieval finds the relevant chunks"),
        }, description="the retrieval pipeline"),
        "fine_tune": Table({
            "goals": List(Enum(GOALS), "what the fine-tune is for"),
            "base_model": Str("the model that is fine-tuned"),
            "base_model_date": Date("release date of the base model"),
            "training_data": EvidenceFile("the training set"),
            "training_examples": Count("declared size of the training set"),
            "trained_at": Date("when the fine-tune was trained"),
            "score": Score("the fine-tuned model's score on the eval set"),
            "results": _result_file("the eval tool's result file behind score"),
            "conventions_change": Enum(
                FREQUENCIES, "how often the conventions the fine-tune encodes change"),
            "regression_suite": EvidenceFile("general-capability checks"),
            "requests_per_month": Count("requests the fine-tuned model serves a month"),
            "retrain_every": Enum(FREQUENCIES, "how often the model is retrained"),
        }, description="the fine-tune"),
        "eval": Table({
            "path": EvidenceFile("the eval set"),
            "examples": Count("declared size of the eval set"),
            "labeled": Bool("human-labelled expected outputs"),
            "target_score": Score("the score the system must reach on this eval set to ship"),
            "adversarial": Bool("holds adversarial and edge cases"),
            "created_at": Date("when the eval set was made"),
            "refreshed_at": Date("when the eval set was last brought up to date"),
        }, description="the eval set the scores are measured on"),
        "waivers": Map(
            Table({
                "reason": Str("why the finding is accepted"),
                "expires": Date("when the waiver lapses; an expired waiver is a finding"),
            }, required=("reason",), description="one accepted finding"),
            "accepted findings, each with a reason",
            key_check=_rule_id_problem,
            key_pattern=RULE_ID_KEY,
        ),
    }
    fields.update(extra or {})
    return Table(fields, required=("architecture",), description="one AI system")


def declaration_spec(
    extra_system_keys: Optional[Dict[str, Spec]] = None,
    plugin_settings: Optional[Dict[str, Spec]] = None,
) -> Table:
    """The whole declaration: linter settings and the systems, with what plugins add."""
    return Table(
        {
            "extend": Str("a declaration (YAML or pyproject.toml) whose settings this one "
                          "shares and overrides, relative to this file"),
            "fail_on": Enum(SEVERITIES, "the lowest severity that fails the run"),
            "select": List(Str(), "rule ids or prefixes to run"),
            "ignore": List(Str(), "rule ids or prefixes to skip"),
            "evidence": BoolOrStrict(
                "read the files and git history the declaration points to; strict: and fail "
                "the run when a figure could not be measured"),
            "thresholds": Table(
                {n: _threshold_spec(t.kind, t.meaning) for n, t in THRESHOLDS.items()},
                description="overrides of the rule thresholds: a number, or "
                            "{value: N, reason: ...}",
            ),
            "severity": Map(Enum(SEVERITIES), "per-rule severity overrides",
                            key_check=_rule_id_problem, key_pattern=RULE_ID_KEY),
            "plugins": PluginSettings(plugin_settings or {},
                                "one table per plugin, passed to that plugin"),
            "systems": Map(system_spec(extra_system_keys), "one entry per AI system"),
        },
        description="ragft-lint declaration",
    )
