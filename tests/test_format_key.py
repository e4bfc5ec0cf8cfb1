"""A result file's ``format:`` is checked against the readers of the session (exit 2 at the key,
"did you mean"), and a reader's missing optional extra is named, never "reading stopped"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ragft_lint.cli import main

RESULTS = Path(__file__).parent / "results"

# Makes a module unimportable in the child process only, as if its extra were not installed.
BLOCKER = """\
import sys


class _Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError("No module named " + repr(name))
        return None


sys.meta_path.insert(0, _Missing())
"""


def declaration(folder: Path, result: str) -> Path:
    (folder / ".git").mkdir(exist_ok=True)
    path = folder / "ragft.yaml"
    path.write_text("systems:\n  bot:\n    architecture: prompt\n    prompt:\n"
                    f"      baseline_results: {result}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("key", "wrong", "meant"), [
    ("prompt:\n      baseline_results", "promptfo", "promptfoo"),
    ("fine_tune:\n      results", "inspectai", "inspect_ai"),
])
def test_an_unknown_result_format_is_exit_2_at_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, wrong: str,
        meant: str) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copy(RESULTS / "promptfoo" / "results.json", tmp_path / "results.json")
    (tmp_path / "ragft.yaml").write_text(
        f"systems:\n  bot:\n    architecture: prompt\n    {key}: "
        f"{{path: results.json, format: {wrong}}}\n", encoding="utf-8")
    status = main(["check", str(tmp_path / "ragft.yaml")])
    err = capsys.readouterr().err
    assert status == 2
    written = (tmp_path / "ragft.yaml").read_text(encoding="utf-8").splitlines()
    assert f"ragft.yaml:5:{written[4].index(wrong) + 1}: " in err  # at the value itself
    assert f"unknown result format {wrong!r}" in err and f"did you mean {meant!r}?" in err
    assert "DA006" not in err


def test_a_known_result_format_still_reads(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(RESULTS / "promptfoo" / "results.json", tmp_path / "results.json")
    path = declaration(tmp_path, "{path: results.json, format: promptfoo}")
    assert main(["check", "--format", "json", str(path)]) in (0, 1)
    assert '"DA006"' not in capsys.readouterr().out


def child(folder: Path, blocked: str) -> subprocess.CompletedProcess[str]:
    """``check`` in a Python where ``blocked`` cannot be imported."""
    site = folder / "blocked-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER.format(blocked={blocked}), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "ragft_lint", "check", "ragft.yaml"],
                          cwd=folder, capture_output=True, text=True, env=env)


def test_an_eval_archive_without_zstandard_names_the_extra(tmp_path: Path) -> None:
    shutil.copy(RESULTS / "inspect_ai" / "capitals.eval", tmp_path / "capitals.eval")
    declaration(tmp_path, "capitals.eval")
    done = child(tmp_path, "zstandard")
    assert done.returncode == 1, done.stderr
    (line,) = [x for x in done.stdout.splitlines() if "DA006" in x]
    assert "pip install 'ragft-lint[inspect]'" in line
    assert "reading stopped" not in line and "malformed" not in line
    assert "Traceback" not in done.stderr


def test_parquet_without_pyarrow_names_the_extra(tmp_path: Path) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pyarrow.table({"question": ["a", "b"], "answer": ["x", "y"]})
    pq.write_table(table, str(tmp_path / "eval.parquet"))
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(
        "systems:\n  bot:\n    architecture: prompt\n    eval: {path: eval.parquet}\n",
        encoding="utf-8")
    done = child(tmp_path, "pyarrow")
    said = done.stdout + done.stderr
    assert "ragft-lint[parquet]" in said
    assert "reading stopped" not in said and "malformed" not in said
    assert "Traceback" not in said
