"""How the answers become a declaration: the declaration's data (``system_facts``,
``declaration_data``), and that data written out as a commented ``ragft.yaml`` (``to_yaml``)
or as a ``[tool.ragft-lint]`` table (``to_toml``).
"""

from __future__ import annotations

import re
from typing import Any, Dict

from ..declaration.schema import ARCHITECTURES

__all__ = ["declaration_data", "system_facts", "to_toml", "to_yaml"]


def _evidence(answers: Dict[str, Any], system: Dict[str, Any]) -> None:
    """The evidence files the answers name (proposed by the survey, or given)."""
    if answers.get("knowledge_sources"):
        system.setdefault("knowledge", {})["sources"] = [answers["knowledge_sources"]]
    if answers.get("retrieval_run"):
        run: Any = answers["retrieval_run"]
        if answers.get("retrieval_qrels"):
            run = {"path": run, "qrels": answers["retrieval_qrels"]}
        system.setdefault("rag", {})["retrieval_eval"] = {"path": run}
    if answers.get("baseline_results"):
        system.setdefault("prompt", {})["baseline_results"] = answers["baseline_results"]
    if answers.get("training_data"):
        system.setdefault("fine_tune", {})["training_data"] = answers["training_data"]
    if answers.get("eval_path"):
        system.setdefault("eval", {})["path"] = answers["eval_path"]


def _some(answers: Dict[str, Any], table: Dict[str, Any], keys: Dict[str, str],
          falsy: bool = False) -> None:
    """Copy the answers named in ``keys`` (answer: declared key) that were given; with
    ``falsy``, ``False`` and 0 are facts too (a question answered "no" says no)."""
    for answer, key in keys.items():
        value = answers.get(answer)
        if value is not None and (falsy or value):
            table[key] = value


def system_facts(answers: Dict[str, Any]) -> Dict[str, Any]:
    """One system's declared facts from the answers; what is unknown or unanswered is left out."""
    system: Dict[str, Any] = {"architecture": answers["architecture"]}
    _some(answers, system, {"gaps": "gaps", "baseline_queries": "baseline_queries"})
    knowledge: Dict[str, Any] = {}
    _some(answers, knowledge, {"changes": "changes", "depth": "depth",
                               "corpus_tokens": "corpus_tokens"})
    _some(answers, knowledge, {"citations": "citations", "per_user_access": "per_user_access"},
          falsy=True)
    if knowledge:
        system["knowledge"] = knowledge
    prompt: Dict[str, Any] = {}
    _some(answers, prompt, {"few_shot_examples": "few_shot_examples",
                            "context_window_tokens": "context_window_tokens",
                            "baseline_score": "baseline_score",
                            "baseline_model": "baseline_model"})
    if answers.get("context_window_tokens") == 0:
        prompt["context_window_tokens"] = 0
    if prompt:
        system["prompt"] = prompt
    fine_tune: Dict[str, Any] = {}
    _some(answers, fine_tune, {"goals": "goals", "training_examples": "training_examples",
                               "requests_per_month": "requests_per_month",
                               "conventions_change": "conventions_change"})
    if answers.get("requests_per_month") == 0:
        fine_tune["requests_per_month"] = 0
    if fine_tune:
        system["fine_tune"] = fine_tune
    if answers.get("eval_examples"):
        system["eval"] = {"examples": answers["eval_examples"], "labeled": True}
    if answers.get("per_user_access") and answers["architecture"] in ("rag", "hybrid"):
        # Users see different documents: whether retrieval keeps them apart (RG005, RG006).
        system["rag"] = {}
        _some(answers, system["rag"], {"acl_filtering": "acl_filtering",
                                       "leakage_tested": "leakage_tested"}, falsy=True)
    _evidence(answers, system)
    if _has_eval_table(system) and answers.get("target_score") is not None:
        system["eval"]["target_score"] = answers["target_score"]
    return {key: value for key, value in system.items() if value != {}}


def _has_eval_table(system: Dict[str, Any]) -> bool:
    return isinstance(system.get("eval"), dict)


def declaration_data(answers: Dict[str, Any]) -> Dict[str, Any]:
    """The whole declaration: the default settings and the one system."""
    return {"fail_on": "error", "systems": {answers["name"]: system_facts(answers)}}


_COMMENTS = {
    "fail_on": "the lowest severity that fails `ragft-lint check`",
    "architecture": " | ".join(ARCHITECTURES),
    "gaps": "what the unmodified base model got wrong",
    "changes": "how often the facts change",
    "requests_per_month": "the volume a fine-tune would have to pay back",
}

_HEADER = [
    "Each AI system, the architecture chosen for it, and the evidence behind that choice.",
    "Written by `ragft-lint init`; `ragft-lint check` compares the choice with the evidence,",
    "`ragft-lint decide` shows which architecture the evidence points to, and",
    "`ragft-lint schema` describes every key.",
]

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Words a YAML 1.1 reader would take for something other than a string.
_YAML_SPECIAL = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _quoted(text: str) -> str:
    """A double-quoted string that YAML and TOML read alike."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    text = str(value)
    plain = _PLAIN.fullmatch(text) and text.lower() not in _YAML_SPECIAL
    return text if plain else _quoted(text)


def _comment(key: str) -> str:
    return f"  # {_COMMENTS[key]}" if key in _COMMENTS else ""


def to_yaml(data: Dict[str, Any]) -> str:
    """The declaration as a commented ``ragft.yaml``."""
    lines = [f"# {line}" for line in _HEADER] + [""]
    lines.append(f"fail_on: {_yaml_scalar(data['fail_on'])}{_comment('fail_on')}")
    lines += ["", "systems:"]

    def table(values: Dict[str, Any], indent: int) -> None:
        for key, value in values.items():
            if isinstance(value, dict):
                lines.append(f"{' ' * indent}{key}:")
                table(value, indent + 2)
            else:
                lines.append(f"{' ' * indent}{key}: {_yaml_scalar(value)}{_comment(key)}")

    for name, system in data["systems"].items():
        lines.append(f"  {_yaml_scalar(name)}:")
        table(system, 4)
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _quoted(str(value))


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _quoted(key)


def to_toml(data: Dict[str, Any]) -> str:
    """The declaration as a ``[tool.ragft-lint]`` table for a ``pyproject.toml``."""
    # The comment goes inside the table, so that replacing the table (--force) replaces it too.
    lines = ["[tool.ragft-lint]"] + [f"# {line}" for line in _HEADER]
    lines.append(f"fail_on = {_toml_value(data['fail_on'])}{_comment('fail_on')}")

    def table(header: str, values: Dict[str, Any]) -> None:
        lines.extend(["", f"[{header}]"])
        for key, value in values.items():
            if not isinstance(value, dict):
                lines.append(f"{_toml_key(key)} = {_toml_value(value)}{_comment(key)}")
        for key, value in values.items():
            if isinstance(value, dict):
                table(f"{header}.{_toml_key(key)}", value)

    for name, system in data["systems"].items():
        table(f"tool.ragft-lint.systems.{_toml_key(name)}", system)
    return "\n".join(lines) + "\n"
