"""File names that are never options, and a baseline that replaces nothing it must not.

Each case is built for real: a git repository holding a folder named like an option, the plain
git hook installed and a real ``git commit``; the pre-commit framework's entry point given the
line pre-commit gives it; ``--write-baseline`` aimed at a declaration, an evidence file and,
through a committed symbolic link, a file outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from ragft_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent

OTHER = """\
evidence: false
systems:
  search-bot:
    architecture: prompt
"""

ATTACK = """\
evidence: false
systems:
  sneaky-bot:
    architecture: prompt
"""

BAD = """\
evidence: false
systems:
  pricing-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
"""


def _env(home: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org",
        "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    })
    return env


def _git(repo: Path, env: Dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)


def _repo(folder: Path, env: Dict[str, str], files: Dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    assert _git(folder, env, "init", "-q", "-b", "main").returncode == 0
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    assert _git(folder, env, "add", "-A").returncode == 0
    assert _git(folder, env, "commit", "-q", "-m", "start").returncode == 0
    return folder


def _hooked(tmp_path: Path) -> Path:
    env = _env(tmp_path / "home")
    repo = _repo(tmp_path / "project", env, {"services/ragft.yaml": OTHER})
    installed = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy2(ROOT / "hooks" / "pre-commit", installed)
    installed.chmod(0o755)
    return repo


def test_the_git_hook_takes_a_folder_named_like_an_option_for_a_folder(tmp_path: Path) -> None:
    repo = _hooked(tmp_path)
    env = _env(tmp_path / "home")
    other = (repo / "services" / "ragft.yaml").read_bytes()
    attack = repo / "--write-baseline=services" / "ragft.yaml"
    attack.parent.mkdir()
    attack.write_text(ATTACK, encoding="utf-8")
    assert _git(repo, env, "add", "-A").returncode == 0
    done = _git(repo, env, "commit", "-q", "-m", "a new service")
    assert done.returncode == 0, done.stderr
    assert (repo / "services" / "ragft.yaml").read_bytes() == other


def test_the_git_hook_checks_a_bad_declaration_in_a_folder_named_like_an_option(
        tmp_path: Path) -> None:
    repo = _hooked(tmp_path)
    env = _env(tmp_path / "home")
    attack = repo / "--write-baseline=services" / "ragft.yaml"
    attack.parent.mkdir()
    attack.write_text(BAD, encoding="utf-8")
    assert _git(repo, env, "add", "-A").returncode == 0
    done = _git(repo, env, "commit", "-q", "-m", "a bad service")
    assert done.returncode == 1, done.stderr
    assert "KN001" in done.stdout + done.stderr


def test_the_git_hook_never_writes_through_a_committed_link_outside(tmp_path: Path) -> None:
    repo = _hooked(tmp_path)
    env = _env(tmp_path / "home")
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "ragft.yaml"
    victim.write_text("mine\n", encoding="utf-8")
    os.symlink(str(outside), str(repo / "out"))
    attack = repo / "--write-baseline=out" / "ragft.yaml"
    attack.parent.mkdir()
    attack.write_text(ATTACK, encoding="utf-8")
    assert _git(repo, env, "add", "-A").returncode == 0
    _git(repo, env, "commit", "-q", "-m", "a link and a service")
    assert victim.read_text(encoding="utf-8") == "mine\n"


# The pre-commit framework's line: entry, the user's args, then the staged names.

def test_the_pre_commit_entry_splits_the_users_options_from_the_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ragft_lint import pre_commit
    from ragft_lint.cli import check_option_takes_value

    monkeypatch.chdir(tmp_path)
    (tmp_path / "--write-baseline=services").mkdir()
    (tmp_path / "--write-baseline=services" / "ragft.yaml").write_text(ATTACK)
    (tmp_path / "base.json").write_text("{}")
    words = ["--format", "github", "--baseline", "base.json", "-q",
             "--write-baseline=services/ragft.yaml", "other/ragft.yaml"]
    options, names = pre_commit.split(words, check_option_takes_value)
    assert options == ["--format", "github", "--baseline", "base.json", "-q"]
    assert names == ["--write-baseline=services/ragft.yaml", "other/ragft.yaml"]
    # Shortened as argparse allows, and with `=`: still the user's options.
    assert pre_commit.split(["--form", "json", "--fail-on=info", "x"],
                            check_option_takes_value) == (
        ["--form", "json", "--fail-on=info"], ["x"])


def test_the_pre_commit_entry_never_writes_a_baseline_a_name_asks_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from ragft_lint import pre_commit

    monkeypatch.chdir(tmp_path)
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "ragft.yaml").write_text(OTHER)
    (tmp_path / "--write-baseline=services").mkdir()
    (tmp_path / "--write-baseline=services" / "ragft.yaml").write_text(BAD)
    status = pre_commit.main(["--fail-on", "warning", "--write-baseline=services/ragft.yaml"])
    assert status == 1  # the bad declaration was checked, with the user's option
    assert (tmp_path / "services" / "ragft.yaml").read_text() == OTHER
    assert "KN001" in capsys.readouterr().out


def test_the_hook_definition_runs_the_pre_commit_entry() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["entry"] for h in hooks] == ["ragft-lint-pre-commit"]


# --write-baseline refuses what is not a baseline's to replace.

def _project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir(parents=True)  # the project root
    (tmp_path / "services" / "a").mkdir(parents=True)
    (tmp_path / "services" / "a" / "ragft.yaml").write_text(
        BAD + "    eval:\n      path: ../../evals/cases.jsonl\n")
    (tmp_path / "services" / "b").mkdir()
    (tmp_path / "services" / "b" / "ragft.yaml").write_text(OTHER)
    (tmp_path / "evals").mkdir()
    (tmp_path / "evals" / "cases.jsonl").write_text('{"q": "a"}\n')
    return tmp_path


@pytest.mark.parametrize("target", ["services/b/ragft.yaml", "evals/cases.jsonl",
                                    "services/a/pyproject.toml"])
def test_write_baseline_refuses_a_declaration_or_an_evidence_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        target: str) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    before = (project / target).read_bytes() if (project / target).exists() else None
    status = main(["check", "services/a", "--write-baseline", target])
    assert status == 2
    after = (project / target).read_bytes() if (project / target).exists() else None
    assert after == before
    assert target in capsys.readouterr().err


def test_write_baseline_refuses_a_file_outside_the_root_through_a_link(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path / "project")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(str(outside), str(project / "out"))
    monkeypatch.chdir(project)
    assert main(["check", "services/a", "--write-baseline", "out/new.json"]) == 2
    assert not (outside / "new.json").exists()
    assert main(["check", "services/a", "--write-baseline",
                 str(tmp_path / "elsewhere.json")]) == 2
    assert not (tmp_path / "elsewhere.json").exists()
    # Inside the root, a new file and a baseline already there are written as before.
    assert main(["check", "services/a", "--write-baseline", "baseline.json"]) == 0
    assert main(["check", "services/a", "--write-baseline", "baseline.json"]) == 0
    assert main(["check", "services/a", "--baseline", "baseline.json"]) == 0


# The pre-commit framework itself (it pip-installs the hook repository: network).

@pytest.mark.network
@pytest.mark.slow
def test_pre_commit_framework_with_user_args_keeps_names_as_files(tmp_path: Path) -> None:
    env = _env(tmp_path / "home")
    source = _repo(tmp_path / "ragft-lint", env, {".placeholder": "the tree follows\n"})
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    names: List[str] = [n for n in listed.split("\0") if n and (ROOT / n).is_file()]
    for name in names:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    _git(source, env, "add", "-A")
    _git(source, env, "commit", "-q", "-m", "the working tree under test")
    rev = _git(source, env, "rev-parse", "HEAD").stdout.strip()
    config = textwrap.dedent(f"""\
        repos:
          - repo: {source}
            rev: {rev}
            hooks:
              - id: ragft-lint
                args: [--fail-on, warning]
        """)
    project = _repo(tmp_path / "project", env, {".pre-commit-config.yaml": config,
                                                "services/ragft.yaml": OTHER,
                                                "--write-baseline=services/ragft.yaml": BAD})
    done = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--color=never",
                           "--all-files"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "KN001" in done.stdout
    assert (project / "services" / "ragft.yaml").read_text() == OTHER
