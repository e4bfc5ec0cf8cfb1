"""Running git so that it runs nothing a repository configures.

Every git command of the tool runs here: ``git ls-files`` (which declarations git knows) and
``git log`` / ``git rev-parse`` (history). The repository is a stranger's: its committed files
and its ``.git/config`` (and whatever that ``[include]``s) must not make git run a command.

Which repository: the one whose ``.git`` is at the project root, named to git explicitly with
``GIT_DIR`` and ``GIT_WORK_TREE``, so git discovers nothing. A committed folder that looks like a
bare repository (``HEAD``, ``objects/``, ``refs/`` and a ``config`` with ``core.worktree`` and
``core.fsmonitor``) below the root is never taken for one; ``safe.bareRepository=explicit``
says the same again. A ``.git`` file (or link) that leads outside the project root is refused
with a note, unless git made it: a linked worktree (its git folder names this ``.git`` back) or
a submodule (its git folder is in ``.git/modules`` of a repository above).

Configuration: the system file is never read (``GIT_CONFIG_NOSYSTEM``), the user's global one
only where it changes the answer (its ignore rules, for the listing); every ``-c`` below is
read last, so it wins over the repository's file and anything it includes. Each key git can
run a command from, and why it cannot here:

- ``core.fsmonitor`` (run on every index read, by ``ls-files``): ``core.fsmonitor=false``.
- ``core.sshCommand``, ``GIT_SSH``/``GIT_SSH_COMMAND``, ``ssh.variant``, ``core.gitProxy``,
  ``GIT_PROXY_COMMAND``, ``remote.*.uploadpack``, ``remote.*.vcs`` and ``ext::`` URLs, the
  ``http.*`` helpers, ``credential.helper``, ``core.askPass``/``GIT_ASKPASS``/``SSH_ASKPASS``:
  all only run by a transport, which a partial clone's lazy fetch of missing objects would
  start. ``GIT_ALLOW_PROTOCOL`` set empty allows no transport at all (git 2.44's
  ``GIT_NO_LAZY_FETCH`` is not needed); unlike ``protocol.allow=never`` (also given), it
  cannot be undone by a ``protocol.<name>.allow`` in the repository's file. The fetch fails,
  git fails, and the history is a note. ``credential.helper``, ``core.askPass`` and
  ``core.sshCommand`` are emptied besides, and the variables naming commands are removed.
- ``core.hooksPath`` and hooks (a lazy fetch's ``reference-transaction``, an index write's
  ``post-index-change``): ``core.hooksPath`` is the null device, so no hook is found;
  ``GIT_OPTIONAL_LOCKS=0`` keeps ``ls-files`` from writing the index at all.
- ``core.alternateRefsCommand`` (fetch negotiation): emptied.
- ``diff.external``/``GIT_EXTERNAL_DIFF``, ``diff.<driver>.command`` and
  ``diff.<driver>.textconv`` (``log --follow`` compares files): ``--no-ext-diff
  --no-textconv``, and ``diff.external`` emptied.
- ``core.pager``, ``pager.<command>``, ``GIT_PAGER``/``PAGER``: ``--no-pager``, and both set to
  ``cat`` (output is never a terminal anyway).
- ``gpg.program``, ``gpg.<format>.program`` (run to verify signatures):
  ``log.showSignature=false``, and no format asks for a signature.
- ``filter.<driver>.clean``/``smudge``/``process`` cannot be switched off by name: they run
  when git reads or writes work-tree files' content (``add``, ``checkout``, ``status``, ``diff``
  against the work tree). ``ls-files``, ``log`` and ``rev-parse`` do neither, and no other
  command runs here.
- ``core.editor``, ``sequence.editor``, ``GIT_EDITOR``, ``merge.<driver>.driver``,
  ``mergetool.*``, ``difftool.*``, ``submodule.*.update``, ``alias.*``: only for commands that
  edit, merge, update submodules, or are not git's own; none runs here.
- ``uploadpack.packObjectsHook``: read from protected configuration only, by ``upload-pack``
  only; neither is here. ``trace2.*`` targets: read from system and global files only (off).
- ``gc.auto``/``maintenance.auto`` (run after a fetch): ``0`` and ``false``.
- ``core.worktree`` (a committed folder's, or the repository's): ``GIT_WORK_TREE`` wins.
- Replacement objects change what history says: ``GIT_NO_REPLACE_OBJECTS``.

A git too old for some of these variables (``GIT_CONFIG_GLOBAL`` is 2.32, ``safe.bareRepository``
2.38) still has ``GIT_DIR``, ``GIT_ALLOW_PROTOCOL`` and the ``-c`` overrides, which do the work.
"""

from __future__ import annotations

import os
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

# ``-c`` overrides given to every command; see the module's docstring for each.
OVERRIDES: Tuple[Tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.sshCommand", ""),
    ("core.askPass", ""),
    ("core.alternateRefsCommand", ""),
    ("core.pager", "cat"),
    ("core.quotepath", "off"),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("protocol.allow", "never"),
    ("safe.bareRepository", "explicit"),
    ("log.showSignature", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
)
# What the environment keeps of the user's ``GIT_*`` variables: the index a ``pre-commit`` hook
# is given (a commit of some files checks those). Every other one is dropped: they name
# repositories, configuration, or commands.
KEPT_VARIABLES = frozenset({"GIT_INDEX_FILE"})
# Variables outside ``GIT_*`` that name a command git may run.
COMMAND_VARIABLES = ("SSH_ASKPASS", "PAGER")
MAX_GITFILE_BYTES = 4096

NOT_A_REPOSITORY = "not a git repository"


class Outcome(NamedTuple):
    """What one git command gave: its standard output, or why there is none.

    ``problem`` is a phrase for a note ("git is not installed", "git failed (...)"), empty on
    success. ``refused``: git was not run, because the project's ``.git`` leads outside it.
    ``missing``: the project root holds no repository git recognises.
    """

    output: Optional[bytes]
    problem: str = ""
    refused: bool = False
    missing: bool = False


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _display(path: str) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return path


def _read_gitfile(marker: str) -> Optional[str]:
    """The folder a ``.git`` file names (``gitdir: PATH``, relative to the file's folder)."""
    try:
        with open(marker, "rb") as handle:
            first = handle.read(MAX_GITFILE_BYTES).split(b"\n", 1)[0].rstrip(b"\r")
    except OSError:
        return None
    if not first.startswith(b"gitdir: "):
        return None
    named = os.fsdecode(first[len(b"gitdir: "):])
    return os.path.realpath(os.path.join(os.path.dirname(marker), named))


def _made_by_git(git_dir: str, marker: str, root: str) -> bool:
    """Whether a git folder outside the root is one git keeps for this work tree elsewhere: a
    linked worktree's (its ``gitdir`` file names this ``.git`` back) or a submodule's (inside
    ``.git/modules`` of a repository whose root is above this one)."""
    try:
        with open(os.path.join(git_dir, "gitdir"), "rb") as handle:
            back = os.fsdecode(handle.read(MAX_GITFILE_BYTES).strip())
        if os.path.realpath(os.path.join(git_dir, back)) == os.path.realpath(marker):
            return True
    except OSError:
        pass
    folder = os.path.dirname(root)
    while True:
        modules = os.path.join(folder, ".git", "modules")
        if os.path.isdir(os.path.join(folder, ".git")) and not os.path.islink(
                os.path.join(folder, ".git")) and _inside(git_dir, os.path.realpath(modules)):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def git_folder(root: str) -> Tuple[Optional[str], str]:
    """The git folder of the repository whose work tree is ``root``, and '' ; or None and why
    not (empty when ``root`` holds no ``.git``; a refusal when it leads outside the root)."""
    real_root = os.path.realpath(root)
    marker = os.path.join(real_root, ".git")
    if not os.path.lexists(marker):
        return None, ""
    if os.path.isfile(marker):
        git_dir = _read_gitfile(marker)
        if git_dir is None:
            return None, ""
    else:
        git_dir = os.path.realpath(marker)
    if _inside(git_dir, real_root) or _made_by_git(git_dir, marker, real_root):
        return git_dir, ""
    return None, (f"{_display(os.path.join(root, '.git'))} leads to {_display(git_dir)}, "
                  "outside the project root: its history is not read; check the project "
                  "from a clone of its own repository")


def environment(git_dir: str, root: str, user_config: bool) -> Dict[str, str]:
    """The environment of a git command in the repository at ``git_dir`` for ``root``."""
    env = {k: v for k, v in os.environ.items()
           if (not k.startswith("GIT_") or k in KEPT_VARIABLES) and k not in COMMAND_VARIABLES}
    env.update({
        "LC_ALL": "C",
        "GIT_DIR": git_dir,
        "GIT_WORK_TREE": root,
        # Never a repository above the project, should GIT_DIR ever be ignored.
        "GIT_CEILING_DIRECTORIES": os.path.dirname(os.path.abspath(root)),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_ALLOW_PROTOCOL": "",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "GIT_PAGER": "cat",
        "PAGER": "cat",
    })
    if not user_config:
        env["GIT_CONFIG_GLOBAL"] = os.devnull
    return env


def command(arguments: Sequence[str]) -> List[str]:
    """``git`` with the overrides, then ``arguments``."""
    line = ["git", "--no-pager"]
    for key, value in OVERRIDES:
        line += ["-c", f"{key}={value}"]
    rest = list(arguments)
    if rest[:1] == ["log"]:  # the options exist for commands that compare contents only
        rest[1:1] = ["--no-ext-diff", "--no-textconv"]
    return line + rest


def run(arguments: Sequence[str], root: str, cwd: str, timeout: float,
        user_config: bool = False) -> Outcome:
    """Run ``git <arguments>`` in ``cwd``, in the repository of the project at ``root``.

    ``user_config``: read the user's global configuration (its ignore rules matter to a
    listing; nothing else does).
    """
    git_dir, refusal = git_folder(root)
    if git_dir is None:
        if refusal:
            return Outcome(None, refusal, refused=True)
        return Outcome(None, NOT_A_REPOSITORY, missing=True)
    import subprocess  # only when git is needed: every commit's check pays for imports

    try:
        done = subprocess.run(
            command(arguments), cwd=cwd,
            env=environment(git_dir, os.path.realpath(root), user_config),
            stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        return Outcome(None, "git is not installed")
    except subprocess.TimeoutExpired:
        return Outcome(None, f"git took longer than {timeout:.0f} s")
    except OSError as exc:
        return Outcome(None, f"git could not be run ({exc.strerror or exc})")
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in error.lower():
            return Outcome(None, NOT_A_REPOSITORY, missing=True)
        if "does not have any commits yet" in error:
            return Outcome(b"")  # a repository before its first commit: no history, truly
        first = (error.splitlines() or [f"exit status {done.returncode}"])[0][:200]
        return Outcome(None, f"git failed ({first})")
    return Outcome(done.stdout)
