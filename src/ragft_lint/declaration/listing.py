"""Listing the declaration files at or below a folder, for ``discovery.below``: the files git
knows inside a repository (so git-ignored ones are left out), elsewhere a walk of the tree.
Hidden folders, virtual environments and the folders tools fill are skipped either way; what a
team may have meant as a declaration there, or under a near-miss name, is noted in ``Reads``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

if TYPE_CHECKING:
    from .discovery import Reads

    PathLike = Union[str, "os.PathLike[str]"]

YAML_NAMES = ("ragft.yaml", "ragft.yml", ".ragft.yaml", ".ragft.yml")
PYPROJECT = "pyproject.toml"
NAMES = YAML_NAMES + (PYPROJECT,)
# Names a team gives a declaration by mistake, and the name each was meant to be: a search
# names them ("did you mean"), so that a check never passes with nothing checked in silence.
NEAR_NAMES = {"ragft-lint.yaml": "ragft.yaml", "ragft-lint.yml": "ragft.yml",
              "ragft_lint.yaml": "ragft.yaml", "ragft_lint.yml": "ragft.yml",
              "ragft.yaml.yml": "ragft.yaml", "ragft.yml.yaml": "ragft.yml"}
# Files of another name that may still be a declaration, when their top level holds ``systems``.
OTHER_SUFFIXES = (".yaml", ".yml", ".toml")

# Folders a downward search never enters, besides hidden ones and virtual environments.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "__pypackages__", "site-packages"})
# A walk outside a repository stops after this many folders (run from a home folder, say).
MAX_WALKED_FOLDERS = 50_000
GIT_TIMEOUT_SECONDS = 10.0


def display_path(path: PathLike) -> str:
    """A path as the user should read it: relative to the working directory, '/'-separated."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = os.fspath(path)
    return rel.replace(os.sep, "/")


def is_repository(root: str) -> bool:
    """Whether the ``.git`` at ``root`` looks like git's own (a folder with ``HEAD``, or the
    file a worktree or submodule has), without running git: a bare ``.git`` folder only marks
    a project's root, and asking git about it would cost a process for nothing."""
    marker = os.path.join(root, ".git")
    return os.path.isfile(marker) or os.path.isfile(os.path.join(marker, "HEAD"))


def _skipped_folder(parent: str, name: str) -> bool:
    """Hidden folders, virtual environments, the folders tools fill, and other repositories
    (as git leaves them out of its listing, so does the walk)."""
    if name.startswith(".") or name in SKIPPED_FOLDERS:
        return True
    folder = os.path.join(parent, name)
    return any(os.path.exists(os.path.join(folder, marker))
               for marker in ("pyvenv.cfg", "conda-meta", ".git"))


def _kept(folder: str, file: str, reads: Reads) -> bool:
    """Whether a file git lists is a declaration a search reads: one of the declaration names,
    in no folder a search skips. A near-miss name, and a YAML declaration whose only skipped
    folders are hidden ones, are noted in ``reads``."""
    parts = os.path.relpath(os.path.dirname(file), folder).split(os.sep)
    parent = folder
    hidden = False
    for part in parts:
        if part in ("", os.curdir):
            continue
        if _skipped_folder(parent, part):
            if part == ".git" or not part.startswith(".") or _other_skip(parent, part):
                return False
            hidden = True
        parent = os.path.join(parent, part)
    if not os.path.isfile(file):
        return False
    name = os.path.basename(file)
    if name in NEAR_NAMES:
        reads.near_name(file)
        return False
    if hidden:
        if name in YAML_NAMES:
            reads.hidden(file)
        return False
    return True


def _other_skip(parent: str, name: str) -> bool:
    """Whether a hidden folder is also skipped for another reason (a virtual environment, a
    repository of its own): nothing in it is the project's."""
    folder = os.path.join(parent, name)
    return name in (".venv", ".tox", ".nox") or any(
        os.path.exists(os.path.join(folder, marker))
        for marker in ("pyvenv.cfg", "conda-meta", ".git"))


def listed_by_git(folder: str, root: str,
                   reads: Reads) -> Tuple[Optional[List[str]], Optional[str]]:
    """The declaration files at or below ``folder`` that git knows (tracked, or new and not
    ignored); None when git cannot say (not a repository after all, or git failing or refused:
    then a note too). git runs through ``gitcmd``: nothing the repository configures runs."""
    from .. import gitcmd

    unlisted = "searched the folders without .gitignore"
    done = gitcmd.run(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                       *(f":(glob)**/{name}" for name in (*NAMES, *NEAR_NAMES))],
                      root, folder, GIT_TIMEOUT_SECONDS, user_config=True)
    if done.output is None:
        if done.missing:
            return None, None  # a folder named .git that is none: a plain tree
        if done.refused:
            return None, f"{done.problem}; {unlisted}"
        if done.problem.startswith("git failed ("):
            return None, f"git could not list the files{done.problem[len('git failed'):]}: " \
                         f"{unlisted}"
        if done.problem.startswith("git took longer"):
            return None, f"{done.problem} to list the files: {unlisted}"
        return None, f"{done.problem}: {unlisted}"
    names = done.output.decode("utf-8", "surrogateescape").split("\0")
    files = [os.path.join(folder, *name.split("/")) for name in names if name]
    return [f for f in files if _kept(folder, f, reads)], None


def walked(folder: str, reads: Reads) -> Tuple[List[str], Optional[str]]:
    """The declaration files at or below ``folder``, by walking it (links not followed).

    Near-miss names are noted in ``reads``, and so are YAML declarations directly inside a
    hidden folder the walk skips (one level only: a walk of every cache folder would cost more
    than the search)."""
    found: List[str] = []
    for walked, (current, folders, files) in enumerate(os.walk(folder), 1):
        if walked > MAX_WALKED_FOLDERS:
            return found, (f"stopped searching {display_path(folder)} after "
                           f"{MAX_WALKED_FOLDERS} folders; name the declarations to check")
        kept = []
        for name in sorted(folders):
            if not _skipped_folder(current, name):
                kept.append(name)
            elif name.startswith(".") and name != ".git" and not _other_skip(current, name):
                for yaml_name in YAML_NAMES:
                    inside = os.path.join(current, name, yaml_name)
                    if os.path.isfile(inside):
                        reads.hidden(inside)
        folders[:] = kept
        found.extend(os.path.join(current, name) for name in files if name in NAMES)
        for name in files:
            if name in NEAR_NAMES:
                reads.near_name(os.path.join(current, name))
    return found, None
