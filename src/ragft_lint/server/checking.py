"""The run of one editor buffer: the text the user is typing, checked as ``check`` checks it.

The buffer is read as the file it will be saved as (``declaration.read_text``), validated with
the plugins' keys and rules (``Session.load``) and run through ``Session.run`` like any other
entry point, so the findings, severities, messages and places are the ones ``check`` reports.
Nothing is written. Whatever the text holds, the outcome is a value: a run, or the problems
that stopped it (a half-typed key is a declaration error at its line, not a crash).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional, Tuple

from ..errors import DeclarationError, Problem, RagftLintError
from ..record import NamedTuple

if TYPE_CHECKING:
    from ..declaration.document import Document
    from ..declaration.model import Declaration
    from ..host import Plugins
    from ..run import Run
    from ..session import Session
    from .actions import Fixes

__all__ = ["Checked", "check_text", "is_declaration_file"]


class Checked(NamedTuple):
    """One buffer's outcome: the run (None when it did not get that far), the problems that
    stopped it, and the session that made it (for hover and the quick fixes, which read the
    same measurement rather than measuring again). ``measured``: whether the evidence was read.
    ``fixes``: the code actions' fixes of this run (``actions.fixes``), once worked out: for a
    measured run, in the worker that measured it, so that no code action reads the evidence.
    """

    path: str
    text: str
    measured: bool
    run: Optional[Run] = None
    problems: Tuple[Problem, ...] = ()
    session: Optional[Session] = None
    fixes: Optional[Fixes] = None

    @property
    def declaration(self) -> Optional[Declaration]:
        if self.run is None or not self.run.declarations:
            return None
        return self.run.declarations[0]


def is_declaration_file(path: str) -> bool:
    """Whether the editor's file is one the server checks: a declaration by its name."""
    from ..declaration.discovery import is_declaration_name

    return is_declaration_name(path)


def read_buffer(path: str, text: str) -> Optional[Document]:
    """The document ``text`` reads as, saved as ``path`` (None: a pyproject.toml without the
    ``[tool.ragft-lint]`` table, which is none of ours)."""
    from ..declaration import read_text
    from ..declaration.discovery import display_path

    return read_text(path, display_path(path), text)


def check_text(plugins: Plugins, path: str, text: str, evidence: bool) -> Checked:
    """Check ``text`` as the declaration ``path`` (``evidence``: reading the files and history
    it points to, with the cache; else the declared facts alone)."""
    from ..options import build
    from ..session import Session

    session = Session(plugins)
    try:
        document = read_buffer(path, text)
        if document is None:
            return Checked(path, text, evidence, session=session)
        declaration = session.load(document)
        run = session.run([], build(evidence=evidence), declarations=[declaration])
    except DeclarationError as exc:
        return Checked(path, text, evidence, problems=tuple(exc.problems), session=session)
    except RagftLintError as exc:  # a baseline, a usage word: the run says it at the top
        return Checked(path, text, evidence, problems=(_at_top(path, str(exc)),),
                       session=session)
    except RecursionError:
        return Checked(path, text, evidence, session=session,
                       problems=(_at_top(path, "the declaration is nested too deeply"),))
    return Checked(path, text, evidence, run=run, session=session)


def _at_top(path: str, message: str) -> Problem:
    return Problem(os.path.basename(path), 1, 1, message)
