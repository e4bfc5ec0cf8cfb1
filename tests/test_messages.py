"""Messages a team reads in its first week: each says what happened, where, and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence_project import Project, rules_fired
from ragft_lint.cli import main

RETRIEVAL = """\
    systems:
      search:
        architecture: rag
        gaps: [knowledge]
        baseline_queries: 60
        knowledge: {changes: weekly}
        rag:
          reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
          retrieve_k: 20
          context_k: 5
          index_refresh: daily
          retrieval_eval:
            path: {path: runs/bm25.trec, qrels: runs/qrels.txt}
            examples: 1
            precision_at_5: 0.9
"""


def test_one_judged_query_is_singular(tmp_path: Path) -> None:
    project = Project(tmp_path / "p")
    project.declare(RETRIEVAL)
    project.write("runs/bm25.trec", "".join(f"q1 Q0 d{r} {r} {10 - r}.0 bm25\n"
                                            for r in range(1, 6)))
    project.write("runs/qrels.txt", "q1 0 d1 1\n")
    [finding] = rules_fired(project.check(), "DA008")
    assert "over 1 judged query" in finding.message
    assert "1 judged queries" not in finding.message


def test_tab_indentation_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ragft.yaml").write_text("systems:\n  chat:\n\tarchitecture: rag\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "ragft.yaml"]) == 2
    assert capsys.readouterr().err == (
        "ragft.yaml:3:1: YAML does not allow tabs for indentation (line 3, column 1): "
        "indent with spaces\n")


def test_a_missing_path_has_no_made_up_position(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "nothere"]) == 2
    assert capsys.readouterr().err == "ragft-lint: nothere: no such file or folder\n"


def test_outside_the_root_names_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    service = tmp_path / "repo" / "service"
    service.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    (service / "ragft.yaml").write_text(
        "systems:\n  chat:\n    architecture: fine-tune\n"
        "    fine_tune:\n      training_data: ../../elsewhere/train.jsonl\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "repo/service"]) == 2
    err = capsys.readouterr().err
    assert "leads outside the project root (repo)" in err, err
    monkeypatch.chdir(tmp_path / "repo")
    assert main(["check", "service"]) == 2
    assert "leads outside the project root (the working folder)" in capsys.readouterr().err
    monkeypatch.chdir(service)
    assert main(["check", "."]) == 2
    assert "leads outside the project root (..)" in capsys.readouterr().err


@pytest.mark.parametrize("pattern", ["**/../../x", "a/**/../../../x/*", "docs/*/..\\..\\..\\x"])
def test_a_pattern_with_dots_after_a_wildcard_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        pattern: str) -> None:
    """What a wildcard matches is known only once files are listed: ``..`` after one could
    lead out of the root (git refused it only as it ran, with a note, and the run passed)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(
        "systems:\n  bot:\n    architecture: rag\n    gaps: [knowledge]\n"
        f"    knowledge:\n      changes: weekly\n      sources: ['{pattern}', 'docs/*..md']\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "ragft.yaml"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("ragft.yaml:7:17: systems.bot.knowledge.sources[0]: ")
    assert line.endswith("has '..' after a wildcard, which can lead outside the project root "
                         "(the working folder); write the pattern without it")


# -- DA006 about a file as a whole -------------------------------------------------------------

FINE_TUNE = """\
    systems:
      tone-bot:
        architecture: fine-tune
        gaps: [behavior]
        fine_tune:
          goals: [style]
          trained_at: 2026-05-02
          results: {results}
"""


def _results_project(root: Path, results: str, name: str, text: str) -> Project:
    project = Project(root)
    project.declare(FINE_TUNE.format(results=results))
    project.write(name, text)
    return project


@pytest.mark.parametrize("text", ["", '{"nothing": "here"}\n'])
def test_a_result_file_nothing_reads_is_not_a_malformed_record(tmp_path: Path,
                                                                text: str) -> None:
    project = _results_project(tmp_path / "p", "results/ft.json", "results/ft.json", text)
    [finding] = rules_fired(project.check(), "DA006")
    assert finding.message.startswith("results/ft.json cannot be measured: ")
    assert "malformed record" not in finding.message
    assert "stopped" not in finding.message
    assert "format, metric, task" in finding.fix


def test_an_ambiguous_metric_is_the_declarations_choice_not_a_malformed_record(
        tmp_path: Path) -> None:
    from ragft_lint.errors import DeclarationError

    project = _results_project(tmp_path / "p", "results/ragas.csv", "results/ragas.csv",
                               "question,faithfulness,context_recall\nq1,1,0\nq2,0,1\n")
    with pytest.raises(DeclarationError) as raised:
        project.check()
    [problem] = raised.value.problems
    assert ": results/ragas.csv holds several metrics ('faithfulness', 'context_recall'): " \
           "name the one that counts with `metric:`" in problem.message
    assert "malformed record" not in problem.message and "stopped" not in problem.message


def test_an_unknown_format_is_the_declarations_mistake_at_its_key(tmp_path: Path) -> None:
    from ragft_lint.errors import DeclarationError

    project = _results_project(tmp_path / "p", "{path: results/ft.json, format: promptfo}",
                               "results/ft.json", "{}\n")
    with pytest.raises(DeclarationError) as raised:
        project.check()
    (problem,) = raised.value.problems
    assert "format: unknown result format 'promptfo'" in str(problem)
    assert "did you mean 'promptfoo'" in str(problem) and "DA006" not in str(problem)
