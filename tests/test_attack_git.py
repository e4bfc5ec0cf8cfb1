"""Git runs nothing a repository configures: real repositories whose committed files or local
configuration would make git run a command (a marker file that must never appear), and a
``.git`` file that points at another project's history."""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Dict, List

import pytest

from evidence_project import AS_OF, Project, rules_fired
from ragft_lint import check

DECLARATION = """\
systems:
  policy-bot:
    architecture: fine-tune
    gaps: [behavior]
    knowledge:
      changes: quarterly
      sources: ["docs/**"]
    fine_tune:
      goals: [style]
      trained_at: 2026-06-01
    eval:
      path: evals/policy.jsonl
"""
EVAL = '{"input": "a", "output": "b"}\n'


def _git(folder: Path, *arguments: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(folder),
           "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.org"}
    done = subprocess.run(["git", *arguments], cwd=folder, env=env, capture_output=True,
                          text=True, check=True)
    return done.stdout


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _run(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    home = cwd / "home-of-the-run"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(NO_COLOR="1", HOME=str(home), GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run([sys.executable, "-m", "ragft_lint", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)


def _service(root: Path, folder: str = "services/search") -> Path:
    _write(root / folder / "ragft.yaml", DECLARATION)
    _write(root / folder / "evals/policy.jsonl", EVAL)
    return _write(root / folder / "docs/policy.md", "policy\n")


def _bare_looking(services: Path, config: str) -> None:
    """What a commit can hold: the files that make git take ``services/`` for a repository."""
    _write(services / "HEAD", "ref: refs/heads/main\n")
    _write(services / "objects/info/.keep", "")
    _write(services / "refs/heads/.keep", "")
    _write(services / "config", config)


@pytest.fixture()
def committed_bare(tmp_path: Path) -> Dict[str, Path]:
    """A fresh clone of a repository whose ``services/`` folder is a committed bare repository
    with a work tree and a ``core.fsmonitor`` command."""
    marker = tmp_path / "PWNED"
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q")
    _service(origin)
    _bare_looking(origin / "services", (
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
        f"\tfsmonitor = \"touch '{marker}'\"\n"))
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "services")
    _git(tmp_path, "clone", "-q", str(origin), "clone")
    return {"root": tmp_path / "clone", "marker": marker}


@pytest.mark.parametrize("arguments, where", [
    (["check", "services"], ""),
    (["check", "services/search"], ""),
    (["check"], "services"),
    (["decide", "services"], ""),
])
def test_a_committed_bare_repository_runs_nothing(committed_bare: Dict[str, Path],
                                                  arguments: List[str], where: str) -> None:
    root, marker = committed_bare["root"], committed_bare["marker"]
    done = _run(root / where, *arguments, "--no-cache", "--as-of", AS_OF.isoformat())
    assert not marker.exists(), done.stderr
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr


def _loose_object(kind: str, body: bytes) -> bytes:
    return zlib.compress(f"{kind} {len(body)}\0".encode() + body)


def test_a_partial_clone_with_missing_objects_fetches_nothing(tmp_path: Path) -> None:
    # services/ holds a commit whose tree is missing, in a "partial clone" whose promisor
    # remote is reached over ssh with a core.sshCommand: reading the history would fetch.
    marker = tmp_path / "PWNED"
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    declaration = _service(root).parent.parent / "ragft.yaml"
    tree = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c"  # never stored in services/objects
    commit = (f"tree {tree}\nauthor Ada <a@b> 1767225600 +0000\n"
              "committer Ada <a@b> 1767225600 +0000\n\nm\n").encode()
    name = hashlib.sha1(f"commit {len(commit)}\0".encode() + commit).hexdigest()
    services = root / "services"
    _bare_looking(services, (
        "[core]\n\trepositoryformatversion = 1\n\tbare = true\n"
        f"\tsshCommand = \"touch '{marker}'\"\n"
        "[extensions]\n\tpartialClone = origin\n"
        "[remote \"origin\"]\n\turl = ssh://example.invalid/x\n\tpromisor = true\n"
        # protocol.allow=never alone would give way to this
        "[protocol \"ssh\"]\n\tallow = always\n"))
    (services / "objects" / name[:2]).mkdir()
    (services / "objects" / name[:2] / name[2:]).write_bytes(_loose_object("commit", commit))
    _write(services / "refs/heads/main", name + "\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "services")
    done = _run(root, "check", "--no-cache", "--as-of", AS_OF.isoformat(), "--",
                str(declaration.relative_to(root)))
    assert not marker.exists(), done.stderr
    assert done.returncode in (0, 1), done.stderr


@pytest.mark.parametrize("transport", ["ssh", "file"])
def test_a_real_partial_clone_fetches_nothing_whatever_its_config_allows(
        tmp_path: Path, transport: str) -> None:
    # A blob:none clone: following the eval file's rename needs an old blob that is missing.
    # Its .git/config reaches the promisor over ssh, runs core.sshCommand, and allows ssh by
    # name, which protocol.allow=never alone would give way to.
    marker = tmp_path / "PWNED"
    origin = tmp_path / "origin"
    project = Project(origin, git=True)
    project.declare(DECLARATION)
    project.write("docs/policy.md", "policy\n")
    project.write("evals/old.jsonl", EVAL * 50)
    project.commit(datetime.date(2026, 1, 5), "old eval")
    _git(origin, "mv", "evals/old.jsonl", "evals/policy.jsonl")
    project.write("evals/policy.jsonl", EVAL * 49 + '{"input": "c", "output": "d"}\n')
    project.commit(datetime.date(2026, 2, 5), "renamed")
    _git(origin, "config", "uploadpack.allowFilter", "true")
    _git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{origin}", "clone")
    clone = tmp_path / "clone"
    if transport == "ssh":
        _git(clone, "config", "remote.origin.url", "ssh://example.invalid/x")
        _git(clone, "config", "core.sshCommand", f"touch '{marker}'")
    else:  # the upload-pack command of a local remote runs through the shell
        _git(clone, "config", "remote.origin.uploadpack", f"touch '{marker}'; git-upload-pack")
    _git(clone, "config", f"protocol.{transport}.allow", "always")
    done = _run(clone, "check", "--no-cache", "--as-of", AS_OF.isoformat(), "--",
                "ragft.yaml")
    assert not marker.exists(), done.stderr
    assert done.returncode in (0, 1), done.stderr
    assert "git failed" in done.stderr


def _fsmonitor_repository(tmp_path: Path, include: bool) -> Dict[str, Path]:
    """A project with weekly commits to its knowledge sources, whose local ``.git/config``
    (or a file it includes) sets a ``core.fsmonitor`` command."""
    marker = tmp_path / "PWNED"
    root = tmp_path / "repo"
    _weekly_history(root)
    setting = f"[core]\n\tfsmonitor = \"touch '{marker}'\"\n"
    with open(root / ".git" / "config", "a", encoding="utf-8") as config:
        if include:
            _write(root / ".git" / "more.cfg", setting)
            config.write("[include]\n\tpath = more.cfg\n")
        else:
            config.write(setting)
    return {"root": root, "marker": marker}


@pytest.mark.parametrize("include", [False, True], ids=["config", "include"])
@pytest.mark.parametrize("arguments", [
    ["check", "--no-cache"],
    ["decide", "--no-cache"],
    ["check", "--no-cache", "--fix"],
    ["waive", "DA005", "policy-bot", "--reason", "measured weekly"],
])
def test_a_local_fsmonitor_runs_nothing(tmp_path: Path, include: bool,
                                        arguments: List[str]) -> None:
    built = _fsmonitor_repository(tmp_path, include)
    done = _run(built["root"], *arguments)
    assert not built["marker"].exists(), done.stderr
    assert "Traceback" not in done.stderr


def test_history_is_read_through_the_fsmonitor_config_all_the_same(tmp_path: Path) -> None:
    # The configuration is switched off, not the history: DA005 still measures the pace.
    built = _fsmonitor_repository(tmp_path, include=True)
    report = check(built["root"] / "ragft.yaml", as_of=AS_OF, cache=False, select=["DA005"])
    assert not built["marker"].exists()
    assert [f.rule for f in report.findings] == ["DA005"]


def _weekly_history(root: Path) -> None:
    project = Project(root, git=True)
    project.declare(DECLARATION)
    project.write("evals/policy.jsonl", EVAL)
    for week in range(40):
        project.write("docs/policy.md", f"version {week}\n")
        project.commit(datetime.date(2026, 1, 5) + datetime.timedelta(weeks=week))


def _notes(report: object, code: str) -> List[str]:
    return [n.message for n in report.notes if n.code == code]


def test_a_git_file_pointing_outside_the_project_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other"
    _weekly_history(other)  # someone else's history: changed weekly
    project = tmp_path / "project"
    _service(project, ".")
    _write(project / ".git", f"gitdir: {other / '.git'}\n")
    report = check(project / "ragft.yaml", as_of=AS_OF, cache=False, select=["DA005"])
    assert rules_fired(report, "DA005") == []
    [note] = _notes(report, "git-refused")
    assert ".git" in note and "outside" in note


def test_a_git_file_of_a_linked_worktree_is_read(tmp_path: Path) -> None:
    # git's own worktrees keep their git folder in the main repository's: that is no attack.
    main = tmp_path / "main"
    _weekly_history(main)
    _git(main, "worktree", "add", "-q", str(tmp_path / "linked"))
    report = check(tmp_path / "linked" / "ragft.yaml", as_of=AS_OF, cache=False,
                   select=["DA005"])
    assert [f.rule for f in report.findings] == ["DA005"]
    assert _notes(report, "git-refused") == []


def test_a_declaration_linked_from_outside_the_root_is_refused(tmp_path: Path) -> None:
    outside = _write(tmp_path / "elsewhere" / "ragft.yaml", DECLARATION)
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    _write(root / "evals/policy.jsonl", EVAL)
    os.symlink(outside, root / "ragft.yaml")
    for arguments in (["check", "--no-cache"], ["check", "--no-cache", "ragft.yaml"]):
        done = _run(root, *arguments)
        assert done.returncode == 2, (arguments, done.stdout, done.stderr)
        assert "ragft.yaml" in done.stderr and "outside" in done.stderr
