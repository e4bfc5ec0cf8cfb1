"""DA001-DA007, and the rules that use measured facts, on real files and real git histories."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path
from typing import List

import pytest

from evidence_project import AS_OF, Project, chat, jsonl, rules_fired
from ragft_lint import Report, check

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FINE_TUNE = """\
    systems:
      bot:
        architecture: fine-tune
        fine_tune:
          training_data: data/train.jsonl
          training_examples: {train}
        eval:
          path: evals/eval.jsonl
          examples: {eval}
          labeled: true
    """


def messages(report: Report) -> List[str]:
    return [note.message for note in report.notes]


def fine_tune_project(tmp_path: Path, train: int = 600, evals: int = 200,
                      git: bool = False) -> Project:
    project = Project(tmp_path / "project", git=git)
    project.write("data/train.jsonl", jsonl(chat(f"training question {n}", f"answer {n}")
                                            for n in range(train)))
    project.write("evals/eval.jsonl", jsonl({"input": f"eval question {n}",
                                             "expected_output": f"expected {n}"}
                                            for n in range(evals)))
    project.declare(FINE_TUNE.format(train=train, eval=evals))
    if git:
        project.commit(datetime.date(2026, 3, 1), "evidence")
    return project


@needs_git
def test_a_sound_fine_tune_has_no_evidence_finding(tmp_path: Path) -> None:
    # In a repository, as a sound project is: git dates its eval file (EV004, EV010).
    report = fine_tune_project(tmp_path, git=True).check(select=["DA", "EV002", "FT001",
                                                                 "EV010"])
    assert report.findings == []
    assert report.notes == []


# -- DA001 ------------------------------------------------------------------------------------


def test_da001_a_missing_file_points_at_its_key(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path)
    (project.root / "evals" / "eval.jsonl").unlink()
    [finding] = rules_fired(project.check(), "DA001")
    assert finding.key == "systems.bot.eval.path"
    assert (finding.location.line, finding.location.column) == (8, 13)
    assert finding.message == "eval.path names evals/eval.jsonl, which does not exist"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_da001_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path)
    target = project.root / "evals" / "eval.jsonl"
    target.unlink()
    os.mkfifo(target)  # opening it for reading would wait for a writer, for ever
    [finding] = rules_fired(project.check(), "DA001")
    assert "is a named pipe (FIFO), not a regular file: not read" in finding.message


def test_da001_a_folder_is_refused(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path)
    target = project.root / "data" / "train.jsonl"
    target.unlink()
    target.mkdir()
    [finding] = rules_fired(project.check(), "DA001")
    assert finding.key == "systems.bot.fine_tune.training_data"
    assert "is a folder, not a regular file" in finding.message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this platform")
def test_a_link_to_a_file_inside_the_project_is_read(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path)
    real = project.root / "data" / "real.jsonl"
    (project.root / "data" / "train.jsonl").rename(real)
    os.symlink("real.jsonl", project.root / "data" / "train.jsonl")
    report = project.check(select=["DA"])
    assert report.findings == []


def test_da001_a_source_pattern_that_matches_nothing(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    project.write("docs/faq.md", "# FAQ\n")
    project.declare("""\
        systems:
          bot:
            architecture: rag
            knowledge:
              sources: ["docs/*.md", "docs/policies/**", "handbook.md"]
        """)
    report = project.check(select=["DA001"])
    assert [(f.key, f.message) for f in report.findings] == [
        ("systems.bot.knowledge.sources[1]",
         "knowledge.sources[1] is 'docs/policies/**', which matches no file"),
        ("systems.bot.knowledge.sources[2]",
         "knowledge.sources[2] is 'handbook.md', which matches no file"),
    ]


# -- DA002 ------------------------------------------------------------------------------------


def test_da002_declared_count_differs_from_the_file(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path, train=600, evals=200)
    project.declare(FINE_TUNE.format(train=1800, eval=200))
    [finding] = rules_fired(project.check(), "DA002")
    assert finding.key == "systems.bot.fine_tune.training_examples"
    assert finding.message.startswith("fine_tune.training_examples is 1800, but "
                                      "data/train.jsonl holds 600 records")
    assert "set fine_tune.training_examples to 600" in finding.fix


def test_da002_counts_malformed_lines_as_records(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path, train=600, evals=200)
    path = project.root / "evals" / "eval.jsonl"
    lines = path.read_text().splitlines()
    lines[10] = "{not json"
    path.write_text("\n".join(lines) + "\n")
    report = project.check()
    assert not rules_fired(report, "DA002")  # 200 records, one of them malformed: DA006 says so
    assert rules_fired(report, "DA006")
    project.declare(FINE_TUNE.format(train=600, eval=150))
    [finding] = rules_fired(project.check(), "DA002")
    assert "holds 200 records (1 of them malformed)" in finding.message


def test_da002_for_the_retrieval_eval_and_csv(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    rows = "".join(f'"what is policy {n}?","docs/p{n}.md"\n' for n in range(37))
    project.write("evals/retrieval.csv", "query,reference\n" + rows)
    project.declare("""\
        systems:
          bot:
            architecture: rag
            rag:
              retrieval_eval: {path: evals/retrieval.csv, examples: 40, precision_at_5: 0.8}
        """)
    [finding] = rules_fired(project.check(), "DA002")
    assert finding.key == "systems.bot.rag.retrieval_eval.examples"
    assert "evals/retrieval.csv holds 37 records" in finding.message


# -- DA003 ------------------------------------------------------------------------------------


def test_da003_shared_inputs_after_normalising_case_and_space(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path)
    train = [chat(f"training question {n}", f"answer {n}") for n in range(600)]
    train[99] = chat("How do I  RESET my\tpassword?", "Use the link.")
    train[399] = chat("Where is my parcel?", "Tracking says.")
    project.write("data/train.jsonl", jsonl(train))
    evals = [{"input": f"eval question {n}", "expected_output": "x"} for n in range(200)]
    evals[4] = {"input": " how do i reset my password? ", "expected_output": "x"}
    evals[149] = {"input": "WHERE IS MY PARCEL?", "expected_output": "x"}
    evals[150] = {"input": "where is my parcel?", "expected_output": "y"}
    project.write("evals/eval.jsonl", jsonl(evals))
    [finding] = rules_fired(project.check(), "DA003")
    assert finding.key == "systems.bot.fine_tune.training_data"
    assert finding.message.startswith(
        "3 of the 200 eval inputs in evals/eval.jsonl also appear in data/train.jsonl (after "
        "normalising case and white space), e.g. eval line 5 = training line 100, eval line "
        "150 = training line 400 ('how do i reset my password?')")


def test_da003_is_quiet_without_shared_inputs(tmp_path: Path) -> None:
    assert not rules_fired(fine_tune_project(tmp_path).check(), "DA003")


# -- DA004 ------------------------------------------------------------------------------------


def duplicated_project(tmp_path: Path, copies: int) -> Project:
    project = fine_tune_project(tmp_path)
    train = [chat(f"training question {n}", f"answer {n}") for n in range(600 - copies)]
    train += [chat(f"TRAINING  question {n}", f"Answer {n} ") for n in range(copies)]
    project.write("data/train.jsonl", jsonl(train))
    return project


def test_da004_fires_above_the_duplicate_ratio(tmp_path: Path) -> None:
    [finding] = rules_fired(duplicated_project(tmp_path, 30).check(), "DA004")
    assert finding.key == "systems.bot.fine_tune.training_data"
    assert finding.message == (
        "30 of the 600 examples in data/train.jsonl (5.0%) repeat an earlier one after "
        "normalising case and white space, more than max_duplicate_ratio (0.01); e.g. line 571 "
        "repeats line 1")


def test_da004_tolerates_a_few_and_follows_the_threshold(tmp_path: Path) -> None:
    project = duplicated_project(tmp_path, 6)  # exactly 1%: not more than the ratio
    assert not rules_fired(project.check(), "DA004")
    text = (project.root / "ragft.yaml").read_text()
    project.declare("thresholds: {max_duplicate_ratio: 0.005}\n" + text)
    assert rules_fired(project.check(), "DA004")


def test_same_input_with_another_answer_is_not_a_duplicate(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path)
    train = [chat("the same question", f"answer {n}") for n in range(600)]
    project.write("data/train.jsonl", jsonl(train))
    assert not rules_fired(project.check(), "DA004")


# -- DA005 and the rules that use the measured pace -----------------------------------------


def weekly_history(project: Project, weeks: int = 30) -> None:
    for n in range(weeks, -1, -1):
        day = AS_OF - datetime.timedelta(days=7 * n + 1)
        project.write("docs/policies/returns.md", f"# Returns\nrevision {n}\n")
        project.commit(day, f"policy update {n}")


@needs_git
def test_da005_history_changes_faster_than_declared(tmp_path: Path) -> None:
    project = Project(tmp_path / "project", git=True)
    weekly_history(project)
    project.declare("""\
        systems:
          policy-bot:
            architecture: rag
            knowledge:
              changes: quarterly
              sources: ["docs/policies/**"]
            rag: {index_refresh: monthly}
        """)
    report = project.check()
    [finding] = rules_fired(report, "DA005")
    assert finding.key == "systems.policy-bot.knowledge.changes"
    assert finding.message == (
        "knowledge.changes is quarterly, but the git history of knowledge.sources changed in 30 "
        "of the last 30 weeks: the knowledge changes weekly")
    # RG007 compares the index with the measured pace, not the declared one.
    [stale] = rules_fired(report, "RG007")
    assert "the knowledge changes weekly (the git history of knowledge.sources changed in 30 " \
           "of the last 30 weeks)" in stale.message
    assert report.notes == []


@needs_git
def test_da005_is_quiet_when_the_declared_pace_is_as_fast(tmp_path: Path) -> None:
    project = Project(tmp_path / "project", git=True)
    weekly_history(project)
    project.declare("""\
        systems:
          policy-bot:
            architecture: rag
            knowledge: {changes: daily, sources: ["docs/policies/**"]}
        """)
    assert not rules_fired(project.check(), "DA005")


@needs_git
def test_kn001_uses_the_measured_pace(tmp_path: Path) -> None:
    project = Project(tmp_path / "project", git=True)
    weekly_history(project, weeks=20)
    project.declare("""\
        systems:
          policy-bot:
            architecture: fine-tune
            knowledge: {changes: yearly, sources: ["docs/policies/**"]}
        """)
    report = project.check(select=["KN001", "DA005"])
    [kn001] = rules_fired(report, "KN001")
    assert kn001.key == "systems.policy-bot.knowledge.sources"
    assert str(kn001.severity) == "error"
    assert "the knowledge changes weekly" in kn001.message
    assert rules_fired(report, "DA005")
    # Declared facts only: the yearly pace stands, nothing fires.
    assert project.check(select=["KN001", "DA005"], evidence=False).findings == []


@needs_git
def test_a_burst_of_commits_is_not_a_pace(tmp_path: Path) -> None:
    project = Project(tmp_path / "project", git=True)
    for n in range(10):  # ten commits in ten days, a year ago, then nothing
        project.write("docs/policies/returns.md", f"revision {n}\n")
        project.commit(AS_OF - datetime.timedelta(days=300 - n))
    project.declare("""\
        systems:
          policy-bot:
            architecture: rag
            knowledge: {changes: yearly, sources: ["docs/policies/**"]}
        """)
    assert not rules_fired(project.check(), "DA005")


def test_not_a_repository_is_said_once_and_skipped(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")  # a .git folder that is no repository
    project.write("docs/a.md", "a\n")
    project.declare("""\
        systems:
          one:
            architecture: rag
            knowledge: {changes: yearly, sources: ["docs/**"]}
          two:
            architecture: rag
            knowledge: {changes: yearly, sources: ["docs/*.md"]}
        """)
    report = project.check()
    assert messages(report) == ["not a git repository: the history of knowledge.sources and the "
                            "eval file's first commit were not measured"]
    assert not rules_fired(report, "DA005")


def test_git_missing_is_said_once_and_skipped(tmp_path: Path, monkeypatch) -> None:
    project = Project(tmp_path / "project")
    project.write("docs/a.md", "a\n")
    project.declare("""\
        systems:
          bot:
            architecture: rag
            knowledge: {changes: yearly, sources: ["docs/**"]}
        """)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    report = project.check()
    assert messages(report) == ["git is not installed: the history of knowledge.sources and the "
                            "eval file's first commit were not measured"]


# -- DA006 ------------------------------------------------------------------------------------


def test_da006_names_file_and_lines_and_counts_them_all(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path)
    path = project.root / "data" / "train.jsonl"
    lines = path.read_text().splitlines()
    for index in (36, 39, 40, 87, 500):
        lines[index] = '{"messages": [' if index != 87 else '["a list"]'
    path.write_text("\n".join(lines) + "\n")
    report = project.check()
    [finding] = rules_fired(report, "DA006")
    assert finding.key == "systems.bot.fine_tune.training_data"
    assert (finding.location.line, finding.location.column) == (5, 22)
    assert finding.message == (
        "data/train.jsonl holds 5 malformed records: data/train.jsonl:37: not valid JSON: "
        "Expecting value (column 15); data/train.jsonl:40: not valid JSON: Expecting value "
        "(column 15); data/train.jsonl:41: not valid JSON: Expecting value (column 15); and 2 "
        "more")


def test_malformed_records_do_not_count_as_examples(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path, train=503)
    with (project.root / "data" / "train.jsonl").open("a") as handle:
        handle.write("{}}\n" * 5)
    project.declare(FINE_TUNE.format(train=508, eval=200))
    report = project.check(select=["FT001", "DA002", "DA006"])
    assert [f.rule for f in report.findings] == ["DA006"]
    # Three more bad lines: 500 readable records become 497, below min_training_examples.
    lines = (project.root / "data" / "train.jsonl").read_text().splitlines()
    lines[:6] = ["{"] * 6
    (project.root / "data" / "train.jsonl").write_text("\n".join(lines) + "\n")
    [ft001] = rules_fired(project.check(select=["FT001"]), "FT001")
    assert ft001.message.startswith("data/train.jsonl holds 497 records, fewer than "
                                    "min_training_examples (500)")


def test_da006_a_broken_json_array_stops_reading(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    project.write("evals/eval.json", '[\n {"question": "a?", "answer": "b"},\n'
                                     ' {"question": "c?" "answer": "d"},\n'
                                     ' {"question": "e?", "answer": "f"}\n]\n')
    project.declare("""\
        systems:
          bot:
            architecture: prompt
            eval: {path: evals/eval.json, examples: 3}
        """)
    report = project.check()
    [finding] = rules_fired(report, "DA006")
    assert finding.message == (
        "evals/eval.json holds 1 malformed record: evals/eval.json:3: not valid JSON: "
        "Expecting ',' delimiter (column 20); reading stopped there, so 1 record is only a "
        "lower bound")
    assert not rules_fired(report, "DA002")  # no count to compare with


# -- DA007 ------------------------------------------------------------------------------------


def test_da007_labelled_eval_with_records_missing_their_answer(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path)
    evals = [chat(f"eval question {n}", f"answer {n}") for n in range(200)]
    for index in (2, 7, 14, 20):
        evals[index] = chat(f"eval question {index}", None)  # ends on the user's turn
    evals[30] = chat("eval question 30", "   ")
    project.write("evals/eval.jsonl", jsonl(evals))
    [finding] = rules_fired(project.check(), "DA007")
    assert finding.key == "systems.bot.eval.labeled"
    assert finding.message == ("eval.labeled is true, but 5 of the 200 records in "
                               "evals/eval.jsonl have no expected output (lines 3, 8, 15, ...)")
    text = (project.root / "ragft.yaml").read_text().replace("labeled: true", "labeled: false")
    project.declare(text)
    assert not rules_fired(project.check(), "DA007")


def test_output_field_named_by_a_dotted_path(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    records = [{"conversation": [{"text": f"q{n}"}, {"text": f"a{n}"}],
                "meta": {"gold": {"label": f"l{n}" if n % 2 else ""}}} for n in range(10)]
    project.write("evals/eval.jsonl", jsonl(records))
    project.declare("""\
        systems:
          bot:
            architecture: prompt
            eval:
              path: {path: evals/eval.jsonl, input: conversation.0.text, output: meta.gold.label}
              labeled: true
        """)
    [finding] = rules_fired(project.check(), "DA007")
    assert "5 of the 10 records" in finding.message
    project.declare(project.root.joinpath("ragft.yaml").read_text()
                    .replace("meta.gold.label", "conversation.-1.text"))
    assert not rules_fired(project.check(), "DA007")


# -- measured counts and dates in the other rules ---------------------------------------------


def test_ev002_and_ft001_use_the_measured_counts(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path, train=80, evals=40)
    project.declare(FINE_TUNE.format(train=1800, eval=200))
    report = project.check(select=["EV002", "FT001"])
    [ev002] = rules_fired(report, "EV002")
    assert ev002.key == "systems.bot.eval.path"
    assert ev002.message.startswith("evals/eval.jsonl holds 40 records, fewer than "
                                    "min_eval_examples (150)")
    [ft001] = rules_fired(report, "FT001")
    assert ft001.key == "systems.bot.fine_tune.training_data"
    assert str(ft001.severity) == "error"
    assert ft001.message.startswith("data/train.jsonl holds 80 records, fewer than "
                                    "hard_min_training_examples (100)")
    assert project.check(select=["EV002", "FT001"], evidence=False).findings == []


@needs_git
def test_ev003_uses_the_first_commit_of_the_eval_file(tmp_path: Path) -> None:
    project = Project(tmp_path / "project", git=True)
    project.write("README.md", "bot\n")
    project.commit(datetime.date(2026, 1, 5))
    project.write("evals/old.jsonl", jsonl({"question": f"q{n}", "answer": "a"}
                                           for n in range(200)))
    project.commit(datetime.date(2026, 6, 10), "eval set")
    project.git("mv", "evals/old.jsonl", "evals/eval.jsonl")
    project.commit(datetime.date(2026, 8, 1), "rename")
    declaration = """\
        systems:
          bot:
            architecture: fine-tune
            fine_tune: {{trained_at: {trained}}}
            eval: {{path: evals/eval.jsonl, labeled: true}}
        """
    project.declare(declaration.format(trained="2026-05-02"))
    [finding] = rules_fired(project.check(select=["EV003"]), "EV003")
    assert finding.key == "systems.bot.eval.path"
    assert finding.message.startswith(
        "eval.created_at is not declared, and git says evals/eval.jsonl was first committed on "
        "2026-06-10, after fine_tune.trained_at (2026-05-02)")
    project.declare(declaration.format(trained="2026-07-01"))
    assert not rules_fired(project.check(select=["EV003"]), "EV003")


def test_a_plugin_free_check_through_the_api_measures_by_default(tmp_path: Path) -> None:
    project = fine_tune_project(tmp_path, train=80)
    project.declare(FINE_TUNE.format(train=1800, eval=200))
    report = check(project.root / "ragft.yaml", as_of=AS_OF, cache=False)
    assert rules_fired(report, "DA002")


def test_parquet_with_named_fields(tmp_path: Path) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    project = Project(tmp_path / "project")
    rows = [{"conversation": [{"text": f"q{n}"}], "label": "" if n < 3 else f"l{n}"}
            for n in range(160)]
    (project.root / "evals").mkdir()
    parquet.write_table(pyarrow.Table.from_pylist(rows), project.root / "evals" / "eval.parquet")
    project.declare("""\
        systems:
          bot:
            architecture: prompt
            eval:
              path: {path: evals/eval.parquet, input: conversation.0.text, output: label}
              examples: 150
              labeled: true
        """)
    report = project.check(select=["DA"])
    assert [f.rule for f in report.findings] == ["DA002", "DA007"]
    assert "evals/eval.parquet holds 160 records" in report.findings[0].message
    assert "3 of the 160 records in evals/eval.parquet have no expected output (rows 1, 2, 3)" \
        in report.findings[1].message


def test_a_file_of_unknown_format_is_a_note(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the note's file is named as the user reads it from here
    project = Project(tmp_path / "project")
    project.write("evals/eval.txt", "what is this?\n")
    project.declare("""\
        systems:
          bot:
            architecture: prompt
            eval: {path: evals/eval.txt, examples: 3}
        """)
    report = project.check()
    assert not [f for f in report.findings if f.rule.startswith("DA")]
    assert [(n.code, n.path) for n in report.notes] == [("not-measured",
                                                         "project/evals/eval.txt")]
    assert messages(report) == ["cannot tell the format of evals/eval.txt from its name: not "
                            "measured (declare format: jsonl, json, csv or parquet)"]
