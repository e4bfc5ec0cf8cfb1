"""``InitError``, the refusal every part of ``ragft-lint init`` raises when it cannot go on.

It has a module of its own because both the ``pyproject.toml`` editor and the command raise
it, and neither should have to import the other for it.
"""

from __future__ import annotations

from ..errors import RagftLintError

__all__ = ["InitError"]


class InitError(RagftLintError):
    """``init`` cannot go on: nothing was written."""
