"""``ragft-lint init`` finds the evidence a project holds and writes a declaration that measures
it: a real git repository with an eval set, training data, a TREC run with its judgements, a
promptfoo result file and a docs folder; then ``check`` on what was written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

from ragft_lint.declaration import load

RESULTS = Path(__file__).parent / "results"
DATE = "2026-01-05T12:00:00+00:00"


def git(folder: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE}
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=folder, check=True, capture_output=True, env=env)


def ragft(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ragft_lint", *args], cwd=folder,
                          input=stdin, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})


def project(root: Path) -> Path:
    """A team's repository: every kind of evidence init should find, committed."""
    root.mkdir()
    git(root, "init", "-q")
    (root / "evals").mkdir()
    with (root / "evals" / "support.jsonl").open("w", encoding="utf-8") as out:
        for i in range(30):
            out.write(json.dumps({"question": f"How do I reset password {i}?",
                                  "answer": f"Open settings, step {i}."}) + "\n")
    (root / "data").mkdir()
    with (root / "data" / "train.jsonl").open("w", encoding="utf-8") as out:
        for i in range(40):
            out.write(json.dumps({"messages": [
                {"role": "user", "content": f"Write a greeting number {i}"},
                {"role": "assistant", "content": f"Hello there, number {i}!"}]}) + "\n")
    (root / "retrieval").mkdir()
    run, qrels = [], []
    for q in range(1, 6):
        for rank in range(1, 6):
            run.append(f"q{q} Q0 d{q}-{rank} {rank} {10 - rank}.0 bm25")
            qrels.append(f"q{q} 0 d{q}-{rank} {1 if rank <= 4 else 0}")
    (root / "retrieval" / "run.trec").write_text("\n".join(run) + "\n", encoding="utf-8")
    (root / "retrieval" / "qrels.txt").write_text("\n".join(qrels) + "\n", encoding="utf-8")
    (root / "results").mkdir()
    shutil.copy(RESULTS / "promptfoo" / "results.json", root / "results" / "results.json")
    (root / "docs").mkdir()
    (root / "docs" / "policy.md").write_text("# Refunds\nWithin 30 days.\n", encoding="utf-8")
    # Not evidence: code init must not run or propose, and a file git ignores.
    (root / "app.py").write_text("raise SystemExit('imported!')\n", encoding="utf-8")
    (root / ".gitignore").write_text("scratch/\n", encoding="utf-8")
    (root / "scratch").mkdir()
    (root / "scratch" / "eval_old.jsonl").write_text('{"question": "q", "answer": "a"}\n',
                                                     encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "evidence")
    return root


def facts(path: Path) -> Dict[str, Any]:
    declaration = load(path)
    (system,) = declaration.systems.values()
    return system.facts


def test_init_yes_proposes_the_evidence_and_check_measures_it(tmp_path: Path) -> None:
    root = project(tmp_path / "team")
    done = ragft(root, "init", "--yes")
    assert done.returncode == 0, done.stderr
    written = facts(root / "ragft.yaml")
    assert written["eval"]["path"] == {"path": "evals/support.jsonl"}
    assert written["fine_tune"]["training_data"] == {"path": "data/train.jsonl"}
    assert written["rag"]["retrieval_eval"]["path"] == {"path": "retrieval/run.trec",
                                                        "qrels": "retrieval/qrels.txt"}
    assert written["prompt"]["baseline_results"] == {"path": "results/results.json"}
    assert written["knowledge"]["sources"] == ["docs/**"]
    assert "scratch" not in (root / "ragft.yaml").read_text(encoding="utf-8")
    assert "found a promptfoo result file: results/results.json" in done.stderr

    checked = ragft(root, "check", "--format", "json")
    assert checked.returncode in (0, 1), checked.stderr
    report = json.loads(checked.stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == [] and checked.returncode == 0, errors
    assert [n for n in report["notes"] if n["unmeasured"]] == []
    # The evidence was read: the counts and figures come from the files.
    figures = json.dumps(report)
    assert "DA006" not in figures and "DA001" not in figures


@pytest.mark.parametrize("broken", ["overlap", "malformed"])
def test_a_proposed_file_check_would_call_broken_is_left_out_and_said(tmp_path: Path,
                                                                     broken: str) -> None:
    """An eval set sharing its inputs with the training data (DA003), or a file of malformed
    records (DA006): init says so and leaves that file out, so what it writes passes check."""
    root = project(tmp_path / "team")
    if broken == "overlap":
        with (root / "data" / "train.jsonl").open("a", encoding="utf-8") as out:
            for i in range(30):
                out.write(json.dumps({"question": f"How do I reset password {i}?",
                                      "answer": "Open settings."}) + "\n")
        left, rule = "data/train.jsonl", "DA003"
    else:
        with (root / "evals" / "support.jsonl").open("a", encoding="utf-8") as out:
            out.write("{broken\n")
        left, rule = "evals/support.jsonl", "DA006"
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "more")
    done = ragft(root, "init", "--yes")
    assert done.returncode == 0, done.stderr
    [said] = [line for line in done.stderr.splitlines() if " is left out: " in line]
    assert said.startswith(f"ragft-lint: {left} is left out: {rule} ")
    assert said.endswith("; declare it once that is fixed")
    assert left not in (root / "ragft.yaml").read_text(encoding="utf-8")
    checked = ragft(root, "check", "--format", "json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert [f for f in json.loads(checked.stdout)["findings"] if f["severity"] == "error"] == []


def test_measured_figures_reach_decide(tmp_path: Path) -> None:
    root = project(tmp_path / "team")
    assert ragft(root, "init", "--yes").returncode == 0
    decided = ragft(root, "decide", "--format", "json")
    assert decided.returncode == 0, decided.stderr
    # 40 training examples counted from data/train.jsonl, never declared by hand.
    assert "40 training examples" in decided.stdout


def test_what_the_survey_finds_in_the_repository(tmp_path: Path) -> None:
    from ragft_lint.init.survey import survey

    root = project(tmp_path / "team")
    found = survey(str(root))
    assert found.eval_set == "evals/support.jsonl"
    assert found.training_data == "data/train.jsonl"
    assert (found.retrieval_run, found.qrels) == ("retrieval/run.trec", "retrieval/qrels.txt")
    assert found.results == (("results/results.json", "promptfoo"),)
    assert found.sources == "docs/**"


def test_a_folder_without_evidence_proposes_nothing(tmp_path: Path) -> None:
    from ragft_lint.init.survey import survey

    (tmp_path / "README.md").write_text("# nothing\n", encoding="utf-8")
    found = survey(str(tmp_path))
    assert found.eval_set is found.training_data is found.retrieval_run is None
    assert found.results == ()


def test_a_proposal_can_be_turned_down_and_its_figure_is_then_asked(tmp_path: Path) -> None:
    root = project(tmp_path / "team")
    answers = root / "answers.yaml"
    answers.write_text("eval_path: none\neval_examples: 12\narchitecture: prompt\n"
                       "citations: yes\n", encoding="utf-8")
    done = ragft(root, "init", "--yes", "--answers", "answers.yaml", "--set", "name=helper")
    assert done.returncode == 0, done.stderr
    declaration = load(root / "ragft.yaml")
    assert list(declaration.systems) == ["helper"]
    written = declaration.systems["helper"].facts
    assert written["architecture"] == "prompt"
    assert written["eval"] == {"examples": 12, "labeled": True}
    assert written["knowledge"]["citations"] is True


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "citatons=yes"], "'citatons' is not a question of init"),
    (["--set", "architecture=lora"], "--set architecture=lora: architecture"),
    (["--set", "architecture"], "expected NAME=VALUE"),
    (["--answers", "missing.yaml"], "missing.yaml: cannot read the answers"),
])
def test_wrong_given_answers_are_refused_and_nothing_is_written(
        tmp_path: Path, args: list, message: str) -> None:
    root = project(tmp_path / "team")
    done = ragft(root, "init", "--yes", *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (root / "ragft.yaml").exists()
    if "citatons" in args[1]:
        assert "did you mean 'citations'?" in done.stderr


def test_answers_that_run_out_are_left_out_not_written_as_facts(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    done = ragft(tmp_path, "init", stdin="bot\nknowledge\n")
    assert done.returncode == 0, done.stderr
    written = load(tmp_path / "ragft.yaml").systems["bot"].facts
    assert written["gaps"] == ["knowledge"]
    assert "knowledge" not in written  # citations, per_user_access: nobody answered them
    assert "citations" not in (tmp_path / "ragft.yaml").read_text(encoding="utf-8")


def test_the_proposals_go_into_a_pyproject_table_too(tmp_path: Path) -> None:
    root = project(tmp_path / "team")
    (root / "pyproject.toml").write_text("[project]\nname = 'team'\n", encoding="utf-8")
    done = ragft(root, "init", "--yes", "--pyproject")
    assert done.returncode == 0, done.stderr
    written = facts(root / "pyproject.toml")
    assert written["rag"]["retrieval_eval"]["path"]["qrels"] == "retrieval/qrels.txt"
    assert written["eval"]["path"] == {"path": "evals/support.jsonl"}
    checked = ragft(root, "check", "pyproject.toml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_result_file_answer_that_must_name_its_metric_stops_before_writing(
        tmp_path: Path) -> None:
    """A given result file of several metrics: exit 2 saying which to name, nothing written
    (the recommendation before the architecture question no longer stops on it either)."""
    root = project(tmp_path / "team")
    (root / "results" / "ragas.csv").write_text(
        "question,faithfulness,context_recall\nq1,1,0\nq2,0,1\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "ragas")
    done = ragft(root, "init", "--yes", "--set", "baseline_results=results/ragas.csv")
    assert done.returncode == 2, done.stderr
    assert "prompt.baseline_results: results/ragas.csv holds several metrics " \
           "('faithfulness', 'context_recall')" in done.stderr
    assert done.stderr.rstrip().endswith("(nothing was written)")
    assert "answers:1:1" not in done.stderr and "Traceback" not in done.stderr
    assert not (root / "ragft.yaml").exists()
