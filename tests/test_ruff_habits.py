"""The habits ruff users bring (``--exit-zero``, ``--output-file``, ``--statistics``, ``--fix
--diff``, ``--show-fixes``) with ruff's meanings, and stale baseline entries told and pruned.

Everything runs through ``main([...])`` in a temporary project.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Tuple

import pytest

from ragft_lint.cli import main

FIXED = ["--as-of", "2026-11-23", "--no-evidence"]

# Two findings: KN001 (a warning) and KN003 (an error).
DECLARATION = """\
select: [KN, EV001]
systems:
  pricing-bot:
    architecture: fine-tune
    knowledge:
      changes: quarterly
      citations: true
    eval:
      examples: 200
"""

# Two fixes --fix makes without evidence: a "none" word and an unused waiver.
FIXABLE = """\
systems:
  bot:
    architecture: rag
    gaps: [knowledge]
    rag:
      reranker: false
    waivers:
      KN001:
        reason: spare
"""

Cap = pytest.CaptureFixture


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    (folder / ".git").mkdir(parents=True)
    (folder / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def _check(capsys: Cap[str], *args: str) -> Tuple[int, str, str]:
    status = main(["check", *FIXED, *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.out, captured.err


# -- --exit-zero -----------------------------------------------------------------------------


def test_exit_zero_reports_the_findings_and_exits_0(project: Path, capsys: Cap[str]) -> None:
    status, plain, _ = _check(capsys)
    assert status == 1
    status, out, _ = _check(capsys, "--exit-zero")
    assert status == 0
    assert out == plain and "KN003 [error]" in out


def test_exit_zero_keeps_2_for_a_wrong_declaration(project: Path, capsys: Cap[str]) -> None:
    (project / "ragft.yaml").write_text("systems:\n  a:\n    architecture: nonsense\n",
                                        encoding="utf-8")
    assert _check(capsys, "--exit-zero")[0] == 2


def test_exit_zero_keeps_3_for_a_plugin_failure(project: Path, capsys: Cap[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from test_host import make_distribution, only_site

    site = project.parent / "site"
    make_distribution(site, "broken-rules", "1.0", {"broken": "broken_rules"},
                      {"broken_rules": "raise RuntimeError('boom')\n"})
    only_site(monkeypatch, site)
    status, _, err = _check(capsys, "--exit-zero")
    assert status == 3
    assert "broken" in err


# -- --output-file ---------------------------------------------------------------------------


def test_output_file_holds_what_stdout_would(project: Path, capsys: Cap[str]) -> None:
    _, plain, _ = _check(capsys, "--format", "json")
    status, out, err = _check(capsys, "--format", "json", "--output-file", "report.json")
    assert (status, out, err) == (1, "", "")
    assert (project / "report.json").read_text(encoding="utf-8") == plain
    assert json.loads(plain)  # the chosen format, whole


def test_output_file_replaces_an_old_report(project: Path, capsys: Cap[str]) -> None:
    (project / "out.txt").write_text("old\n", encoding="utf-8")
    assert _check(capsys, "--exit-zero", "--output-file", "out.txt")[0] == 0
    assert "KN001" in (project / "out.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in project.iterdir()) == [".git", "out.txt", "ragft.yaml"]


def test_output_file_makes_the_folders_on_its_way_as_ruff_does(project: Path,
                                                               capsys: Cap[str]) -> None:
    status, out, err = _check(capsys, "--format", "json", "--output-file",
                              "reports/ci run/report.json")
    assert (status, out, err) == (1, "", "")
    assert json.loads((project / "reports" / "ci run" / "report.json").read_text("utf-8"))


def test_output_file_makes_no_folder_outside_the_root(project: Path, capsys: Cap[str]) -> None:
    status, _, err = _check(capsys, "--output-file", "../elsewhere/report.txt")
    assert status == 2 and "outside the project root" in err
    assert not (project.parent / "elsewhere").exists()


@pytest.mark.parametrize(("target", "said"), [
    ("ragft.yaml", "is a declaration; name another file for --output-file"),
    ("../outside.txt", "outside the project root; name a file inside it for --output-file"),
    ("evals/e.jsonl", "is an evidence file the declaration names"),
])
def test_output_file_refuses_what_is_not_the_runs_to_replace(project: Path, capsys: Cap[str],
                                                             target: str, said: str) -> None:
    (project / "evals").mkdir()
    (project / "evals" / "e.jsonl").write_text('{"input": "q"}\n', encoding="utf-8")
    (project / "ragft.yaml").write_text(DECLARATION.replace(
        "examples: 200", "examples: 200\n      path: evals/e.jsonl"), encoding="utf-8")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    status, out, err = _check(capsys, "--output-file", target)
    assert (status, out) == (2, "")
    assert said in err and "(nothing was written)" in err
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
    assert not (project.parent / "outside.txt").exists()


def test_output_file_gets_no_colour(project: Path, capsys: Cap[str]) -> None:
    _check(capsys, "--color", "always", "--output-file", "out.txt")
    assert "\x1b[" not in (project / "out.txt").read_text(encoding="utf-8")


# -- --statistics ----------------------------------------------------------------------------


def test_statistics_counts_the_findings_per_rule(project: Path, capsys: Cap[str]) -> None:
    (project / "ragft.yaml").write_text(DECLARATION + DECLARATION.split("systems:\n")[1]
                                        .replace("pricing-bot", "support-bot")
                                        .replace("citations: true", "citations: false"),
                                        encoding="utf-8")
    status, out, _ = _check(capsys, "--statistics")
    assert status == 1
    assert out == ("2  KN001  fine-tune-on-changing-knowledge\n"
                   "1  KN003  citations-need-retrieval\n")


def test_statistics_as_json(project: Path, capsys: Cap[str]) -> None:
    status, out, _ = _check(capsys, "--statistics", "--format", "json")
    assert status == 1
    assert json.loads(out) == [
        {"code": "KN001", "name": "fine-tune-on-changing-knowledge", "count": 1},
        {"code": "KN003", "name": "citations-need-retrieval", "count": 1},
    ]


def test_statistics_in_another_format_is_a_usage_error(project: Path, capsys: Cap[str]) -> None:
    status, out, err = _check(capsys, "--statistics", "--format", "sarif")
    assert (status, out) == (2, "")
    assert "--statistics prints text or json" in err


# -- --fix --diff and --show-fixes -----------------------------------------------------------


def test_fix_diff_prints_the_diff_and_writes_nothing(project: Path, capsys: Cap[str]) -> None:
    text = FIXABLE.replace("reranker: false", "reranker: None")
    (project / "ragft.yaml").write_text(text, encoding="utf-8")
    status, out, err = _check(capsys, "--fix", "--diff")
    assert status == 1
    assert (project / "ragft.yaml").read_text(encoding="utf-8") == text
    assert out == ("--- a/ragft.yaml\n+++ b/ragft.yaml\n@@ -3,7 +3,4 @@\n"
                   "     architecture: rag\n     gaps: [knowledge]\n     rag:\n"
                   "-      reranker: None\n-    waivers:\n-      KN001:\n-        reason: spare\n"
                   "+      reranker: false\n")
    assert "would fix 2; nothing was written" in err
    # Applying what the diff shows is what --fix writes.
    assert _check(capsys, "--fix")[0] == 0
    assert (project / "ragft.yaml").read_text(encoding="utf-8") == text.replace(
        "reranker: None", "reranker: false").split("    waivers:")[0]


def test_fix_diff_with_nothing_to_fix_is_empty_and_exits_0(project: Path,
                                                           capsys: Cap[str]) -> None:
    status, out, err = _check(capsys, "--fix", "--diff")
    assert (status, out, err) == (0, "", "")


def test_fix_diff_marks_a_last_line_without_a_newline(project: Path, capsys: Cap[str]) -> None:
    (project / "ragft.yaml").write_text(FIXABLE.replace("reranker: false", "reranker: none")
                                        .split("    waivers:")[0].rstrip("\n"),
                                        encoding="utf-8")
    status, out, _ = _check(capsys, "--fix", "--diff")
    assert status == 1
    assert out.endswith("-      reranker: none\n\\ No newline at end of file\n"
                        "+      reranker: false\n\\ No newline at end of file\n")


def test_show_fixes_lists_what_fix_made_after_the_findings(project: Path,
                                                          capsys: Cap[str]) -> None:
    (project / "ragft.yaml").write_text(FIXABLE, encoding="utf-8")
    status, out, err = _check(capsys, "--fix", "--show-fixes")
    assert status == 0
    assert out.endswith("\nFixed 1:\n  ragft.yaml:7:5: fixed WV002: removed the unused "
                        "waiver of KN001, and waivers with it (bot)\n")
    assert "fixed WV002" not in err
    assert "waivers" not in (project / "ragft.yaml").read_text(encoding="utf-8")


def test_show_fixes_without_fix_lists_the_fixes_available(project: Path,
                                                          capsys: Cap[str]) -> None:
    (project / "ragft.yaml").write_text(FIXABLE, encoding="utf-8")
    status, out, _ = _check(capsys, "--show-fixes")
    assert status == 0
    assert out.endswith("\nFixable with --fix (1):\n  ragft.yaml:7:5: would fix WV002: "
                        "removed the unused waiver of KN001, and waivers with it (bot)\n")
    assert (project / "ragft.yaml").read_text(encoding="utf-8") == FIXABLE


def test_show_fixes_keeps_json_output_json(project: Path, capsys: Cap[str]) -> None:
    (project / "ragft.yaml").write_text(FIXABLE, encoding="utf-8")
    status, out, err = _check(capsys, "--show-fixes", "--format", "json")
    assert status == 0
    json.loads(out)
    assert "ragft-lint: ragft.yaml:7:5: would fix WV002" in err


# -- stale baseline entries ------------------------------------------------------------------


def test_a_stale_baseline_entry_is_told_with_how_to_prune_it(project: Path,
                                                             capsys: Cap[str]) -> None:
    assert _check(capsys, "--write-baseline", "baseline.json")[0] == 0
    (project / "ragft.yaml").write_text(DECLARATION.replace("citations: true",
                                                            "citations: false"),
                                        encoding="utf-8")
    status, out, err = _check(capsys, "--baseline", "baseline.json")
    assert status == 0
    assert err == ("ragft-lint: baseline.json: the entry for KN003 of pricing-bot at "
                   "systems.pricing-bot.knowledge.citations in ragft.yaml matches no finding "
                   "any more; prune it with --write-baseline baseline.json\n")
    _, out, _ = _check(capsys, "--baseline", "baseline.json", "--format", "json")
    assert [n["code"] for n in json.loads(out)["notes"]] == ["baseline-stale"]


def test_an_entry_of_a_rule_left_out_by_select_is_not_stale(project: Path,
                                                            capsys: Cap[str]) -> None:
    assert _check(capsys, "--write-baseline", "baseline.json")[0] == 0
    (project / "ragft.yaml").write_text(DECLARATION.replace("changes: quarterly",
                                                            "changes: yearly"),
                                        encoding="utf-8")
    # KN001's entry is stale now, but a run that does not run KN001 cannot know it.
    status, _, err = _check(capsys, "--baseline", "baseline.json", "--select", "KN003")
    assert (status, err) == (0, "")
    status, _, err = _check(capsys, "--baseline", "baseline.json", "--select", "KN")
    assert status == 0
    assert "the entry for KN001" in err and "KN003" not in err


def test_writing_over_a_baseline_keeps_only_what_still_matches(project: Path,
                                                               capsys: Cap[str]) -> None:
    assert _check(capsys, "--write-baseline", "baseline.json")[0] == 0
    (project / "ragft.yaml").write_text(DECLARATION.replace("citations: true",
                                                            "citations: false"),
                                        encoding="utf-8")
    status, out, err = _check(capsys, "--write-baseline", "baseline.json")
    assert (status, out) == (0, "")
    assert err == ("ragft-lint: recorded 1 finding in baseline.json; dropped 1 entry of the "
                   "old baseline that matched no finding any more\n")
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert [e["rule"] for e in data["findings"]] == ["KN001"]
    status, _, err = _check(capsys, "--baseline", "baseline.json")
    assert (status, err) == (0, "")
