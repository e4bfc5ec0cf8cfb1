"""pre-commit and the plain git hook, run for real in temporary git repositories.

The pre-commit tests point a consumer repository's ``.pre-commit-config.yaml`` at a committed
copy of this working tree, so they test the code as it is now, not as it was last committed.
pre-commit pip-installs that copy into its own environment once per module (it needs the
package index, as any pre-commit user does).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DECLARATION_NAMES = ["pyproject.toml", "ragft.yaml", "ragft.yml", ".ragft.yaml", ".ragft.yml"]

BAD = """\
evidence: false
systems:
  pricing-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
"""
BAD_FINDING = "ragft.yaml:7:16: KN001 [error]"

GOOD = """\
evidence: false
systems:
  faq-bot:
    architecture: prompt
"""

WIDE_FILES = r"(^|/)(pyproject\.toml|\.?ragft\.ya?ml)$|^evals/"


def _git_env(home: Path) -> Dict[str, str]:
    """An environment where git ignores the user's own configuration and dates are fixed."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("GIT_", "PRE_COMMIT")):
            del env[name]
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.org",
        "GIT_COMMITTER_NAME": "Test Author",
        "GIT_COMMITTER_EMAIL": "author@example.org",
        "GIT_AUTHOR_DATE": "2026-11-23T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-11-23T12:00:00+00:00",
        "PRE_COMMIT_HOME": str(home),
        "NO_COLOR": "1",
    })
    return env


def _git(folder: Path, env: Dict[str, str], *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def _new_repo(folder: Path, env: Dict[str, str], files: Dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _git(folder, env, "init", "-q", "-b", "main")
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def _working_tree_files() -> List[str]:
    """This project's files as git sees them now: tracked and still present, plus new ones."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return sorted({name for name in listed.split("\0") if name and (ROOT / name).is_file()})


def _copy_working_tree(target: Path) -> None:
    if (ROOT / ".git").exists():
        for name in _working_tree_files():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    else:  # an unpacked source archive: everything but caches and environments
        shutil.copytree(ROOT, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
            ".git", ".venv*", "venv", "__pycache__", "*.egg-info", "build", "dist",
            ".*_cache", ".hypothesis", ".tox", ".nox"))


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """A git repository holding this working tree, committed: what ``repo:`` points at."""
    base = tmp_path_factory.mktemp("pre-commit")
    env = _git_env(base / "home")
    source = _new_repo(base / "ragft-lint", env, {})
    _copy_working_tree(source)
    _git(source, env, "add", "-A")
    _git(source, env, "commit", "-q", "-m", "the working tree under test")
    return {"repo": str(source), "rev": _git(source, env, "rev-parse", "HEAD").strip(),
            "home": str(base / "home")}


def _consumer(folder: Path, source: Dict[str, str], files: Dict[str, str],
              hook_options: str = "") -> Dict[str, str]:
    env = _git_env(Path(source["home"]))
    config = textwrap.dedent(f"""\
        repos:
          - repo: {source["repo"]}
            rev: {source["rev"]}
            hooks:
              - id: ragft-lint
        """) + textwrap.indent(hook_options, " " * 8)
    _new_repo(folder, env, {".pre-commit-config.yaml": config, **files})
    _git(folder, env, "add", "-A")
    _git(folder, env, "commit", "-q", "-m", "a project with a declaration")
    return env


def _pre_commit(folder: Path, env: Dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--color=never", *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=900)


# These four share the environment pre-commit builds from the package index, which takes
# seconds and is paid by whichever of them runs first: all four are network and slow.
@pytest.mark.network
@pytest.mark.slow
def test_pre_commit_fails_on_a_bad_declaration_and_shows_where(
        tmp_path: Path, hook_source: Dict[str, str]) -> None:
    env = _consumer(tmp_path / "project", hook_source, {"ragft.yaml": BAD})
    done = _pre_commit(tmp_path / "project", env, "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^ragft-lint\.+Failed$", done.stdout, re.MULTILINE), done.stdout
    assert "- exit code: 1" in done.stdout
    assert BAD_FINDING in done.stdout


@pytest.mark.network
@pytest.mark.slow
def test_pre_commit_passes_on_a_good_declaration(
        tmp_path: Path, hook_source: Dict[str, str]) -> None:
    env = _consumer(tmp_path / "project", hook_source, {"ragft.yaml": GOOD})
    done = _pre_commit(tmp_path / "project", env, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^ragft-lint\.+Passed$", done.stdout, re.MULTILINE), done.stdout


@pytest.mark.network
@pytest.mark.slow
def test_pre_commit_passes_a_pyproject_without_the_table_quietly(
        tmp_path: Path, hook_source: Dict[str, str]) -> None:
    pyproject = '[project]\nname = "unrelated"\nversion = "1.0"\n'
    env = _consumer(tmp_path / "project", hook_source, {"pyproject.toml": pyproject})
    done = _pre_commit(tmp_path / "project", env, "--all-files", "--verbose")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^ragft-lint\.+Passed$", done.stdout, re.MULTILINE), done.stdout
    assert "ragft-lint:" not in done.stdout  # no message from the tool itself


@pytest.mark.network
@pytest.mark.slow
def test_widened_files_check_the_declaration_when_evidence_changes(
        tmp_path: Path, hook_source: Dict[str, str]) -> None:
    files = {"ragft.yaml": BAD, "evals/support.jsonl": '{"q": "a", "a": "b"}\n'}
    narrow = tmp_path / "narrow"
    env = _consumer(narrow, hook_source, files)
    done = _pre_commit(narrow, env, "--files", "evals/support.jsonl")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^ragft-lint\.+\(no files to check\)Skipped$", done.stdout,
                     re.MULTILINE), done.stdout

    wide = tmp_path / "wide"
    env = _consumer(wide, hook_source, files, f"files: {WIDE_FILES}\n")
    done = _pre_commit(wide, env, "--files", "evals/support.jsonl")
    assert done.returncode == 1, done.stdout + done.stderr
    assert BAD_FINDING in done.stdout


# A monorepo: a declaration per service, and a git-ignored virtual environment holding a decoy.

MONOREPO = {
    ".gitignore": ".venv/\n",
    "services/search/ragft.yaml": GOOD.replace("faq-bot", "search-bot"),
    "services/brand/ragft.yaml": BAD.replace("pricing-bot", "brand-bot"),
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    ".venv/lib/ragft.yaml": BAD.replace("pricing-bot", "decoy-bot"),
}
MONOREPO_FINDING = "services/brand/ragft.yaml:7:16: KN001 [error]"


def _monorepo_checks(folder: Path, env: Dict[str, str]) -> None:
    done = _pre_commit(folder, env, "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    assert MONOREPO_FINDING in done.stdout
    assert "decoy-bot" not in done.stdout
    done = _pre_commit(folder, env, "--files", "services/search/ragft.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.network
@pytest.mark.slow
def test_pre_commit_in_a_monorepo(tmp_path: Path, hook_source: Dict[str, str]) -> None:
    env = _consumer(tmp_path / "mono", hook_source, MONOREPO)
    _monorepo_checks(tmp_path / "mono", env)


def test_the_local_hook_of_the_readme_in_a_monorepo(tmp_path: Path) -> None:
    # The README's `repo: local` form, which works before anything is published: the
    # ragft-lint installed beside pre-commit, run by a real `pre-commit run`.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(repos:\n  - repo: local\n.*?)```", readme, re.DOTALL)
    assert block, "README.md shows no `repo: local` configuration"
    folder = tmp_path / "mono"
    env = _git_env(tmp_path / "home")
    env["PATH"] = _scripts_first()
    _new_repo(folder, env, {".pre-commit-config.yaml": block.group(1), **MONOREPO})
    _git(folder, env, "add", "-A")
    _git(folder, env, "commit", "-q", "-m", "a monorepo")
    _monorepo_checks(folder, env)


# The hook definition itself, and the README that documents it.

def _hooks() -> List[Dict[str, object]]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and hooks
    return hooks


def _project_scripts() -> Dict[str, str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    scripts: Dict[str, str] = data["project"]["scripts"]
    return scripts


def test_the_hook_runs_the_console_script_named_like_it() -> None:
    (hook,) = _hooks()
    assert hook["id"] == hook["name"] == "ragft-lint"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    # pre-commit puts the user's args, then the names, after the entry: the entry point puts
    # `--` between them (ragft_lint.pre_commit), so no file name is taken for an option.
    (script,) = str(hook["entry"]).split()
    assert script == hook["id"] + "-pre-commit"
    assert script in _project_scripts()


@pytest.mark.parametrize("folder", ["", "services/support/"])
@pytest.mark.parametrize("name", DECLARATION_NAMES)
def test_the_hook_matches_every_declaration_name(folder: str, name: str) -> None:
    (hook,) = _hooks()
    assert re.search(str(hook["files"]), folder + name)


@pytest.mark.parametrize("path", ["ragft.yaml.orig", "myragft.yaml", "pyproject.toml~",
                                  "evals/support.jsonl", "config.yaml", "ragft.json"])
def test_the_hook_ignores_other_files(path: str) -> None:
    (hook,) = _hooks()
    assert not re.search(str(hook["files"]), path)


def test_the_git_hook_and_the_pre_commit_hook_match_the_same_files() -> None:
    script = (ROOT / "hooks" / "pre-commit").read_text(encoding="utf-8")
    (default,) = re.findall(r"pattern='([^']*)'", script)
    (hook,) = _hooks()
    assert default == hook["files"]


def test_the_readme_documents_every_hook_id() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for hook in _hooks():
        assert re.search(rf"^\s*- id: {re.escape(str(hook['id']))}\s*$", readme, re.MULTILINE), (
            f"README.md does not show the hook id {hook['id']!r} in a .pre-commit-config.yaml")


def test_the_readme_shows_how_to_widen_files_to_evidence() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if re.match(r"\s*files:", line)]
    assert lines, "README.md does not show how to widen the hook's files"
    for line in lines:
        pattern = yaml.safe_load(line.strip())["files"]
        assert all(re.search(pattern, name) for name in DECLARATION_NAMES), line
        assert re.search(pattern, "evals/support.jsonl"), line
    assert "git config ragft-lint.files" in readme


# The plain git hook, installed into a real repository and run by `git commit`.

@pytest.fixture
def hooked_repo(tmp_path: Path) -> Path:
    env = _git_env(tmp_path / "home")
    repo = _new_repo(tmp_path / "project", env, {"README.md": "a project\n"})
    installed = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy2(ROOT / "hooks" / "pre-commit", installed)
    installed.chmod(0o755)
    return repo


def _commit(repo: Path, files: Dict[str, str],
            path: Optional[str] = None) -> subprocess.CompletedProcess[str]:
    env = _git_env(repo.parent / "home")
    # The console script of the environment running these tests, as an activated venv has it.
    env["PATH"] = path if path is not None else _scripts_first()
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    _git(repo, env, "add", "-A")
    return subprocess.run(["git", "commit", "-q", "-m", "change"], cwd=repo, env=env,
                          capture_output=True, text=True)


def _scripts_first() -> str:
    return str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def _commits(repo: Path) -> int:
    env = _git_env(repo.parent / "home")
    return int(_git(repo, env, "rev-list", "--count", "--all") or 0)


def test_the_git_hook_lets_a_good_declaration_through(hooked_repo: Path) -> None:
    done = _commit(hooked_repo, {"ragft.yaml": GOOD})
    assert done.returncode == 0, done.stderr
    assert _commits(hooked_repo) == 1


def test_the_git_hook_stops_a_bad_declaration_and_shows_where(hooked_repo: Path) -> None:
    done = _commit(hooked_repo, {"team a/ragft.yaml": BAD})
    assert done.returncode == 1
    assert f"team a/{BAD_FINDING}" in done.stderr  # git shows hooks' output on stderr
    assert _commits(hooked_repo) == 0


@pytest.mark.parametrize("folder", ['team "a"', "team\\a", "team\ta", "équipe a"])
def test_the_git_hook_takes_names_git_would_quote(hooked_repo: Path, folder: str) -> None:
    """git quotes a name holding a quote, a backslash or a tab in its line output, whatever
    core.quotePath says; the hook reads the names unquoted (-z), so the right file is checked."""
    done = _commit(hooked_repo, {f"{folder}/ragft.yaml": GOOD})
    assert done.returncode == 0, done.stderr
    done = _commit(hooked_repo, {f"{folder}/ragft.yaml": BAD})
    assert done.returncode == 1
    assert f"{folder}/{BAD_FINDING}" in done.stderr
    assert _commits(hooked_repo) == 1


def test_the_git_hook_stops_an_invalid_declaration(hooked_repo: Path) -> None:
    done = _commit(hooked_repo, {"ragft.yaml": "systems:\n  bot:\n    architecture: fin\n"})
    assert done.returncode == 1
    assert "ragft.yaml:3:19: systems.bot.architecture: expected one of" in done.stderr
    assert "Traceback" not in done.stderr
    assert _commits(hooked_repo) == 0


def test_the_git_hook_ignores_commits_without_a_declaration(hooked_repo: Path) -> None:
    done = _commit(hooked_repo, {"notes.txt": "no declaration here\n"})
    assert done.returncode == 0, done.stderr
    done = _commit(hooked_repo, {"pyproject.toml": '[project]\nname = "x"\n'})
    assert done.returncode == 0, done.stderr
    assert _commits(hooked_repo) == 2


def test_the_git_hook_widens_to_evidence_through_git_config(hooked_repo: Path) -> None:
    env = _git_env(hooked_repo.parent / "home")
    env["PATH"] = _scripts_first()
    (hooked_repo / "ragft.yaml").write_text(BAD, encoding="utf-8")
    _git(hooked_repo, env, "add", "-A")
    _git(hooked_repo, env, "commit", "-q", "--no-verify", "-m", "a draft")

    assert _commit(hooked_repo, {"evals/support.jsonl": "{}\n"}).returncode == 0
    _git(hooked_repo, env, "config", "ragft-lint.files", WIDE_FILES)
    done = _commit(hooked_repo, {"evals/support.jsonl": '{"q": 1}\n'})
    assert done.returncode == 1
    assert BAD_FINDING in done.stderr
    assert _commits(hooked_repo) == 2


def test_the_git_hook_says_how_to_install_the_tool(hooked_repo: Path) -> None:
    # Only what the hook itself needs on the PATH, from wherever they live.
    tools = [shutil.which(tool) for tool in ("git", "sh", "grep", "mktemp", "tr", "rm")]
    assert all(tools)
    folders = sorted({str(Path(str(tool)).parent) for tool in tools})
    bare = os.pathsep.join(folders)
    if shutil.which("ragft-lint", path=bare):
        pytest.skip("ragft-lint is installed next to git")
    python3 = shutil.which("python3", path=bare)
    if python3 and subprocess.run([python3, "-c", "import ragft_lint"],
                                  capture_output=True).returncode == 0:
        pytest.skip("the python3 next to git has ragft_lint installed")
    done = _commit(hooked_repo, {"ragft.yaml": GOOD}, path=bare)
    assert done.returncode == 1
    assert "ragft-lint: not found; install it" in done.stderr
    # Not on PyPI yet: the message says where the package comes from, not a name pip lacks.
    assert "pip install ragft-lint" not in done.stderr
    assert "clone" in done.stderr and "wheel" in done.stderr
    assert _commits(hooked_repo) == 0
