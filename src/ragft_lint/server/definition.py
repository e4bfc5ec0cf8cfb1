"""Go to definition on an evidence path: the file the declaration points to."""

from __future__ import annotations

import os
from typing import Optional

from ..declaration.paths import OutsideRoot, resolve_inside


def evidence_file(declaration_file: str, root: str, word: str) -> Optional[str]:
    """The file ``word`` names, relative to the declaration's folder as the run reads it, when
    it is one inside the project; None otherwise."""
    if not word or "\0" in word:
        return None
    base = os.path.dirname(os.path.abspath(declaration_file))
    try:
        target = resolve_inside(base, word, root)
    except (OutsideRoot, ValueError, OSError):
        return None
    return target if os.path.isfile(target) else None
