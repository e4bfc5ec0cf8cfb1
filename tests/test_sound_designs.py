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
              base_model: llama-3.1-8b-instruct
              base_model_date: 2024-07-23
              training_data: data/triage-train.jsonl
              training_examples: 4200
              trained_at: 2026-07-10
              score: 0.9
              regression_suite: evals/general.jsonl
              requests_per_month: 250000
              retrain_every: quarterly
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
              base_model: llama-3.1-8b-instruct
              base_model_date: 2024-07-23
              training_data: data/train.jsonl
              training_examples: 1800
              trained_at: 2026-05-02
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
}


@pytest.mark.parametrize("architecture", sorted(SOUND))
def test_sound_design_has_no_error_and_no_warning(architecture: str, run_yaml) -> None:
    report = run_yaml(SOUND[architecture])
    loud = [f"{f.rule} {f.message}" for f in report.findings if f.severity >= Severity.WARNING]
    assert loud == []
    assert report.exit_status == 0
