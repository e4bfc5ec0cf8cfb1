"""The pre-commit framework's entry point: ``ragft-lint-pre-commit [OPTION...] FILE...``.

pre-commit runs a hook as its entry, then the ``args:`` of the user's configuration, then the
names of the staged files, with nothing between them. A staged file may be named like an option
(a folder named ``--write-baseline=services``), so ``ragft-lint check`` on that line would take
it for one. This entry point finds where the user's options end and passes everything after
them to ``check`` behind ``--``, where no name is an option.

The options end at the first word that names an existing file or folder (pre-commit passes only
files that exist), at the first word that does not start with ``-``, or at ``--``; an option
that takes a value takes the next word as it (``--format github``).
"""

from __future__ import annotations

import os
from typing import Callable, List, Optional, Sequence, Tuple

__all__ = ["main", "split"]


def split(words: Sequence[str],
          takes_value: Callable[[str], bool]) -> Tuple[List[str], List[str]]:
    """The user's options and the file names, as pre-commit put them on one line."""
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return list(words[:index]), list(words[index + 1:])
        if not word.startswith("-") or os.path.lexists(word):
            break
        index += 1
        if "=" not in word and takes_value(word) and index < len(words):
            index += 1
    return list(words[:index]), list(words[index:])


def main(argv: Optional[Sequence[str]] = None) -> int:
    import sys

    from . import cli

    words = list(sys.argv[1:] if argv is None else argv)
    options, names = split(words, cli.check_option_takes_value)
    return cli.main(["check", *options, "--", *names])


if __name__ == "__main__":
    raise SystemExit(main())
