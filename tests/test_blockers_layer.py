"""Blockers are every error ``check`` reports on the system (decide never hides one), and a
blocker about a layer the consensus does not have (a fine-tune file of a system declared rag)
is never shown as blocking the consensus: it stands on the declared line (decide.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence_project import AS_OF, Project
from ragft_lint.options import build
from ragft_lint.output.decision_text import agreement_line, consensus_line
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
              retrieval_eval: {{precision_at_5: 0.8, path: {retrieval}}}}}
        fine_tune: {{training_data: data/train.jsonl, goals: [format]}}
        eval: {{examples: 200, labeled: true, adversarial: true, target_score: 0.8,
               created_at: 2026-06-01}}
    """


def _decision(tmp_path: Path, architecture: str, retrieval: str = "runs/missing.jsonl") -> Any:
    made = Project(tmp_path / architecture)
    made.write("runs/run.jsonl", "".join(  # precision@5 0.8 on each query, as declared
        f'{{"query": "q{n}", "retrieved": ["d{n}", "x", "y", "z", "w"], '
        f'"relevant": ["d{n}", "x", "y", "z"]}}\n' for n in range(5)))
    made.declare(RAG_WITH_A_FINE_TUNE_DRAFT.format(architecture=architecture,
                                                    retrieval=retrieval))
    run = Session().run([made.root / "ragft.yaml"], build(as_of=AS_OF, cache=False),
                        decide=True)
    assert run.decisions is not None
    return run.decisions["kb"]


def test_a_fine_tune_file_of_a_rag_system_stands_on_the_declared_line(tmp_path: Path) -> None:
    decision = _decision(tmp_path, "rag")
    assert decision.consensus == "rag"
    # Both missing files are blockers: decide hides nothing check fails on ...
    assert sorted(b.layer for b in decision.blockers) == ["fine_tune", "rag"]
    # ... but only the retrieval layer's stands under the rag consensus.
    assert consensus_line(decision) == "rag, not ready: DA001"
    assert next(b.message for b in decision.blockers if b.layer == "rag").startswith(
        "rag.retrieval_eval.path")
    assert agreement_line(decision).startswith("declared rag, not ready: DA001: ")


def test_only_a_foreign_layer_leaves_the_consensus_line_clear(tmp_path: Path) -> None:
    decision = _decision(tmp_path, "rag", "runs/run.jsonl")
    assert [(b.rule, b.layer) for b in decision.blockers] == [("DA001", "fine_tune")]
    assert consensus_line(decision) == "rag"
    assert agreement_line(decision) == ("declared rag, not ready: DA001: agrees with all "
                                        "three frameworks")

