"""Every writer (``--write-baseline``, ``init``, the evidence cache) against every way a write
can fail: the file it replaces is left as it was.

Each case runs the real command line in a child process with one fault:

* ``cut-short``: a file-size limit makes the write fail half-way, as a full disk does;
* ``killed``: the process is killed (SIGKILL) after writing, just before the rename;
* ``interrupted``: Ctrl-C arrives while the data is being flushed to disk;
* ``unwritable``: the target cannot be created at all (its folder is a regular file, or it is
  a folder);

and once without a fault, to show that the run does write.

The faults are injected at the system-call boundary inside the child (``os.replace``,
``os.fsync``), the only way to land a real kill or interrupt at that exact moment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple

import pytest

from test_evidence_cli import big_project
from test_init import SUPPORT_BOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and limits")

FAULTS = textwrap.dedent("""\
    import os, resource, signal, sys
    fault, arguments = sys.argv[1], sys.argv[2:]
    if fault == "cut-short":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
    elif fault == "killed":
        def replace(source, target):
            os.kill(os.getpid(), signal.SIGKILL)
        os.replace = replace
    elif fault == "interrupted":
        def fsync(fd):
            raise KeyboardInterrupt
        os.fsync = fsync
    from ragft_lint.cli import main
    sys.exit(main(arguments))
""")

OLD_BASELINE = b'{"ragft_lint_baseline": 1, "findings": []}\n'
OLD_DECLARATION = b"systems:\n  old-bot:\n    architecture: prompt\n"


class Writer(NamedTuple):
    prepare: Callable[[Path], Path]  # lays out the project; returns the folder to run in
    arguments: List[str]  # what to run there
    stdin: str
    watched: str  # the folder (relative to the run folder) whose files must survive
    refusal: str  # what the run says when the target cannot be written ("" when it goes on)


def baseline_project(tmp: Path) -> Path:
    root = tmp / "project"
    (root / ".git").mkdir(parents=True)
    (root / "ragft.yaml").write_text(
        "systems:\n  bot:\n    architecture: fine-tune\n    knowledge: {changes: weekly}\n")
    (root / "ci").mkdir()
    (root / "ci" / "baseline.json").write_bytes(OLD_BASELINE)
    return root


def init_project(tmp: Path) -> Path:
    root = tmp / "project"
    (root / ".git").mkdir(parents=True)
    (root / "ragft.yaml").write_bytes(OLD_DECLARATION)
    return root


def cache_project(tmp: Path) -> Path:
    project = big_project(tmp)
    first = subprocess.run([sys.executable, "-m", "ragft_lint", "check", "-q"],
                           cwd=project.root, capture_output=True, text=True, timeout=120)
    assert first.returncode in (0, 1), first.stderr
    entries = list((project.root / ".ragft_lint_cache").rglob("*.json"))
    assert entries, "the first run stores its measurements"
    # Change the training data so that the next run measures it again and stores anew.
    with open(project.root / "data" / "train.jsonl", "a", encoding="utf-8") as data:
        data.write('{"input": "one more", "output": "example"}\n')
    past = os.stat(project.root / "data" / "train.jsonl").st_mtime - 3600
    os.utime(project.root / "data" / "train.jsonl", (past, past))
    return project.root


WRITERS: Dict[str, Writer] = {
    "baseline": Writer(baseline_project,
                       ["check", "--no-evidence", "--write-baseline", "ci/baseline.json"],
                       "", "ci", "ci/baseline.json: cannot write the baseline"),
    "init": Writer(init_project, ["init", "--force"], "\n".join(SUPPORT_BOT) + "\n", ".",
                   "ragft.yaml: cannot write"),
    "cache": Writer(cache_project, ["check", "-q"], "", ".ragft_lint_cache", ""),
}


def snapshot(folder: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".git" not in p.parts}


def run(root: Path, fault: str, arguments: List[str], stdin: str,
        env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", FAULTS, fault, *arguments], cwd=root,
                          input=stdin, capture_output=True, text=True, timeout=120, env=env)


def make_unwritable(writer_id: str, root: Path, env: Dict[str, str]) -> None:
    """The target cannot be created: its folder is a regular file, or it is a folder."""
    if writer_id == "cache":  # the cache goes where RAGFT_LINT_CACHE_DIR says
        (root / "blocked").write_text("not a folder\n")
        env["RAGFT_LINT_CACHE_DIR"] = str(root / "blocked" / "cache")
    elif writer_id == "baseline":
        (root / "ci" / "baseline.json").unlink()
        (root / "ci").rmdir()
        (root / "ci").write_text("not a folder\n")
    else:  # init
        (root / "ragft.yaml").unlink()
        (root / "ragft.yaml").mkdir()
        (root / "ragft.yaml" / "keep").write_text("kept\n")


@pytest.mark.parametrize("fault", ["none", "cut-short", "killed", "interrupted", "unwritable"])
@pytest.mark.parametrize("writer_id", sorted(WRITERS))
def test_a_failed_write_leaves_the_previous_file(writer_id: str, fault: str,
                                                 tmp_path: Path) -> None:
    writer = WRITERS[writer_id]
    root = writer.prepare(tmp_path)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    watched = root / writer.watched
    if fault == "unwritable":
        make_unwritable(writer_id, root, env)
        watched = root
    before = snapshot(watched)
    done = run(root, "none" if fault == "unwritable" else fault, writer.arguments,
               writer.stdin, env)
    after = snapshot(watched)

    assert "Traceback" not in done.stderr
    if fault == "none":  # the control: without a fault, the run does write
        assert done.returncode in ((0,) if writer_id == "init" else (0, 1)), done.stderr
        assert after != before
        return
    if fault == "killed":
        assert done.returncode == -signal.SIGKILL
        # The old files are intact; at most the finished temporary file was left behind.
        leftovers = {name for name in after if name not in before}
        assert all(name.rsplit("/", 1)[-1].startswith(".") and name.endswith(".tmp")
                   for name in leftovers), leftovers
        assert {name: after[name] for name in before} == before
        return
    assert after == before, "the previous files are as they were, and nothing was added"
    if fault == "interrupted":
        assert done.returncode == 130, done.stderr
        assert done.stderr.strip().endswith("ragft-lint: interrupted")
    elif writer.refusal:
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"ragft-lint: {writer.refusal}: "), done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
    else:  # the cache is an optimisation: the check itself goes on
        assert done.returncode in (0, 1), done.stderr


def test_a_killed_writer_is_followed_by_a_clean_run(tmp_path: Path) -> None:
    """What a killed run leaves behind does not stand in the way of the next one."""
    root = baseline_project(tmp_path)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    arguments = ["check", "--no-evidence", "--write-baseline", "ci/baseline.json"]
    assert run(root, "killed", arguments, "", env).returncode == -signal.SIGKILL
    done = run(root, "none", arguments, "", env)
    assert done.returncode == 0, done.stderr
    assert (root / "ci" / "baseline.json").read_bytes() != OLD_BASELINE


def test_two_runs_at_once_leave_whole_cache_entries(tmp_path: Path) -> None:
    """Writers never share a temporary file, so the last rename wins with a whole entry."""
    root = cache_project(tmp_path)
    runs = [subprocess.Popen([sys.executable, "-m", "ragft_lint", "check", "-q"], cwd=root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    for process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode in (0, 1), err
    entries = sorted((root / ".ragft_lint_cache").rglob("*"))
    assert not [p for p in entries if p.name.endswith(".tmp")]
    for entry in entries:
        if entry.suffix == ".json":
            assert isinstance(json.loads(entry.read_text(encoding="utf-8")), dict)
