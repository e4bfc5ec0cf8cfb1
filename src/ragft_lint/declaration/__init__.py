"""Finding, reading and validating the declaration.

Modules, in the order data flows through them: ``resolve`` (what the paths a user gives mean)
and ``discovery`` (which file, which project root), ``document`` with ``toml_source``,
``yaml_source`` and ``cell`` (reading with positions), ``vocabulary``, ``specs`` and ``schema``
(the format), ``extension`` (what plugins add to it), ``paths`` (declared paths stay inside the
project), ``extend`` (the shared settings a declaration extends) and ``model`` (validation, and
the ``Declaration`` the rules read).

Kept light to import: ``vocabulary`` is read by modules that need only the format's words, so
the rest is imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Union

if TYPE_CHECKING:
    import os

    from .document import Document
    from .extension import Extension
    from .model import Declaration, System

__all__ = ["Declaration", "Document", "System", "declaration_from", "load", "read_text"]


def read_text(path: Union[str, os.PathLike[str]], display: str, text: str) -> Optional[Document]:
    """The document ``text`` is as the declaration file ``path`` (a ``pyproject.toml`` by its
    name, YAML otherwise): what a file about to be written will read back as. None for a
    ``pyproject.toml`` without the table."""
    import os

    text = text[1:] if text.startswith("\ufeff") else text
    if os.path.basename(os.fspath(path)) == "pyproject.toml":
        from .toml_source import read_pyproject

        return read_pyproject(path, display, text)
    from .yaml_source import read_yaml

    return read_yaml(path, display, text)


def declaration_from(document: Document, known_rules: Optional[List[str]] = None,
                     extension: Optional[Extension] = None, *,
                     result_formats: Optional[List[str]] = None) -> Declaration:
    """Validate a read document; its project root is the repository above it.

    ``result_formats``: the formats of eval tools' result files known in the session (built-in
    readers and plugins'); a result file's ``format:`` is then checked against them.
    """
    import os

    from .discovery import project_root
    from .model import build

    folder = os.path.realpath(os.path.dirname(os.path.abspath(document.file)))
    return build(document, project_root(folder), known_rules, extension,
                 result_formats=result_formats)


def load(path: Union[str, os.PathLike[str], None] = None,
         known_rules: Optional[List[str]] = None,
         extension: Optional[Extension] = None) -> Declaration:
    """Read and validate the one declaration ``path`` names, as every entry point resolves it
    (None: discovered from the working folder)."""
    from ..errors import NoDeclarationError
    from .resolve import resolve

    documents, _ = resolve([] if path is None else [path])
    if not documents:
        import os

        raise NoDeclarationError([os.fspath(path)] if path is not None else [])
    return declaration_from(documents[0], known_rules, extension)


def __getattr__(name: str) -> Any:
    if name == "Document":
        from .document import Document

        return Document
    if name in ("Declaration", "System"):
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
