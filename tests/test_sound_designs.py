"""A sound design of each architecture, with its evidence in order, gets no error and no warning.

False alarms on a sound design are the worst bug a linter can have: these are the guard.
"""

from __future__ import annotations

import pytest

from ragft_lint import Severity

SOUND = {
    "prompt": """\
        systems:
          release-notes-writer:
            architecture: prompt
            gaps: [behavior]
            baseline_queries: 80
            knowledge: {changes: static}
            prompt:
              few_shot_examples: 5
              structured_output: true
              context_window_tokens: 128000
              baseline_score: 0.88
            eval:
              path: evals/release-notes.jsonl
              examples: 120
              labeled: true
              adversarial: true
              created_at: 2026-08-01
              refreshed_at: 2026-10-15
        """,
    "rag": """\
        systems:
          policy-assistant:
            architecture: rag
            gaps: [knowledge]
            baseline_queries: 64
            knowledge:
              changes: weekly
              depth: reference
              structured_documents: true
              corpus_tokens: 12000000
              citations: true
              per_user_access: true
            prompt:
              few_shot_examples: 4
              context_window_tokens: 128000
              baseline_score: 0.55
            rag:
              chunking: structural
              embedding_model: bge-small-en-v1.5
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieve_k: 20
              context_k: 5
              index_refresh: daily
              acl_filtering: true
              leakage_tested: true
              retrieval_eval:
                path: evals/retrieval.jsonl
                examples: 300
                precision_at_5: 0.78
                recall_at_5: 0.84
            eval:
              path: evals/answers.jsonl
              examples: 200
              labeled: true
              adversarial: true
              created_at: 2026-06-01
              refreshed_at: 2026-10-01
        """,
    "fine-tune": """\
        systems:
          ticket-triage:
            architecture: fine-tune
            gaps: [reasoning]
            baseline_queries: 120
            knowledge: {changes: yearly, depth: deep}
            prompt:
              few_shot_examples: 6
              structured_output: true
              context_window_tokens: 32000
              baseline_score: 0.71
            fine_tune:
              goals: [reasoning, format]
              base_model: qwen3-8b
              base_model_date: 2026-04-29
              training_data: data/triage-train.jsonl
              training_examples: 4200
              trained_at: 2026-07-10
              score: 0.9
              regression_suite: evals/general.jsonl
              requests_per_month: 250000
              retrain_every: yearly
            eval:
              path: evals/triage.jsonl
              examples: 400
              labeled: true
              adversarial: true
              created_at: 2026-05-20
              refreshed_at: 2026-09-30
        """,
    "hybrid": """\
        systems:
          support-bot:
            architecture: hybrid
            gaps: [knowledge, behavior]
            baseline_queries: 60
            knowledge:
              changes: weekly
              depth: reference
              structured_documents: true
              corpus_tokens: 4000000
              citations: true
              per_user_access: true
            prompt:
              few_shot_examples: 6
              structured_output: true
              context_window_tokens: 128000
              baseline_score: 0.70
            rag:
              chunking: structural
              embedding_model: bge-small-en-v1.5
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieve_k: 20
              context_k: 5
              index_refresh: daily
              acl_filtering: true
              leakage_tested: true
              retrieval_eval:
                path: evals/retrieval.jsonl
                examples: 300
                precision_at_5: 0.78
                recall_at_5: 0.81
            fine_tune:
              goals: [style]
              base_model: qwen3-8b
              base_model_date: 2026-04-29
              training_data: data/train.jsonl
              training_examples: 1800
              trained_at: 2026-09-02
              score: 0.86
              regression_suite: evals/general.jsonl
              requests_per_month: 30000
              retrain_every: quarterly
            eval:
              path: evals/support.jsonl
              examples: 180
              labeled: true
              adversarial: true
              created_at: 2026-03-01
              refreshed_at: 2026-09-10
        """,
    # A handbook that fits in the context window: long context with caching, no retrieval.
    "long-context prompt": """\
        systems:
          handbook-helper:
            architecture: prompt
            gaps: [knowledge, behavior]
            baseline_queries: 70
            knowledge:
              changes: quarterly
              depth: reference
              corpus_tokens: 30000
              citations: true
            prompt:
              few_shot_examples: 5
              context_window_tokens: 200000
              baseline_score: 0.84
            eval:
              path: evals/handbook.jsonl
              examples: 160
              labeled: true
              adversarial: true
              target_score: 0.8
              created_at: 2026-07-01
              refreshed_at: 2026-10-20
        """,
    # Daily facts are retrieved; the reasoning over them, whose conventions change yearly, is
    # fine-tuned: a hybrid, not a RAG system because the facts move fast.
    "hybrid over daily facts": """\
        systems:
          pest-advisor:
            architecture: hybrid
            gaps: [knowledge, reasoning]
            baseline_queries: 90
            knowledge:
              changes: daily
              depth: reference
              corpus_tokens: 6000000
              citations: true
              sources: ["alerts/**"]
            prompt:
              few_shot_examples: 6
              structured_output: true
              context_window_tokens: 128000
              baseline_score: 0.62
              baseline_model: qwen3-8b
            rag:
              chunking: structural
              embedding_model: bge-small-en-v1.5
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieve_k: 20
              context_k: 5
              index_refresh: realtime
              retrieval_eval:
                path: evals/alerts-retrieval.jsonl
                examples: 250
                precision_at_5: 0.81
                recall_at_5: 0.77
            fine_tune:
              goals: [reasoning]
              base_model: qwen3-8b
              base_model_date: 2026-04-29
              training_data: data/advice-train.jsonl
              training_examples: 2400
              trained_at: 2026-08-15
              score: 0.83
              conventions_change: yearly
              regression_suite: evals/general.jsonl
              requests_per_month: 45000
              retrain_every: quarterly
            eval:
              path: evals/advice.jsonl
              examples: 300
              labeled: true
              adversarial: true
              target_score: 0.8
              created_at: 2026-06-01
              refreshed_at: 2026-10-01
        """,
    # Retrieval is measured on its own eval, and the answers on theirs: "the retrieved content
    # was right but the model missed it" shows only in the second.
    "rag with answer and retrieval evals": """\
        systems:
          product-docs:
            architecture: rag
            gaps: [knowledge]
            baseline_queries: 75
            knowledge:
              changes: weekly
              depth: reference
              corpus_tokens: 9000000
              citations: true
              sources: ["docs/**"]
            prompt:
              few_shot_examples: 4
              context_window_tokens: 128000
              baseline_score: 0.52
            rag:
              chunking: structural
              embedding_model: bge-small-en-v1.5
              reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
              retrieve_k: 20
              context_k: 5
              index_refresh: daily
              retrieval_eval:
                path: evals/docs-retrieval.jsonl
                examples: 250
                precision_at_5: 0.8
                recall_at_5: 0.82
            eval:
              path: evals/docs-answers.jsonl
              examples: 220
              labeled: true
              adversarial: true
              target_score: 0.8
              created_at: 2026-07-01
              refreshed_at: 2026-10-05
        """,
    # A classifier: a reasoning gap and no facts to serve. Nothing asks how large a corpus is.
    "classifier without a knowledge need": """\
        systems:
          ticket-router:
            architecture: fine-tune
            gaps: [reasoning]
            baseline_queries: 150
            knowledge: {depth: deep}
            prompt:
              few_shot_examples: 6
              structured_output: true
              context_window_tokens: 32000
              baseline_score: 0.66
            fine_tune:
              goals: [reasoning, format]
              base_model: qwen3-8b
              base_model_date: 2026-04-29
              training_data: data/router-train.jsonl
              training_examples: 6000
              trained_at: 2026-07-20
              score: 0.91
              conventions_change: yearly
              regression_suite: evals/general.jsonl
              requests_per_month: 400000
              retrain_every: yearly
            eval:
              path: evals/router.jsonl
              examples: 500
              labeled: true
              adversarial: true
              target_score: 0.85
              created_at: 2026-06-01
              refreshed_at: 2026-10-01
        """,
}

# What `decide` makes of each sound design: its consensus is the declared architecture.
DECLARED = {"prompt": "prompt", "rag": "rag", "fine-tune": "fine-tune", "hybrid": "hybrid",
            "long-context prompt": "prompt", "hybrid over daily facts": "hybrid",
            "rag with answer and retrieval evals": "rag",
            "classifier without a knowledge need": "fine-tune"}


@pytest.mark.parametrize("architecture", sorted(SOUND))
def test_decide_agrees_with_a_sound_design(architecture: str, tmp_path) -> None:
    import textwrap

    from helpers import AS_OF
    from ragft_lint import Session
    from ragft_lint.options import Options

    target = tmp_path / "ragft.yaml"
    (tmp_path / ".git").mkdir()
    target.write_text(textwrap.dedent(SOUND[architecture]), encoding="utf-8")
    session = Session()
    decision = next(iter(session.decisions(session.declaration(target),
                                           Options(as_of=AS_OF, evidence=False)).values()))
    assert decision.consensus == DECLARED[architecture], str(decision)
    assert not decision.disagrees


@pytest.mark.parametrize("architecture", sorted(SOUND))
def test_sound_design_has_no_error_and_no_warning(architecture: str, run_yaml) -> None:
    report = run_yaml(SOUND[architecture])
    loud = [f"{f.rule} {f.message}" for f in report.findings if f.severity >= Severity.WARNING]
    assert loud == []
    assert report.exit_status == 0
