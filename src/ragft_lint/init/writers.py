"""How the answers become a declaration: the declaration's data (``system_facts``,
``declaration_data``), and that data written out as a commented ``ragft.yaml`` (``to_yaml``)
or as a ``[tool.ragft-lint]`` table (``to_toml``).
"""

from __future__ import annotations

import re
from typing import Any, Dict

from ..declaration.schema import ARCHITECTURES

__all__ = ["declaration_data", "system_facts", "to_toml", "to_yaml"]


def system_facts(answers: Dict[str, Any]) -> Dict[str, Any]:
    """One system's declared facts from the answers; what is unknown is left out."""
    system: Dict[str, Any] = {"architecture": answers["architecture"]}
    if answers["gaps"]:
        system["gaps"] = answers["gaps"]
    if answers["baseline_queries"]:
        system["baseline_queries"] = answers["baseline_queries"]
    knowledge: Dict[str, Any] = {}
    if answers["changes"] is not None:
        knowledge["changes"] = answers["changes"]
    if answers["depth"] is not None:
        knowledge["depth"] = answers["depth"]
    if answers["corpus_tokens"]:
        knowledge["corpus_tokens"] = answers["corpus_tokens"]
    knowledge["citations"] = answers["citations"]
    knowledge["per_user_access"] = answers["per_user_access"]
    system["knowledge"] = knowledge
    prompt: Dict[str, Any] = {}
    if answers["few_shot_examples"]:
        prompt["few_shot_examples"] = answers["few_shot_examples"]
    if answers["context_window_tokens"] is not None:
        prompt["context_window_tokens"] = answers["context_window_tokens"]
    if answers["baseline_score"] is not None:
        prompt["baseline_score"] = answers["baseline_score"]
    if answers.get("baseline_model") is not None:
        prompt["baseline_model"] = answers["baseline_model"]
    if prompt:
        system["prompt"] = prompt
    fine_tune: Dict[str, Any] = {}
    if answers["goals"]:
        fine_tune["goals"] = answers["goals"]
    if answers["training_examples"]:
        fine_tune["training_examples"] = answers["training_examples"]
    if answers["requests_per_month"] is not None:
        fine_tune["requests_per_month"] = answers["requests_per_month"]
    if answers.get("conventions_change") is not None:
        fine_tune["conventions_change"] = answers["conventions_change"]
    if fine_tune:
        system["fine_tune"] = fine_tune
    if answers["eval_examples"]:
        system["eval"] = {"examples": answers["eval_examples"], "labeled": True}
        if answers.get("target_score") is not None:
            system["eval"]["target_score"] = answers["target_score"]
    if answers["per_user_access"] and answers["architecture"] in ("rag", "hybrid"):
        # Users see different documents: whether retrieval keeps them apart (RG005, RG006).
        system["rag"] = {"acl_filtering": bool(answers.get("acl_filtering")),
                         "leakage_tested": bool(answers.get("leakage_tested"))}
    return system


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
