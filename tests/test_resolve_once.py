"""A declaration is read once per resolution, however many paths lead to it.

Pre-commit passes every changed file, and each evidence file selects the declaration above it.
The answer must still be what resolving each path on its own gives (the reference below): the
same documents in the same order, each once by real path, the same notes and the same errors,
each naming the path it came from.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import pytest

from ragft_lint.declaration import discovery
from ragft_lint.declaration.document import Document
from ragft_lint.declaration.resolve import resolve
from ragft_lint.errors import DeclarationError, Problem
from ragft_lint.notes import Note

DECLARATION = """\
systems:
  bot:
    architecture: rag
    knowledge: {changes: weekly}
    rag: {retrieve_k: 20, context_k: 5}
"""
INVALID = "systems:\n  bot: [unclosed\n"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The files the declaration loaders parse, in order."""
    seen: List[str] = []
    for name in ("load_file", "load_other"):
        real = getattr(discovery, name)

        def counted(given: Any, real: Any = real) -> Any:
            seen.append(os.fspath(given))
            return real(given)

        monkeypatch.setattr(discovery, name, counted)
    return seen


def _project(root: Path, declaration: str = DECLARATION, evidence: int = 50) -> List[str]:
    """A repository with one declaration and ``evidence`` JSON Lines files below it; the
    evidence files' paths, relative to ``root``."""
    (root / ".git").mkdir(parents=True)
    (root / "ragft.yaml").write_text(declaration, encoding="utf-8")
    (root / "evals").mkdir()
    files = []
    for n in range(evidence):
        name = f"evals/e{n:04d}.jsonl"
        (root / name).write_text('{"input": "q", "output": "a"}\n', encoding="utf-8")
        files.append(name)
    return files


Shape = Tuple[str, str, str, Dict[str, Any], Dict[Any, Any], Tuple[int, int]]


def _shape(document: Document) -> Shape:
    return (document.file, document.display, document.fmt, document.data,
            dict(document.positions), document.origin)


def _one_by_one(paths: Sequence[str]) -> Tuple[List[Shape], List[Note], List[Problem]]:
    """What resolving the paths gave before they shared their reads: each path resolved on its
    own, the documents then kept once by real path, the first one first."""
    documents: Dict[str, Shape] = {}
    notes: List[Note] = []
    problems: List[Problem] = []
    for path in paths:
        try:
            found, said = resolve([path])
        except DeclarationError as exc:
            problems.extend(exc.problems)
            continue
        notes.extend(said)
        for document in found:
            documents.setdefault(os.path.realpath(document.file), _shape(document))
    return list(documents.values()), notes, sorted(problems)


def _together(paths: Sequence[str]) -> Tuple[List[Shape], List[Note], List[Problem]]:
    try:
        found, notes = resolve(paths)
    except DeclarationError as exc:
        return [], [], list(exc.problems)
    return [_shape(d) for d in found], notes, []


def test_fifty_evidence_files_parse_their_declaration_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    files = _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    documents, notes = resolve(files)
    assert len(loads) == 1
    assert [d.display for d in documents] == ["ragft.yaml"]
    assert notes == []
    loads.clear()
    assert _together(files) == _one_by_one(files)


def test_the_declaration_named_beside_its_evidence_is_parsed_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    files = _project(tmp_path, evidence=3)
    monkeypatch.chdir(tmp_path)
    discovered = os.path.realpath(tmp_path / "ragft.yaml")
    for paths, kept in ((["ragft.yaml", *files], "ragft.yaml"),
                        ([*files, "ragft.yaml"], discovered),
                        ([*files, "./ragft.yaml"], discovered)):
        loads.clear()
        together = _together(paths)
        assert len(loads) == 1, paths
        assert together == _one_by_one(paths)
        assert [shape[0] for shape in together[0]] == [kept]  # the first path's document


def test_evidence_in_many_folders_reads_each_folder_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    _project(tmp_path, evidence=0)
    files = []
    for n in range(20):
        folder = tmp_path / "data" / f"part{n}"
        folder.mkdir(parents=True)
        (folder / "cases.jsonl").write_text("{}\n", encoding="utf-8")
        files.append(f"data/part{n}/cases.jsonl")
    monkeypatch.chdir(tmp_path)
    calls: List[str] = []
    looked = discovery._in_folder

    def in_folder(folder: str, reads: Any = None) -> Any:
        calls.append(folder)
        return looked(folder, reads)

    monkeypatch.setattr(discovery, "_in_folder", in_folder)
    together = _together(files)
    assert len(loads) == 1
    assert len(calls) == len(set(calls)) == 20 + 2  # each part, data/, and the root
    assert together == _one_by_one(files)


def test_a_declaration_reached_through_a_link_is_parsed_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    project = tmp_path / "project"
    files = _project(project, evidence=2)
    try:
        (tmp_path / "alias").symlink_to(project, target_is_directory=True)
    except OSError:
        pytest.skip("no symbolic links here")
    monkeypatch.chdir(tmp_path)
    paths = [f"alias/{files[0]}", f"project/{files[1]}", "alias/ragft.yaml",
             "project/ragft.yaml"]
    together = _together(paths)
    assert len(loads) == 1
    assert together == _one_by_one(paths)
    assert [shape[1] for shape in together[0]] == ["project/ragft.yaml"]


def test_a_named_link_keeps_its_own_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    project = tmp_path / "project"
    _project(project, evidence=0)
    try:
        (tmp_path / "alias").symlink_to(project, target_is_directory=True)
    except OSError:
        pytest.skip("no symbolic links here")
    monkeypatch.chdir(tmp_path)
    paths = ["alias/ragft.yaml", "project/ragft.yaml"]
    together = _together(paths)
    assert len(loads) == 1
    assert together == _one_by_one(paths)
    assert [shape[1] for shape in together[0]] == ["alias/ragft.yaml"]


def test_an_unreadable_declaration_is_reported_for_each_path_as_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    project = tmp_path / "project"
    files = _project(project, declaration=INVALID, evidence=3)
    monkeypatch.chdir(tmp_path)
    paths = [f"project/{f}" for f in files] + ["project/ragft.yaml"]
    links = []
    try:
        (tmp_path / "alias").symlink_to(project, target_is_directory=True)
        links = ["alias/ragft.yaml"]
    except OSError:
        pass
    together = _together(paths + links)
    assert len(loads) == 1
    assert together == _one_by_one(paths + links)
    problems = together[2]
    assert {p.path for p in problems} == {"project/ragft.yaml", *links}
    assert all("invalid YAML" in p.message for p in problems)


def test_two_declarations_in_one_folder_stay_an_error_for_each_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _project(tmp_path, evidence=3)
    (tmp_path / "ragft.yml").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    together = _together(files)
    assert together == _one_by_one(files)
    assert [p.message for p in together[2]] == ["two declarations (ragft.yaml and ragft.yml); "
                                                "keep one"] * 3


def test_files_with_no_declaration_above_each_get_their_note(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "evals").mkdir()
    files = []
    for n in range(3):
        (tmp_path / "evals" / f"e{n}.jsonl").write_text("{}\n", encoding="utf-8")
        files.append(f"evals/e{n}.jsonl")
    monkeypatch.chdir(tmp_path)
    together = _together(files)
    assert together == _one_by_one(files)
    assert [n.message for n in together[1]] == [
        f"{f}: no declaration at or above this file; nothing to check for it" for f in files]


def test_a_pyproject_that_is_none_of_ours_is_read_once_and_noted_for_each_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    paths = ["pyproject.toml", "./pyproject.toml"]
    together = _together(paths)
    assert len(loads) == 1
    assert together == _one_by_one(paths)
    assert len(together[1]) == 2 and "skipped" in together[1][0].message


def test_a_folder_and_files_below_it_read_the_declaration_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    files = _project(tmp_path, evidence=3)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    paths = [".", *files, "sub"]
    together = _together(paths)
    assert len(loads) == 1
    assert together == _one_by_one(paths)


def test_each_resolution_reads_the_file_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: List[str]) -> None:
    files = _project(tmp_path, evidence=2)
    monkeypatch.chdir(tmp_path)
    first, _ = resolve(files)
    (tmp_path / "ragft.yaml").write_text(DECLARATION.replace("bot:", "other-bot:"),
                                         encoding="utf-8")
    second, _ = resolve(files)
    assert len(loads) == 2
    assert list(first[0].data["systems"]) == ["bot"]
    assert list(second[0].data["systems"]) == ["other-bot"]


def test_a_path_that_is_nothing_is_still_said_to_be_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _project(tmp_path, evidence=1)
    nothing = ["missing.jsonl", "evals/a\0b.jsonl"]
    try:
        (tmp_path / "dangling").symlink_to(tmp_path / "gone")
        nothing.append("dangling")
    except OSError:
        pass  # no symbolic links here
    monkeypatch.chdir(tmp_path)
    # Each one, as os.path.exists says.
    expected = [Problem(path, 0, 0, "no such file or folder") for path in sorted(nothing)]
    assert _together([*nothing, *files]) == ([], [], expected)
