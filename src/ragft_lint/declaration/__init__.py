"""Finding, reading and validating the declaration."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

from .discovery import find, project_root
from .document import Document
from .model import Declaration, System, build

if TYPE_CHECKING:
    from ..host import Extension

__all__ = ["Declaration", "Document", "System", "declaration_from", "load"]


def declaration_from(document: Document, known_rules: Optional[List[str]] = None,
                     extension: Optional[Extension] = None) -> Declaration:
    """Validate a read document; its project root is the repository above it."""
    return build(document, project_root(document.file.parent.resolve()), known_rules, extension)


def load(path: Optional[Path] = None, known_rules: Optional[List[str]] = None,
         extension: Optional[Extension] = None) -> Declaration:
    """Find, read and validate the declaration at ``path`` (or discovered from here)."""
    return declaration_from(find(path), known_rules, extension)
