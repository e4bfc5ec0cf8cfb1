"""Every folder under tests/invalid holds a bad declaration and the exact errors it must give.

Each case runs twice: through the API and through ``main([...])``, in a copy of its folder that
is its own project root.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ragft_lint
from ragft_lint.cli import main
from ragft_lint.errors import DeclarationError

CASES = sorted(p for p in (Path(__file__).parent / "invalid").iterdir() if p.is_dir())


@pytest.fixture
def case(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    source: Path = request.param
    target = tmp_path / source.name
    shutil.copytree(source, target)
    (target / ".git").mkdir()
    expected = (target / "expected.txt").read_text(encoding="utf-8")
    (target / "expected.txt").unlink()
    monkeypatch.chdir(target)
    return target, expected


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES], indirect=True)
def test_api_raises_located_errors(case: tuple[Path, str]) -> None:
    folder, expected = case
    with pytest.raises(DeclarationError) as info:
        ragft_lint.check(folder)
    assert "\n".join(info.value.lines()) + "\n" == expected


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES], indirect=True)
def test_command_line_exits_2_with_the_same_errors(
    case: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, expected = case
    before = sorted(p.name for p in folder.iterdir())
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert captured.err == expected
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written
