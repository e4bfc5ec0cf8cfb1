"""The built-in result readers: their names and order live in ``evidence/result_reader.py``,
which the plugin host loads without loading this package."""

from __future__ import annotations

from ..result_reader import BUILT_IN
from ..result_reader import builtin_readers as readers

__all__ = ["BUILT_IN", "readers"]
