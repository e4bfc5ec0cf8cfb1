"""The eval's dates from git (EV004, EV010), its answers (EV011), and EV009's regression suite."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_project import Project, jsonl, rules_fired

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

EVAL = jsonl({"input": f"question {n}", "expected_output": f"answer {n}"} for n in range(200))


def committed_eval(tmp_path: Path, day: datetime.date) -> Project:
    """A project whose eval file was first committed on ``day``."""
    project = Project(tmp_path / "project", git=True)
    project.write("README.md", "bot\n")
    project.commit(day - datetime.timedelta(days=30), "start")
    project.write("evals/eval.jsonl", EVAL)
    project.commit(day, "eval set")
    return project


# -- EV004: the first commit dates an eval with no created_at -----------------------------------

TRAINED = """\
    systems:
      bot:
        architecture: fine-tune
        fine_tune: {{trained_at: 2026-06-01, base_model_date: 2026-05-01}}
        eval: {{path: evals/eval.jsonl, labeled: true{created}}}
    """


@needs_git
def test_ev004_reads_the_first_commit_of_the_eval_file(tmp_path: Path) -> None:
    project = committed_eval(tmp_path, datetime.date(2025, 4, 1))
    project.declare(TRAINED.format(created=""))
    [finding] = rules_fired(project.check(select=["EV004"]), "EV004")
    assert finding.key == "systems.bot.eval.path"
    assert finding.message.startswith(
        "eval.created_at is not declared, and git says evals/eval.jsonl was first committed on "
        "2025-04-01: the eval is 601 days old on 2026-11-23, more than max_eval_age_days (183) "
        "and older than fine_tune.base_model_date (2026-05-01)")
    # The same date declared says the same thing, at the declared key.
    project.declare(TRAINED.format(created=", created_at: 2025-04-01"))
    [declared] = rules_fired(project.check(select=["EV004"]), "EV004")
    assert declared.key == "systems.bot.eval.created_at"
    assert declared.message.startswith("eval.created_at is 2025-04-01: the eval is 601 days old")


@needs_git
def test_ev004_keeps_quiet_for_an_eval_committed_recently(tmp_path: Path) -> None:
    project = committed_eval(tmp_path, datetime.date(2026, 5, 28))  # 179 days before
    project.declare(TRAINED.format(created=""))
    assert not rules_fired(project.check(select=["EV004"]), "EV004")


# -- EV010: the git date, read whether or not trained_at is declared ----------------------------

UNTRAINED = """\
    systems:
      bot:
        architecture: fine-tune
        eval: {path: evals/eval.jsonl, labeled: true}
    """


@needs_git
def test_ev010_a_committed_eval_is_dated_without_trained_at(tmp_path: Path) -> None:
    project = committed_eval(tmp_path, datetime.date(2026, 5, 1))
    project.declare(UNTRAINED)
    assert not rules_fired(project.check(select=["EV010"]), "EV010")


@needs_git
def test_ev010_an_uncommitted_eval_and_a_fix_that_works(tmp_path: Path) -> None:
    project = Project(tmp_path / "project", git=True)
    project.write("README.md", "bot\n")
    project.commit(datetime.date(2026, 4, 1), "start")
    project.write("evals/eval.jsonl", EVAL)  # written, not committed
    project.declare(UNTRAINED)
    [finding] = rules_fired(project.check(select=["EV010"]), "EV010")
    assert finding.message.startswith("eval.created_at is not declared, and git gives no "
                                      "first-commit date for evals/eval.jsonl")
    assert "commit evals/eval.jsonl" in finding.fix
    project.commit(datetime.date(2026, 5, 1), "eval set")  # doing what the fix says
    assert not rules_fired(project.check(select=["EV010"]), "EV010")


@needs_git
def test_a_repository_before_its_first_commit_is_no_git_failure(tmp_path: Path) -> None:
    # `git init`, then a check before the first commit: the eval was never committed, which
    # EV010 says; git did not fail, so no note says it did.
    project = Project(tmp_path / "project", git=True)
    project.write("evals/eval.jsonl", EVAL)
    project.declare(UNTRAINED)
    report = project.check(select=["EV010"])
    assert [n.code for n in report.notes if n.code.startswith("git")] == []
    [finding] = rules_fired(report, "EV010")
    assert "commit evals/eval.jsonl" in finding.fix


@needs_git
def test_ev010_with_evidence_off_the_git_date_is_unknown(tmp_path: Path) -> None:
    project = committed_eval(tmp_path, datetime.date(2026, 5, 1))
    project.declare(UNTRAINED)
    [finding] = rules_fired(project.check(select=["EV010"], evidence=False), "EV010")
    assert "unknown" in finding.message
    assert "no first-commit date" not in finding.message
    assert "evidence" in finding.fix and "commit" not in finding.fix
    # With evidence on, the same committed file dates the eval: the fix was right.
    assert not rules_fired(project.check(select=["EV010"]), "EV010")


# A fine-tune (hybrid) as `ragft-lint init` writes it: an eval of 180 examples, no dates.
INIT_ANSWERS = ["--set", "name=support bot", "--set", "gaps=knowledge, behaviour",
                "--set", "changes=weekly", "--set", "architecture=hybrid"]


def init(project: Project, *answers: str) -> str:
    """Runs ``ragft-lint init --yes`` in the project and returns what it wrote."""
    done = subprocess.run([sys.executable, "-m", "ragft_lint", "init", "--yes", *INIT_ANSWERS,
                           *answers], capture_output=True, text=True, cwd=project.root,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    written = (project.root / "ragft.yaml").read_text(encoding="utf-8")
    assert "architecture: hybrid" in written and "created_at" not in written
    return written


@needs_git
def test_ev010_a_fine_tune_written_by_init_is_dated_by_its_committed_eval(
        tmp_path: Path) -> None:
    project = committed_eval(tmp_path, datetime.date(2026, 5, 1))
    written = init(project)
    assert "evals/eval.jsonl" in written  # init proposed the committed eval file
    project.commit(datetime.date(2026, 5, 2), "declaration")
    assert not rules_fired(project.check(select=["EV010"]), "EV010")


@needs_git
def test_ev010_after_init_with_only_a_count_its_fix_dates_the_eval(tmp_path: Path) -> None:
    project = committed_eval(tmp_path, datetime.date(2026, 5, 1))
    written = init(project, "--set", "eval_path=none", "--set", "eval_examples=180")
    [finding] = rules_fired(project.check(select=["EV010"]), "EV010")
    assert "eval.path" in finding.fix  # a count alone names no file git could date
    # Following the fix: the eval names its committed file.
    lines = written.splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.strip() == "examples: 180")
    indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at, f"{indent}path: evals/eval.jsonl\n")
    (project.root / "ragft.yaml").write_text("".join(lines), encoding="utf-8")
    project.commit(datetime.date(2026, 5, 2), "declaration")
    assert not rules_fired(project.check(select=["EV010"]), "EV010")


# -- EV011: a RAG system needs an eval of its answers -------------------------------------------

RAG = """\
    systems:
      docs-bot:
        architecture: {architecture}
        gaps: [knowledge]
        rag:
          retrieval_eval: {{examples: 200}}
    {answers}"""


@pytest.mark.parametrize("architecture", ["rag", "hybrid"])
def test_ev011_a_retrieval_eval_alone_does_not_score_the_answers(run_yaml,
                                                                 architecture: str) -> None:
    [finding] = rules_fired(run_yaml(RAG.format(architecture=architecture, answers="")),
                            "EV011")
    assert finding.system == "docs-bot"
    assert finding.key == "systems.docs-bot.rag.retrieval_eval"
    assert "rag.retrieval_eval" in finding.message and "answers" in finding.message


@pytest.mark.parametrize("answers", ["eval: {path: evals/answers.jsonl}",
                                     "eval: {examples: 150}"])
def test_ev011_an_answer_eval_beside_it_passes(run_yaml, answers: str) -> None:
    report = run_yaml(RAG.format(architecture="rag", answers="    " + answers + "\n"))
    assert not rules_fired(report, "EV011")


def test_ev011_not_for_a_prompt_system_or_a_rag_with_no_eval(run_yaml) -> None:
    prompt = run_yaml("""\
        systems:
          faq:
            architecture: prompt
            eval: {examples: 100}
        """)
    assert not rules_fired(prompt, "EV011")
    bare = run_yaml("""\
        systems:
          docs-bot:
            architecture: rag
        """)
    assert not rules_fired(bare, "EV011")  # EV007 asks for an eval of any kind
    assert rules_fired(bare, "EV007")


# -- EV009: the regression suite ---------------------------------------------------------------


def test_ev009_a_regression_suite_that_is_the_training_file(run_yaml) -> None:
    report = run_yaml("""\
        systems:
          sql-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl
              regression_suite: data/train.jsonl
            eval: {path: evals/sql.jsonl}
        """)
    [finding] = rules_fired(report, "EV009")
    assert finding.key == "systems.sql-bot.fine_tune.regression_suite"
    assert "general ability" in finding.message and "memory" not in finding.message
    # What the suite is for is in the message itself, which text output and annotations show.
    assert "neither can a held-out split of the same task" in finding.message
    assert "not a held-out split" in finding.fix


def test_ev009_a_hard_link_to_the_training_file_is_the_same_file(tmp_path: Path,
                                                                  run_yaml) -> None:
    data = tmp_path / "project" / "data"
    data.mkdir(parents=True)
    (data / "train.jsonl").write_text('{"input": "q", "output": "a"}\n', encoding="utf-8")
    os.link(data / "train.jsonl", data / "held-out.jsonl")
    report = run_yaml("""\
        systems:
          sql-bot:
            architecture: fine-tune
            fine_tune: {training_data: data/train.jsonl}
            eval: {path: data/held-out.jsonl}
        """)
    [finding] = rules_fired(report, "EV009")
    assert finding.key == "systems.sql-bot.eval.path"
    # A copy is another file: what it holds is DA003's business, with evidence on.
    os.unlink(data / "held-out.jsonl")
    (data / "held-out.jsonl").write_bytes((data / "train.jsonl").read_bytes())
    assert not rules_fired(run_yaml((tmp_path / "project" / "ragft.yaml").read_text()), "EV009")
