"""The JSON Schema of the declaration, for editors and validators.

It is generated from the same ``Spec`` objects the loader validates with, plugins' keys and
settings included, so the schema and the loader cannot disagree. ``tool_schema`` is the
``validate_pyproject.tool_schema`` entry point: with it, ``validate-pyproject`` checks the
``[tool.ragft-lint]`` table of a ``pyproject.toml``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:
    from .declaration.extension import Extension

SCHEMA_ID = "https://ragft-lint.invalid/declaration-v1.json"


def declaration_schema(extension: Optional[Extension] = None) -> Dict[str, Any]:
    from .declaration.schema import declaration_spec

    spec = declaration_spec(extension.system_keys, extension.settings) if extension \
        else declaration_spec()
    schema: Dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "ragft-lint declaration",
    }
    schema.update(spec.json_schema())
    schema["type"] = "object"  # tables inside may be left empty; the declaration itself not
    return schema


def tool_schema(tool_name: str = "ragft-lint") -> Dict[str, Any]:
    """The schema of ``[tool.ragft-lint]``, with the installed plugins' keys.

    A plugin that fails to load only loses its own keys here; ``ragft-lint check`` reports it.
    """
    from .session import Session

    return declaration_schema(Session().plugins.extension)
