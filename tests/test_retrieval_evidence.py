"""A retrieval run declared under rag.retrieval_eval.path is measured as a run, not as records:
its judged queries are the count DA002 holds the declaration to, and a file that is no run is
DA006 with the reason, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence_project import Project, rules_fired
from ragft_lint.cli import main
from ragft_lint.declaration.discovery import display_path

DECLARATION = """\
    systems:
      search:
        architecture: rag
        gaps: [knowledge]
        baseline_queries: 60
        knowledge: {{changes: weekly}}
        rag:
          reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
          retrieve_k: 20
          context_k: 5
          index_refresh: daily
          retrieval_eval:
            path: {{path: runs/bm25.trec, qrels: runs/qrels.txt}}
            examples: {examples}
            precision_at_5: 0.4
"""


def run_project(root: Path, examples: int) -> Project:
    project = Project(root)
    project.declare(DECLARATION.format(examples=examples))
    run, qrels = [], []
    for q in range(1, 4):
        for rank in range(1, 6):
            run.append(f"q{q} Q0 d{q}-{rank} {rank} {10 - rank}.0 bm25")
        qrels.append(f"q{q} 0 d{q}-1 1")
        qrels.append(f"q{q} 0 d{q}-9 1")
    project.write("runs/bm25.trec", "\n".join(run) + "\n")
    project.write("runs/qrels.txt", "\n".join(qrels) + "\n")
    return project


def test_a_trec_run_counts_its_judged_queries(tmp_path: Path) -> None:
    project = run_project(tmp_path / "p", examples=3)
    report = project.check()
    assert not rules_fired(report, "DA006")
    assert not rules_fired(report, "DA002")


def test_a_wrong_query_count_is_da002(tmp_path: Path) -> None:
    project = run_project(tmp_path / "p", examples=40)
    [finding] = rules_fired(project.check(), "DA002")
    assert "runs/bm25.trec holds 3" in finding.message


def test_a_file_that_is_no_run_is_da006_with_the_reason(tmp_path: Path) -> None:
    project = run_project(tmp_path / "p", examples=3)
    project.write("runs/bm25.trec", "this is not a run\n")
    [finding] = rules_fired(project.check(), "DA006")
    assert "runs/bm25.trec" in finding.message


def test_missing_judgements_are_da001(tmp_path: Path) -> None:
    project = run_project(tmp_path / "p", examples=3)
    (project.root / "runs" / "qrels.txt").unlink()
    assert rules_fired(project.check(), "DA001")


def test_da008_a_declared_precision_the_run_does_not_support(tmp_path: Path) -> None:
    project = run_project(tmp_path / "p", examples=3)  # declares precision@5 0.4
    [finding] = rules_fired(project.check(), "DA008")
    assert finding.key == "systems.search.rag.retrieval_eval.precision_at_5"
    assert finding.message.startswith(
        "rag.retrieval_eval.precision_at_5 is 0.4, but the precision@5 measured from "
        "runs/bm25.trec: 0.20 (95 % interval ")
    assert "over 3 judged queries" in finding.message
    assert "declare rag.retrieval_eval.precision_at_5: 0.20" in finding.fix


def test_da008_within_the_tolerance_is_quiet(tmp_path: Path) -> None:
    project = run_project(tmp_path / "p", examples=3)
    declaration = project.root / "ragft.yaml"
    declaration.write_text(declaration.read_text().replace("precision_at_5: 0.4",
                                                           "precision_at_5: 0.21"))
    assert not rules_fired(project.check(), "DA008")
    assert not rules_fired(project.check(evidence=False), "DA008")


def test_rg003_reads_the_measured_precision(tmp_path: Path) -> None:
    project = run_project(tmp_path / "p", examples=3)
    [finding] = rules_fired(project.check(), "RG003")
    assert "precision@5 is 0.2 (measured from runs/bm25.trec" in finding.message
    assert finding.key == "systems.search.rag.retrieval_eval.path"


def test_every_output_carries_the_measured_figures(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    project = run_project(tmp_path / "p", examples=3)
    target = str(project.root / "ragft.yaml")
    main(["check", "--no-cache", "--format", "json", target])
    printed = json.loads(capsys.readouterr().out)
    figures = printed["systems"]["search"]["measured"]
    assert figures["precision_at_5"]["value"] == 0.2
    assert figures["recall_at_5"]["value"] == 0.5
    assert figures["precision_at_5"]["n"] == 3
    # Relative to the working folder, as every path the outputs print.
    assert figures["precision_at_5"]["source"] == display_path(project.root / "runs" / "bm25.trec")
    hit = figures["hit_rate_at_5"]
    assert hit["value"] == 1.0 and 0.0 < hit["low"] < hit["value"] == hit["high"]  # Wilson, 3/3
    main(["check", "--no-cache", "--format", "sarif", target])
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["runs"][0]["properties"]["systems"] == printed["systems"]
    main(["check", "--no-cache", "--format", "html", target])
    page = capsys.readouterr().out
    assert "95 % interval" in page and "precision_at_5" in page
    main(["check", "--no-cache", "--no-evidence", "--format", "json", target])
    assert "systems" not in json.loads(capsys.readouterr().out)


def test_a_run_shallower_than_retrieve_k_is_noted(tmp_path: Path) -> None:
    project = run_project(tmp_path / "p", examples=3)  # ranks 5 documents, retrieve_k is 20
    report = project.check()
    assert [n.message for n in report.notes] == [
        "runs/bm25.trec ranks at most 5 documents per query, fewer than rag.retrieve_k (20): "
        "the run cannot show the candidates the reranker sees"]
