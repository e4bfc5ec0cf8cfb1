"""Outputs over several declarations keep each declaration's own figures and thresholds.

interfaces.md: over several declarations every system is ``path::name`` (so two services' systems
of one name do not collide, and neither's measured figures is lost); paths, the measured
figures' ``source`` too, are relative to the working directory; the decisions keep the changed
thresholds however they are filtered or merged, and ``decide --system X`` shows the thresholds
``decide`` shows, X's declaration's own (not another service's that lowered a bar).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

from ragft_lint import check
from ragft_lint.cli import main

RETRIEVAL = """\
systems:
  bot:
    architecture: rag
    rag:
      retrieval_eval: {path: {path: runs/run.trec, qrels: runs/qrels.txt}}
"""


def _retrieval(folder: Path, relevant: int) -> None:
    """A declaration with a system ``bot`` and a scored run whose precision@5 is
    ``relevant`` / 5 on each of three queries."""
    folder.mkdir(parents=True)
    (folder / "ragft.yaml").write_text(RETRIEVAL, encoding="utf-8")
    run, qrels = [], []
    for q in range(1, 4):
        for rank in range(1, 6):
            run.append(f"q{q} Q0 d{q}-{rank} {rank} {10 - rank}.0 bm25")
        qrels.extend(f"q{q} 0 d{q}-{rank} 1" for rank in range(1, relevant + 1))
    (folder / "runs").mkdir()
    (folder / "runs" / "run.trec").write_text("\n".join(run) + "\n", encoding="utf-8")
    (folder / "runs" / "qrels.txt").write_text("\n".join(qrels) + "\n", encoding="utf-8")


@pytest.fixture
def same_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two services, each with a system ``bot`` measured from its own run."""
    (tmp_path / ".git").mkdir()
    _retrieval(tmp_path / "a", relevant=2)
    _retrieval(tmp_path / "b", relevant=4)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _out(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    main([*arguments, "--as-of", "2026-11-23", "--no-cache"])
    return capsys.readouterr().out


def test_json_keeps_both_systems_of_one_name(same_names: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    systems = json.loads(_out(capsys, "check", "--format", "json"))["systems"]
    assert list(systems) == ["a/ragft.yaml::bot", "b/ragft.yaml::bot"]
    assert systems["a/ragft.yaml::bot"]["declaration"] == "a/ragft.yaml"
    assert systems["b/ragft.yaml::bot"]["declaration"] == "b/ragft.yaml"
    assert systems["a/ragft.yaml::bot"]["measured"]["precision_at_5"]["value"] == 0.4
    assert systems["b/ragft.yaml::bot"]["measured"]["precision_at_5"]["value"] == 0.8


def test_measured_sources_are_relative_to_the_working_directory(
        same_names: Path, capsys: pytest.CaptureFixture[str]) -> None:
    printed = json.loads(_out(capsys, "check", "--format", "json"))
    for path, system in (("a", "a/ragft.yaml::bot"), ("b", "b/ragft.yaml::bot")):
        sources = {f["source"] for f in printed["systems"][system]["measured"].values()}
        assert sources == {f"{path}/runs/run.trec"}, sources
    assert {f["path"] for f in printed["findings"]} <= {"a/ragft.yaml", "b/ragft.yaml"}


def test_one_declaration_keeps_bare_names_and_paths_from_the_working_directory(
        same_names: Path, capsys: pytest.CaptureFixture[str]) -> None:
    printed = json.loads(_out(capsys, "check", "--format", "json", "a"))
    assert list(printed["systems"]) == ["bot"]
    assert printed["systems"]["bot"]["measured"]["recall_at_5"]["source"] == \
        "a/runs/run.trec"
    main(["check", "--format", "json", "--as-of", "2026-11-23", "--no-cache",
          str(same_names / "a" / "ragft.yaml")])
    printed = json.loads(capsys.readouterr().out)
    assert printed["systems"]["bot"]["measured"]["recall_at_5"]["source"] == "a/runs/run.trec"


def test_sarif_and_html_keep_both_systems(same_names: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    printed = json.loads(_out(capsys, "check", "--format", "json"))
    sarif = json.loads(_out(capsys, "check", "--format", "sarif"))
    assert sarif["runs"][0]["properties"]["systems"] == printed["systems"]
    page = _out(capsys, "check", "--format", "html")  # a section per declaration
    assert "a/runs/run.trec" in page and "b/runs/run.trec" in page
    combined = check(as_of="2026-11-23", cache=False)  # the notebook's: one report of both
    assert combined.systems == ["a/ragft.yaml::bot", "b/ragft.yaml::bot"]
    assert set(combined.measured) == set(combined.systems)
    shown = combined._repr_html_()
    assert "a/ragft.yaml::bot" in shown and "b/ragft.yaml::bot" in shown
    assert "a/runs/run.trec" in shown and "b/runs/run.trec" in shown


# -- thresholds: each declaration its own ----------------------------------------------------------

ROOT = """\
fail_on: warning
thresholds:
  min_eval_examples: {value: 300, reason: "org policy"}
  min_training_examples: 1000
"""
SERVICE_A = """\
extend: ../../ragft.yaml
thresholds:
  min_training_examples: 50
systems:
  a:
    architecture: rag
    gaps: [knowledge]
    baseline_queries: 60
"""
SERVICE_B = """\
extend: ../../ragft.yaml
systems:
  b:
    architecture: fine-tune
    fine_tune: {training_examples: 600}
"""
A = "services/a/ragft.yaml"
B = "services/b/ragft.yaml"
EVAL_300 = {"default": 150, "value": 300, "reason": "org policy"}
TRAIN = {"default": 500, "reason": None}


@pytest.fixture
def extended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A root that raises two bars; service a lowers one of them again, b keeps the root's."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(ROOT, encoding="utf-8")
    for path, text in ((A, SERVICE_A), (B, SERVICE_B)):
        (tmp_path / path).parent.mkdir(parents=True)
        (tmp_path / path).write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str], *arguments: str) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads(_out(capsys, *arguments, "--format", "json"))
    return data


def test_decide_system_shows_its_own_declarations_thresholds(
        extended: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "decide", "--system", f"{B}::b")
    assert data["thresholds"] == {"min_eval_examples": EVAL_300,
                                  "min_training_examples": {**TRAIN, "value": 1000}}
    data = _json(capsys, "decide", "--system", f"{A}::a")
    assert data["thresholds"]["min_training_examples"]["value"] == 50
    for fmt in ("text", "markdown"):
        shown = _out(capsys, "decide", "--system", f"{B}::b", "--format", fmt)
        assert "min_training_examples 1000 (default 500)" in shown, fmt
        assert "min_training_examples 50 " not in shown, fmt


def test_decide_json_over_several_declarations_gives_each_system_its_own(
        extended: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "decide")
    systems = data["systems"]
    assert systems[f"{A}::a"]["thresholds"]["min_training_examples"]["value"] == 50
    assert systems[f"{B}::b"]["thresholds"]["min_training_examples"]["value"] == 1000
    # The two disagree: no single value stands for the run; the one they share does.
    assert data["thresholds"] == {"min_eval_examples": EVAL_300}
    assert data["thresholds_by_declaration"] == {
        A: {"min_eval_examples": EVAL_300, "min_training_examples": {**TRAIN, "value": 50}},
        B: {"min_eval_examples": EVAL_300, "min_training_examples": {**TRAIN, "value": 1000}},
    }


def test_check_json_gives_each_declaration_its_own(
        extended: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "check")
    assert data["declarations"] == ["ragft.yaml", A, B]
    assert data["thresholds"] == {"min_eval_examples": EVAL_300}
    by_declaration = data["thresholds_by_declaration"]
    assert by_declaration["ragft.yaml"]["min_training_examples"]["value"] == 1000
    assert by_declaration[A]["min_training_examples"]["value"] == 50
    assert by_declaration[B]["min_training_examples"]["value"] == 1000
    sarif = json.loads(_out(capsys, "check", "--format", "sarif"))
    properties = sarif["runs"][0]["properties"]
    assert properties["thresholds"] == data["thresholds"]
    assert properties["thresholds_by_declaration"] == by_declaration


def _threshold_lines(text: str) -> List[str]:
    return [line for line in text.splitlines() if "thresholds changed" in line]


def test_text_says_which_declaration_uses_which(
        extended: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _threshold_lines(_out(capsys, "check"))
    assert lines == [
        "ragft.yaml: thresholds changed from the defaults: min_eval_examples 300 (default "
        "150): org policy; min_training_examples 1000 (default 500)",
        f"{A}: thresholds changed from the defaults: min_eval_examples 300 (default 150): "
        "org policy; min_training_examples 50 (default 500)",
        f"{B}: thresholds changed from the defaults: min_eval_examples 300 (default 150): "
        "org policy; min_training_examples 1000 (default 500)",
    ]
    decided = _threshold_lines(_out(capsys, "decide"))
    assert decided == lines[1:]  # the root declares no system: decide shows none of it
    github = [line for line in _out(capsys, "check", "--format", "github").splitlines()
              if "title=ragft-lint thresholds::" in line]
    assert [line.split("::", 2)[2] for line in github] == lines
    page = _out(capsys, "check", "--format", "html")  # each in its declaration's section
    sections = page.split('class="ragft-lint-report"')[1:]
    assert [line.split(": ", 1)[1] in section for line, section in zip(lines, sections)] == \
        [True, True, True]
    assert "min_training_examples 50 " not in sections[2]


def test_one_declaration_keeps_its_single_line_and_flat_json(
        extended: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _threshold_lines(_out(capsys, "check", B)) == [
        "thresholds changed from the defaults: min_eval_examples 300 (default 150): org "
        "policy; min_training_examples 1000 (default 500)"]
    data = _json(capsys, "check", B)
    assert data["thresholds"]["min_training_examples"]["value"] == 1000
    assert "thresholds_by_declaration" not in data
    data = _json(capsys, "decide", B)
    assert data["thresholds"]["min_training_examples"]["value"] == 1000
    assert "thresholds_by_declaration" not in data
    assert "thresholds" not in data["systems"]["b"]


def test_the_notebook_result_says_which_declaration_uses_which(extended: Path) -> None:
    """The magics' result over several declarations: each declaration's bars, in text and
    HTML, not one merged line."""
    from ragft_lint.notebook import Result
    from ragft_lint.options import build
    from ragft_lint.session import Session

    result = Result(Session().run([str(extended)], build(as_of="2026-11-23"), decide=True))
    lines = _threshold_lines(str(result))
    assert f"{A}: thresholds changed from the defaults: min_eval_examples 300 (default 150): " \
           "org policy; min_training_examples 50 (default 500)" in lines
    assert f"{B}: thresholds changed from the defaults: min_eval_examples 300 (default 150): " \
           "org policy; min_training_examples 1000 (default 500)" in lines
    # The decisions' part too: no line merges the two declarations' bars.
    assert not [line for line in lines
                if "training_examples 50 " in line and "training_examples 1000 " in line]
    assert lines[-2:] == lines[1:3]
    page = result._repr_html_()
    assert "min_training_examples 50 (default 500)" in page
    assert "min_training_examples 1000 (default 500)" in page
