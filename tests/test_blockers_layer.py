"""A blocker judges a layer the system ships: a finding about a layer its architecture does not
have (a fine-tune file of a system declared rag) is never shown as blocking it (decide.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Set, Tuple

from evidence_project import AS_OF, Project
from ragft_lint.decide import decide
from ragft_lint.options import build
from ragft_lint.session import Session

RAG_WITH_A_FINE_TUNE_DRAFT = """\
    systems:
      kb:
        architecture: {architecture}
        gaps: [knowledge]
        baseline_queries: 60
        knowledge: {{changes: weekly, depth: reference, corpus_tokens: 4000000}}
        prompt: {{context_window_tokens: 128000}}
        rag: {{reranker: bge, retrieve_k: 20, context_k: 5, index_refresh: daily,
              retrieval_eval: {{precision_at_5: 0.8, path: runs/missing.jsonl}}}}
        fine_tune: {{training_data: data/train.jsonl, goals: [format]}}
        eval: {{examples: 200, labeled: true, adversarial: true, target_score: 0.8,
               created_at: 2026-06-01}}
    """


def _decision(tmp_path: Path, architecture: str) -> Tuple[Any, Set[Tuple[str, str]]]:
    made = Project(tmp_path / architecture)
    made.declare(RAG_WITH_A_FINE_TUNE_DRAFT.format(architecture=architecture))
    session = Session()
    run = session.run([made.root / "ragft.yaml"], build(as_of=AS_OF, cache=False), decide=True)
    assert run.decisions is not None
    errors = {(f.rule, f.key.split(".", 2)[2]) for f in run.report.findings
              if f.severity.name == "ERROR"}
    return run.decisions["kb"], errors


def test_a_fine_tune_file_does_not_block_a_system_declared_rag(tmp_path: Path) -> None:
    decision, errors = _decision(tmp_path, "rag")
    # check reports both missing files...
    assert ("DA001", "fine_tune.training_data") in errors
    assert ("DA001", "rag.retrieval_eval.path") in errors
    # ... but only the retrieval layer's blocks the rag system.
    assert [(b.rule, "retrieval" in b.message) for b in decision.blockers] == [("DA001", True)]


def test_a_hybrid_is_blocked_by_both_layers(tmp_path: Path) -> None:
    decision, _ = _decision(tmp_path, "hybrid")
    assert sorted("training" in b.message for b in decision.blockers) == [False, True]


def test_without_the_architecture_every_error_is_a_blocker(tmp_path: Path) -> None:
    made = Project(tmp_path / "p")
    made.declare(RAG_WITH_A_FINE_TUNE_DRAFT.format(architecture="rag"))
    session = Session()
    declaration = session.declaration(made.root / "ragft.yaml")
    report = session.report(declaration, build(as_of=AS_OF, cache=False))
    from ragft_lint.decide import blockers

    assert len(blockers(report, "kb")) == 2 and len(blockers(report, "kb", "rag")) == 1
    assert len(decide(declaration, report=report)["kb"].blockers) == 1
