"""Near misses are never silent: a ``[tool.ragft_lint]`` or ``[tool.ragft]`` table is an error at
its line, and a file named like a declaration or a declaration in a hidden folder that a search
skipped is named, with "did you mean"."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ragft_lint.cli import main

DECLARATION = "systems:\n  chat:\n    architecture: rag\n"
NO_GIT = "git is not installed"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _git(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


@pytest.mark.parametrize("table", ["ragft_lint", "ragft"])
def test_a_near_miss_table_named_is_an_error_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        table: str) -> None:
    _write(tmp_path / "pyproject.toml",
           f'[project]\nname = "x"\n\n[tool.{table}]\nfail_on = "error"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "pyproject.toml"]) == 2
    assert capsys.readouterr().err == (
        f"pyproject.toml:4:7: [tool.{table}] is not read; did you mean [tool.ragft-lint]?\n")


@pytest.mark.parametrize("git", [False, True])
def test_a_near_miss_table_in_a_monorepo_is_not_skipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        git: bool) -> None:
    if git:
        if shutil.which("git") is None:
            pytest.skip(NO_GIT)
        _git(tmp_path)
    _write(tmp_path / "search" / "ragft.yaml", DECLARATION)
    _write(tmp_path / "chat" / "pyproject.toml",
           '[project]\nname = "chat"\n[tool.ragft_lint]\nfail_on = "error"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "chat/pyproject.toml:3:7: [tool.ragft_lint] is not read; did you mean " \
           "[tool.ragft-lint]?" in err


def test_beside_the_right_table_it_says_to_merge(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "pyproject.toml",
           '[tool.ragft-lint]\nfail_on = "error"\n[tool.ragft-lint.systems.chat]\n'
           'architecture = "rag"\n[tool.ragft_lint]\nselect = ["DA"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "pyproject.toml"]) == 2
    assert "pyproject.toml:5:7: [tool.ragft_lint] is not read; did you mean " \
           "[tool.ragft-lint]?; move its keys into the [tool.ragft-lint] table" \
           in capsys.readouterr().err


@pytest.mark.parametrize("git", [False, True])
@pytest.mark.parametrize("name, meant", [("ragft-lint.yaml", "ragft.yaml"),
                                         ("ragft.yaml.yml", "ragft.yaml")])
def test_a_near_miss_name_is_part_of_no_declaration_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        git: bool, name: str, meant: str) -> None:
    if git:
        if shutil.which("git") is None:
            pytest.skip(NO_GIT)
        _git(tmp_path)
    _write(tmp_path / "service" / name, DECLARATION)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ragft-lint: no declaration found:")
    assert f"service/{name} is not read: did you mean {meant}? rename it to {meant}" in err


def test_a_near_miss_name_above_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()  # the project root: the search upwards stops here
    _write(tmp_path / "ragft-lint.yaml", DECLARATION)
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    assert main(["check"]) == 2
    assert "../ragft-lint.yaml is not read: did you mean ragft.yaml?" in capsys.readouterr().err


@pytest.mark.parametrize("git", [False, True])
def test_a_hidden_declaration_is_a_note_beside_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        git: bool) -> None:
    if git:
        if shutil.which("git") is None:
            pytest.skip(NO_GIT)
        _git(tmp_path)
    _write(tmp_path / "search" / "ragft.yaml", DECLARATION)
    _write(tmp_path / "chat" / ".config" / "ragft.yaml", DECLARATION)
    _write(tmp_path / ".venv" / "ragft.yaml", DECLARATION)  # not the project's: not named
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) in (0, 1)
    err = capsys.readouterr().err
    assert "ragft-lint: chat/.config/ragft.yaml is in a hidden folder, which the search " \
           "skips: did you mean `ragft-lint check chat/.config/ragft.yaml`?" in err
    assert ".venv" not in err


def test_a_hidden_declaration_is_part_of_no_declaration_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / ".ragft" / "ragft.yaml", DECLARATION)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ragft-lint: no declaration found:")
    assert ".ragft/ragft.yaml is in a hidden folder" in err
    assert err.rstrip().endswith("or run `ragft-lint init` to write one")
