"""Paths a declaration names: relative to the declaring file, and inside the project root.

A declaration is often written by someone other than the person running the check, so its
paths are not trusted. The rule is enforced twice, with this one function: when the
declaration is validated (a declaration error) and when an evidence file is opened (the file
is not read), because the files may have changed in between.
"""

from __future__ import annotations

import os


class OutsideRoot(ValueError):
    """A declared path that is absolute or leads outside the project root; says which."""


def resolve_inside(base: str, declared: str, root: str, pattern: bool = False) -> str:
    """The real path of ``declared`` (relative to ``base``), which stays inside ``root``.

    Symbolic links are resolved first, so that no link leads out. A glob ``pattern`` is
    resolved up to its first wildcard: what it can match lies under that part. Raises
    ``OutsideRoot`` saying why the path is refused.
    """
    # Absolute on any platform: a declaration written on Windows is also checked elsewhere.
    if os.path.isabs(declared) or declared.startswith(("/", "\\")) or declared[1:2] == ":":
        raise OutsideRoot("is an absolute path; write it relative to the declaration")
    fixed = declared
    if pattern:
        for index, char in enumerate(declared):
            if char in "*?[":
                fixed = declared[:index]
                # What a wildcard matches is unknown until the files are listed, so a ".."
                # after it can lead anywhere, out of the root too.
                if ".." in declared[index:].replace("\\", "/").split("/"):
                    raise OutsideRoot("has '..' after a wildcard, which can lead outside the "
                                      f"project root ({_shown(root)}); write the pattern "
                                      "without it")
                break
    real = os.path.realpath(os.path.join(base, fixed or "."))
    real_root = os.path.realpath(root)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise OutsideRoot(f"leads outside the project root ({_shown(root)})")
    return real


def _shown(root: str) -> str:
    """The project root as the user reads it: relative to the working folder, '/'-separated."""
    try:
        rel = os.path.relpath(root)
    except ValueError:  # another drive on Windows
        rel = root
    return "the working folder" if rel == os.curdir else rel.replace(os.sep, "/")
