"""``ragft-lint init``: the guided start, from answers to the decision questions to a declaration.

It first surveys the project for evidence (eval sets, training data, retrieval runs, eval
tools' result files, knowledge folders) and proposes each as a question's default. On a
terminal it asks each question with its default in brackets and asks again after an answer it
cannot use. Otherwise it reads one answer per line from standard input, an empty line taking
the default; a question the input runs out before is left unanswered (and out of the
declaration); it stops at the first answer it cannot use. ``--yes`` takes every default without
asking, ``--answers FILE`` and ``--set NAME=VALUE`` answer questions by name. It
then writes ``ragft.yaml``, or with ``--pyproject`` appends a ``[tool.ragft-lint]`` table to the
folder's ``pyproject.toml`` without changing a byte of what is there, and ends with what
``decide`` says about the new declaration.

It never replaces a declaration unless told to (``--force``), never leaves the folder with two
declarations, and writes nothing until every answer is in and the result has been read back.

The package, by job:

- ``survey``: what evidence the project holds, found without running anything (``Found``);
- ``questions``: the ``Question`` type, the answer parsers, the questions and their defaults;
- ``answers``: answers given by name, from a file or the command line;
- ``writers``: answers to declaration data, and that data as YAML or TOML text;
- ``pyproject``: an existing ``pyproject.toml`` with our table appended or replaced;
- ``command``: the command itself, from choosing the file to showing what decide says;
- ``errors``: ``InitError``, which all of them raise.
"""

from __future__ import annotations

from .command import Asker, interview, run, target
from .errors import InitError
from .pyproject import pyproject_bytes
from .questions import Question, default_name, questions
from .writers import declaration_data, system_facts, to_toml, to_yaml

__all__ = [
    "Asker",
    "InitError",
    "Question",
    "declaration_data",
    "default_name",
    "interview",
    "pyproject_bytes",
    "questions",
    "run",
    "system_facts",
    "target",
    "to_toml",
    "to_yaml",
]
