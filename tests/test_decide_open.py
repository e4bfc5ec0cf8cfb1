"""decide as a practitioner reads it: open sets instead of "undecided", no questions the path
does not need, a prompt that reaches the bar, a corpus of style examples, blockers on the line
they judge, and the two options CI uses (``--no-evidence``, ``--fail-on-disagreement``).

Every case goes through the command line on a real declaration in a temporary folder.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from helpers import AS_OF
from ragft_lint.cli import main

DAY = AS_OF.isoformat()


def _write(folder: Path, text: str) -> Path:
    (folder / ".git").mkdir(exist_ok=True)
    target = folder / "ragft.yaml"
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    return target


def run(capsys: Any, *words: str) -> Tuple[int, str, str]:
    status = main(list(words))
    out, err = capsys.readouterr()
    return status, out, err


def decide_json(capsys: Any, target: Path, *extra: str) -> Dict[str, Any]:
    status, out, _ = run(capsys, "decide", str(target), "--format", "json", "--as-of", DAY,
                         "--no-evidence", *extra)
    assert status == 0, out
    return json.loads(out)


def check_rules(capsys: Any, target: Path) -> List[str]:
    _, out, _ = run(capsys, "check", str(target), "--format", "json", "--as-of", DAY,
                    "--no-evidence")
    return [f["rule"] for f in json.loads(out)["findings"]]


# A text-to-SQL fine-tune whose diagnosis is not written down yet (no gaps); the database
# schema is its corpus, small enough for the context.
TEXT_TO_SQL = """\
    systems:
      sql-writer:
        architecture: fine-tune
        knowledge:
          changes: monthly
          sources: ["schema/**"]
          corpus_tokens: 40000
        prompt:
          few_shot_examples: 6
          structured_output: true
          context_window_tokens: 128000
          baseline_score: 0.62
        fine_tune:
          goals: [format]
          training_examples: 4000
          requests_per_month: 80000
        eval: {examples: 400, labeled: true, target_score: 0.85}
    """


def test_missing_facts_alone_never_fire_de001(tmp_path: Path, capsys: Any) -> None:
    target = _write(tmp_path, TEXT_TO_SQL)
    rules = check_rules(capsys, target)
    assert "BL001" in rules  # the missing diagnosis is reported, by the rule for it
    assert "DE001" not in rules
    system = decide_json(capsys, target)["systems"]["sql-writer"]
    # Nothing rules the declared fine-tune out: every undecided framework leaves it open.
    for framework in system["frameworks"].values():
        assert "fine-tune" in framework["open"], framework
    assert "fine-tune" in system["open"]


# A policy assistant fine-tuned on policies that change weekly, with citations and per-user
# access, and no context window declared: long context or RAG, never a fine-tune.
POLICY = """\
    systems:
      policy-assistant:
        architecture: fine-tune
        gaps: [knowledge]
        baseline_queries: 80
        knowledge:
          changes: weekly
          depth: reference
          corpus_tokens: 900000
          citations: true
          per_user_access: true
        fine_tune: {training_examples: 3000, requests_per_month: 40000}
        eval: {examples: 300, labeled: true}
    """


def test_undecided_keeps_what_is_known(tmp_path: Path, capsys: Any) -> None:
    target = _write(tmp_path, POLICY)
    system = decide_json(capsys, target)["systems"]["policy-assistant"]
    assert system["consensus"] == "undecided"
    assert system["open"] == ["prompt", "rag"]
    for framework in system["frameworks"].values():
        assert framework["verdict"] == "undecided"
        assert framework["open"] == ["prompt", "rag"]
    status, out, _ = run(capsys, "decide", str(target), "--as-of", DAY, "--no-evidence")
    assert status == 0
    assert ("consensus: undecided: prompt or rag open, fine-tune and hybrid ruled out; declare "
            "prompt.context_window_tokens") in out
    # Every framework rules the declared fine-tune out: that is a disagreement.
    assert "DE001" in check_rules(capsys, target)


# A ticket classifier: a reasoning gap, no facts to serve (no knowledge gap, no citations, no
# corpus); its knowledge is declared deep and stable.
CLASSIFIER = """\
    systems:
      ticket-classifier:
        architecture: fine-tune
        gaps: [reasoning]
        baseline_queries: 120
        knowledge: {depth: deep}
        prompt: {few_shot_examples: 6, baseline_score: 0.64}
        fine_tune:
          goals: [reasoning]
          training_examples: 5000
          requests_per_month: 200000
          conventions_change: yearly
        eval: {examples: 400, labeled: true, target_score: 0.85}
    """


def test_no_question_whose_answer_cannot_change_the_verdict(tmp_path: Path,
                                                            capsys: Any) -> None:
    target = _write(tmp_path, CLASSIFIER)
    system = decide_json(capsys, target)["systems"]["ticket-classifier"]
    assert [f["verdict"] for f in system["frameworks"].values()] == ["fine-tune"] * 3
    for framework in system["frameworks"].values():
        for step in framework["steps"]:
            assert "declare knowledge" not in step["answer"], step
            assert not (step["answer"].startswith("unknown")
                        and "corpus_tokens" in step["answer"]), step
    gate0 = system["frameworks"]["gates"]["steps"][0]
    assert gate0["id"] == "gate0" and "no knowledge layer needed" in gate0["answer"]


def _reaches_bar(gap: str) -> str:
    return f"""\
        systems:
          reply-writer:
            architecture: fine-tune
            gaps: [{gap}]
            baseline_queries: 80
            prompt: {{few_shot_examples: 6, baseline_score: 0.80, structured_output: true}}
            fine_tune:
              goals: [format]
              training_examples: 3000
              requests_per_month: 90000
              conventions_change: yearly
            eval: {{examples: 300, labeled: true, target_score: 0.80}}
        """


@pytest.mark.parametrize("gap", ["behavior", "reasoning"])
def test_a_prompt_that_reaches_the_bar_has_not_plateaued(tmp_path: Path, capsys: Any,
                                                         gap: str) -> None:
    target = _write(tmp_path, _reaches_bar(gap))
    system = decide_json(capsys, target)["systems"]["reply-writer"]
    verdicts = {name: f["verdict"] for name, f in system["frameworks"].items()}
    assert verdicts["failure_mode"] == "prompt" and verdicts["gates"] == "prompt", verdicts
    assert system["consensus"] == "prompt"
    # The checklist still counts its other signs; its plateau sign is not one of them.
    plateau = [s for s in system["frameworks"]["checklist"]["steps"]
               if s["id"] == "checklist.ft.plateau"]
    assert plateau and plateau[0]["answer"].startswith("no: ")
    answers = [s["answer"] for f in system["frameworks"].values() for s in f["steps"]]
    assert any("already reaches the target 0.8 with 0.8" in a for a in answers), answers
    assert not any("plateaued and the volume" in a for a in answers)
    # A point below the bar, and the same design is a fine-tune again.
    _write(tmp_path, _reaches_bar(gap).replace("baseline_score: 0.80", "baseline_score: 0.79"))
    again = decide_json(capsys, target)["systems"]["reply-writer"]
    assert again["frameworks"]["failure_mode"]["verdict"] == "fine-tune"
    assert again["frameworks"]["gates"]["verdict"] == "fine-tune"


# A voice fine-tune that retrieves a few of 60,000 approved posts per request "so the model
# sees the voice in action"; the facts come from the CMS in the request.
VOICE = """\
    systems:
      brand-voice:
        architecture: hybrid
        gaps: [behavior]
        baseline_queries: 90
        knowledge:
          changes: daily
          corpus_tokens: 30000000
          sources: ["cms/approved-posts/**"]
        prompt:
          few_shot_examples: 6
          context_window_tokens: 128000
          baseline_score: 0.6
        fine_tune:
          goals: [style]
          training_examples: 6000
          requests_per_month: 120000
        eval: {examples: 300, labeled: true, target_score: 0.8}
    """


def test_style_examples_in_an_index_are_no_knowledge_layer(tmp_path: Path,
                                                           capsys: Any) -> None:
    target = _write(tmp_path, VOICE)
    system = decide_json(capsys, target)["systems"]["brand-voice"]
    verdicts = [f["verdict"] for f in system["frameworks"].values()]
    assert "hybrid" not in verdicts and "rag" not in verdicts, verdicts
    assert system["consensus"] == "fine-tune"
    rules = check_rules(capsys, target)
    assert "KN005" in rules and "DE001" in rules


def test_citations_make_the_same_corpus_a_knowledge_layer(tmp_path: Path,
                                                          capsys: Any) -> None:
    target = _write(tmp_path, VOICE.replace("changes: daily", "changes: daily\n"
                                            "          citations: true"))
    system = decide_json(capsys, target)["systems"]["brand-voice"]
    assert system["consensus"] == "hybrid"
    assert "KN005" not in check_rules(capsys, target)


# A declared hybrid whose evidence points to RAG, and whose fine-tune's eval is too small.
HYBRID_TOWARD_RAG = """\
    systems:
      faq-bot:
        architecture: hybrid
        gaps: [knowledge]
        baseline_queries: 70
        knowledge:
          changes: weekly
          depth: reference
          corpus_tokens: 4000000
          citations: true
        prompt: {context_window_tokens: 128000, few_shot_examples: 5, baseline_score: 0.6}
        fine_tune:
          goals: [style]
          training_examples: 900
          requests_per_month: 500
        eval: {examples: 40, labeled: true, target_score: 0.8}
    """


def test_blockers_stand_on_the_declared_line(tmp_path: Path, capsys: Any) -> None:
    target = _write(tmp_path, HYBRID_TOWARD_RAG)
    status, out, _ = run(capsys, "decide", str(target), "--as-of", DAY, "--no-evidence")
    assert status == 0
    assert "  consensus: rag\n" in out  # EV002 judges the declared fine-tune, not RAG
    assert "consensus: rag, not ready" not in out
    assert "declared hybrid, not ready: EV002" in out
    declared = out.index("declared hybrid, not ready")
    assert out.index("blocked by") > declared
    data = decide_json(capsys, target)["systems"]["faq-bot"]
    assert [b["rule"] for b in data["blockers"]] == ["EV002"]


def test_fail_on_disagreement_gates_ci(tmp_path: Path, capsys: Any) -> None:
    target = _write(tmp_path, HYBRID_TOWARD_RAG)
    status, out, err = run(capsys, "decide", str(target), "--as-of", DAY, "--no-evidence",
                           "--fail-on-disagreement")
    assert status == 1
    assert "consensus: rag" in out
    assert "--fail-on-disagreement" in err and "faq-bot" in err
    # Without the option decide only reports; on a design it agrees with, the option passes.
    assert run(capsys, "decide", str(target), "--as-of", DAY, "--no-evidence")[0] == 0
    _write(tmp_path, HYBRID_TOWARD_RAG.replace("architecture: hybrid", "architecture: rag"))
    assert run(capsys, "decide", str(target), "--as-of", DAY, "--no-evidence",
               "--fail-on-disagreement")[0] == 0
    # Missing facts alone fail nothing.
    _write(tmp_path, TEXT_TO_SQL)
    assert run(capsys, "decide", str(target), "--as-of", DAY, "--no-evidence",
               "--fail-on-disagreement")[0] == 0


def test_no_evidence_decides_on_declared_facts(tmp_path: Path, capsys: Any) -> None:
    # The eval file holds 20 examples; the declaration says 300. With evidence, the measured
    # count (fewer than min_eval_examples) blocks the fine-tune at gate 3; without it, the
    # declared count is what decide reads.
    target = _write(tmp_path, CLASSIFIER.replace(
        "eval: {examples: 400,", "eval: {path: evals/tickets.jsonl, examples: 300,"))
    (tmp_path / "evals").mkdir()
    lines = "".join(json.dumps({"input": f"ticket {i}", "expected": "billing"}) + "\n"
                    for i in range(20))
    (tmp_path / "evals" / "tickets.jsonl").write_text(lines, encoding="utf-8")
    status, out, _ = run(capsys, "decide", str(target), "--format", "json", "--as-of", DAY)
    assert status == 0
    measured = json.loads(out)["systems"]["ticket-classifier"]["frameworks"]["gates"]
    assert measured["verdict"] == "prompt", measured
    declared = decide_json(capsys, target)["systems"]["ticket-classifier"]
    assert declared["frameworks"]["gates"]["verdict"] == "fine-tune"
