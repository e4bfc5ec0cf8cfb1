"""Evidence through the command line: the cache, --no-evidence, notes, progress, decide."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import List

import pytest

from evidence_project import AS_OF, Project, chat, jsonl, rules_fired
from ragft_lint.evidence import cache as cache_module
from ragft_lint.evidence.progress import Progress

CACHE = cache_module.FOLDER
DECLARATION = """\
    systems:
      bot:
        architecture: fine-tune
        knowledge: {changes: yearly, sources: ["docs/**"]}
        fine_tune:
          training_data: data/train.jsonl
          training_examples: 4000
          trained_at: 2026-05-02
        eval:
          path: evals/eval.jsonl
          examples: 200
          labeled: true
    """


def big_project(tmp_path: Path) -> Project:
    """Training data over the cache's size floor, written long enough ago to be settled."""
    project = Project(tmp_path / "project")
    project.write("docs/a.md", "a\n")
    project.write("data/train.jsonl", jsonl(chat(f"tq {n:06d} " + "x" * 200, f"answer {n}")
                                            for n in range(4000)))
    project.write("evals/eval.jsonl", jsonl({"input": f"eq {n:06d} " + "x" * 200,
                                             "expected_output": "y"} for n in range(200)))
    project.declare(DECLARATION)
    past = time.time() - 3600
    for path in (project.root / "data" / "train.jsonl", project.root / "evals" / "eval.jsonl"):
        os.utime(path, (past, past))
    return project


def cli(*arguments: str, cwd: Path, env: dict | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ragft_lint", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env, check=False)


# -- the cache --------------------------------------------------------------------------------


def test_the_cache_answers_until_the_file_changes(tmp_path: Path) -> None:
    project = big_project(tmp_path)
    train = project.root / "data" / "train.jsonl"
    assert train.stat().st_size > cache_module.MIN_BYTES
    assert not rules_fired(project.check(cache=True), "DA003")
    folder = project.root / CACHE
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    entries = list(folder.glob("*/*.json"))
    assert entries

    # Same size, same modification time, same inode, other content: the cache cannot tell,
    # which shows that it answered without reading the file.
    before = train.stat()
    with train.open("r+b") as handle:
        data = handle.read()
        handle.seek(data.index(b"tq 000007"))
        handle.write(b"eq 000007")
    os.utime(train, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert not rules_fired(project.check(cache=True), "DA003")
    # --no-cache measures again and sees the shared input ...
    assert rules_fired(project.check(cache=False), "DA003")
    # ... and so does the cache, once the file looks changed.
    os.utime(train, (time.time() - 60, time.time() - 60))
    assert rules_fired(project.check(cache=True), "DA003")
    assert rules_fired(project.check(cache=True), "DA003")


def test_no_cache_and_small_files_leave_no_cache_folder(tmp_path: Path) -> None:
    project = big_project(tmp_path)
    project.check(cache=False)
    assert not (project.root / CACHE).exists()
    small = Project(tmp_path / "small")
    small.write("data/train.jsonl", jsonl(chat(f"q{n}") for n in range(600)))
    small.declare("""\
        systems:
          bot:
            architecture: fine-tune
            fine_tune: {training_data: data/train.jsonl}
        """)
    small.check(cache=True)
    assert not (small.root / CACHE).exists()


def test_the_cache_folder_can_be_moved_and_a_broken_entry_is_measured_again(
        tmp_path: Path, monkeypatch) -> None:
    project = big_project(tmp_path)
    elsewhere = tmp_path / "caches"
    monkeypatch.setenv(cache_module.ENVIRONMENT, str(elsewhere))
    project.check(cache=True)
    assert not (project.root / CACHE).exists()
    entries = list(elsewhere.glob("*/*.json"))
    assert entries
    for entry in entries:
        entry.write_text("{broken")
    report = project.check(cache=True)
    assert rules_fired(report, "DA002") == []  # measured again: 4000 records as declared
    assert all(json.loads(entry.read_text())["slot"] for entry in entries)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this platform")
def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path: Path) -> None:
    project = big_project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, project.root / CACHE)
    project.check(cache=True)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_does_not_see_the_cache(tmp_path: Path) -> None:
    project = big_project(tmp_path)
    shutil.rmtree(project.root / ".git")
    project.git("init", "-q")
    project.check(cache=True)
    assert (project.root / CACHE).is_dir()
    status = project.git("status", "--porcelain", "--untracked-files=all")
    assert "ragft.yaml" in status
    assert CACHE not in status


# -- --no-evidence ----------------------------------------------------------------------------


def fake_git(tmp_path: Path) -> Path:
    """A ``git`` first on PATH that leaves a mark when it runs, then hands over to git."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "git"
    real = shutil.which("git") or "false"
    script.write_text(f"#!/bin/sh\necho ran >> {tmp_path / 'git-ran'}\nexec {real} \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.mark.skipif(not hasattr(os, "mkfifo") or os.name != "posix", reason="POSIX only")
def test_no_evidence_opens_no_file_and_runs_no_git(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    project.write("docs/a.md", "a\n")
    project.declare(DECLARATION)
    (project.root / "data").mkdir()
    (project.root / "evals").mkdir()
    # FIFOs: a reader that opened one would wait for a writer until the timeout.
    os.mkfifo(project.root / "data" / "train.jsonl")
    os.mkfifo(project.root / "evals" / "eval.jsonl")
    env = {**os.environ, "PATH": f"{fake_git(tmp_path)}{os.pathsep}{os.environ['PATH']}"}
    quiet = cli("check", "--no-evidence", "--as-of", AS_OF.isoformat(), "--format", "json",
                str(project.root), cwd=tmp_path, env=env, timeout=30)
    assert quiet.returncode in (0, 1), quiet.stderr
    assert quiet.stderr == ""
    assert not [f for f in json.loads(quiet.stdout)["findings"] if f["rule"].startswith("DA")]
    assert not (tmp_path / "git-ran").exists()
    assert not (project.root / CACHE).exists()
    # With evidence, the same project is measured: git runs, the FIFOs are refused unopened.
    loud = cli("check", "--as-of", AS_OF.isoformat(), "--format", "json", str(project.root),
               cwd=tmp_path, env=env, timeout=30)
    findings = json.loads(loud.stdout)["findings"]
    assert sum(f["rule"] == "DA001" and "FIFO" in f["message"] for f in findings) == 2
    assert (tmp_path / "git-ran").exists()


def test_notes_go_to_stderr_once_and_never_into_the_output(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")  # its .git folder is no repository
    project.write("docs/a.md", "a\n")
    project.declare("""\
        systems:
          one:
            architecture: rag
            knowledge: {changes: yearly, sources: ["docs/**"]}
          two:
            architecture: rag
            knowledge: {changes: yearly, sources: ["docs/*.md"]}
        """)
    result = cli("check", "--format", "json", str(project.root), cwd=tmp_path)
    json.loads(result.stdout)
    assert result.stderr == ("ragft-lint: not a git repository: the history of "
                             "knowledge.sources and the eval file's first commit were not "
                             "measured\n")
    assert cli("check", "-q", str(project.root), cwd=tmp_path).stderr == ""


def test_a_plain_check_without_evidence_keys_imports_no_evidence_code(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text("systems:\n  bot:\n    architecture: prompt\n")
    probe = textwrap.dedent("""\
        import sys
        from ragft_lint.cli import main
        main(["check", "-q", sys.argv[1]])
        print(" ".join(sorted(sys.modules)))
        """)
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "ragft.yaml")],
                            capture_output=True, text=True, check=True)
    modules = set(result.stdout.split())
    assert "ragft_lint.evidence" in modules  # the package itself: one small function
    assert not {"ragft_lint.evidence.collect", "ragft_lint.evidence.readers", "json", "csv",
                "subprocess"} & modules


# -- decide -----------------------------------------------------------------------------------


def test_decide_uses_the_measured_counts(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    project.write("data/train.jsonl", jsonl(chat(f"q{n}", f"a{n}") for n in range(600)))
    project.declare("""\
        systems:
          bot:
            architecture: fine-tune
            gaps: [behavior]
            fine_tune: {goals: [style], training_data: data/train.jsonl, training_examples: 80}
        """)
    result = cli("decide", "--format", "json", str(project.root), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    steps = json.loads(result.stdout)["systems"]["bot"]["frameworks"]["checklist"]["steps"]
    [step] = [s for s in steps if "labelled examples" in s["question"]]
    assert step["answer"].startswith("yes: 600 training examples")
    assert step["line"] == 5  # located at fine_tune.training_data, the measured file


# -- progress ---------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals here")
def test_progress_on_a_terminal_after_a_second_only() -> None:
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as terminal:
        progress = Progress(terminal)
        assert progress.enabled
        progress.update("data/train.jsonl", 10, 100)  # too early: nothing
        progress.started -= 2  # as if measuring had begun two seconds ago
        progress.update("data/train.jsonl", 50, 100)
        progress.finish()
    shown: List[bytes] = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown.append(chunk)
    os.close(master)
    text = b"".join(shown).decode()
    assert text.startswith("\rragft-lint: measuring data/train.jsonl: 50%")
    assert "10%" not in text
    assert text.endswith("\r")


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    import io

    stream = io.StringIO()
    progress = Progress(stream)
    progress.started -= 2
    progress.update("x", 1, 2)
    progress.finish()
    assert stream.getvalue() == "" and not progress.enabled
    result = cli("check", "--no-cache", str(big_project(tmp_path).root), cwd=tmp_path)
    assert "measuring" not in result.stderr
