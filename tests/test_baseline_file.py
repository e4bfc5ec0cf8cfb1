"""Baselines: ``--write-baseline`` records today's findings, ``--baseline`` fails only on new ones.

Everything runs through ``main([...])`` in a temporary project, except one check of the write
under a real file-size limit, which needs its own process.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

from ragft_lint import atomic
from ragft_lint.cli import main
from test_host import make_distribution, only_site

FIXED = ["--as-of", "2026-11-23", "--no-evidence"]

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

# The same facts, every line moved down and the keys in another order.
SHIFTED = """\
# Pricing assistant: the first draft, kept while the retrieval index is built.
# See docs/pricing.md for the plan.

select: [KN, EV001]

systems:

  pricing-bot:
    eval: {examples: 200}   # labelled by the pricing team
    knowledge:
      # prices change every quarter
      citations: true
      changes: quarterly
    architecture: fine-tune
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    (folder / ".git").mkdir(parents=True)
    (folder / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["check", *FIXED, *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.out, captured.err


def _record(capsys: pytest.CaptureFixture[str], target: str = "baseline.json") -> None:
    status, out, err = _check(capsys, "--write-baseline", target)
    assert (status, out) == (0, "")
    assert err == f"ragft-lint: recorded 2 findings in {target}\n"


def _rules(out: str) -> List[str]:
    return [line.split()[1] for line in out.splitlines() if ": " in line and "[" in line]


def test_writing_a_baseline_records_the_findings_and_exits_0(project: Path, capsys) -> None:
    assert _check(capsys)[0] == 1  # error findings: the check itself fails
    _record(capsys)
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert data["ragft_lint_baseline"] == 1
    assert [(e["declaration"], e["rule"], e["system"], e["key"]) for e in data["findings"]] == [
        ("ragft.yaml", "KN001", "pricing-bot", "systems.pricing-bot.knowledge.changes"),
        ("ragft.yaml", "KN003", "pricing-bot", "systems.pricing-bot.knowledge.citations"),
    ]
    assert all("line" not in e and "column" not in e for e in data["findings"])
    assert all(e["message"] for e in data["findings"])
    assert sorted(p.name for p in project.iterdir()) == [".git", "baseline.json", "ragft.yaml"]


def test_the_baseline_file_is_the_same_bytes_each_time(project: Path, capsys) -> None:
    _record(capsys)
    first = (project / "baseline.json").read_bytes()
    (project / "ragft.yaml").write_text(SHIFTED, encoding="utf-8")
    _record(capsys)
    assert (project / "baseline.json").read_bytes() == first
    assert first.endswith(b"}\n")


def test_an_unchanged_declaration_passes_against_its_baseline(project: Path, capsys) -> None:
    _record(capsys)
    status, out, err = _check(capsys, "--baseline", "baseline.json")
    assert (status, err) == (0, "")
    assert out == "ragft.yaml: no findings (1 system checked); 2 in the baseline\n"
    assert _check(capsys, "-q", "--baseline", "baseline.json") == (0, "", "")


def test_moving_every_line_keeps_the_baseline_valid(project: Path, capsys) -> None:
    _record(capsys)
    (project / "ragft.yaml").write_text(SHIFTED, encoding="utf-8")
    status, out, _ = _check(capsys, "-q")
    assert status == 1
    assert [line.split(": ")[0] for line in out.splitlines()] == [
        "ragft.yaml:12:18", "ragft.yaml:13:16"]  # the findings really moved
    assert _check(capsys, "-q", "--baseline", "baseline.json") == (0, "", "")


def test_a_new_finding_fails_and_is_the_only_one_printed(project: Path, capsys) -> None:
    _record(capsys)
    (project / "ragft.yaml").write_text(
        "# prices are per customer now\n"
        + DECLARATION.replace("      citations: true\n",
                              "      citations: true\n      per_user_access: true\n"),
        encoding="utf-8")
    status, out, _ = _check(capsys, "--baseline", "baseline.json")
    assert status == 1
    lines = out.splitlines()
    assert _rules(out) == ["KN004"]
    assert lines[0].startswith("ragft.yaml:9:24: KN004 [error] ")
    assert lines[-1] == ("ragft.yaml: 1 error, 0 warnings, 0 info (1 system checked); "
                         "2 in the baseline; failing at error and above")


def test_a_new_system_fails_with_its_own_findings_only(project: Path, capsys) -> None:
    _record(capsys)
    with (project / "ragft.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  legal-bot:\n    architecture: fine-tune\n    knowledge:\n"
                     "      citations: true\n")
    status, out, _ = _check(capsys, "-q", "--baseline", "baseline.json")
    assert status == 1
    assert _rules(out) == ["EV001", "KN003"]
    assert all(line.endswith("(legal-bot)") for line in out.splitlines())


def test_a_fixed_finding_leaves_the_baseline_passing(project: Path, capsys) -> None:
    _record(capsys)
    (project / "ragft.yaml").write_text(DECLARATION.replace("citations: true", "citations: false"),
                                        encoding="utf-8")
    status, out, _ = _check(capsys, "--baseline", "baseline.json")
    assert status == 0
    assert out.endswith("; 1 in the baseline\n")


def test_a_finding_whose_severity_rose_is_new(project: Path, capsys) -> None:
    _record(capsys)
    (project / "ragft.yaml").write_text(DECLARATION.replace("quarterly", "weekly"),
                                        encoding="utf-8")
    status, out, _ = _check(capsys, "-q")
    assert status == 1 and "KN001 [error]" in out
    # Recorded as a warning, it is an error now: the baseline no longer covers it.
    status, out, _ = _check(capsys, "-q", "--baseline", "baseline.json")
    assert status == 1 and _rules(out) == ["KN001"] and "KN001 [error]" in out


def test_waived_findings_are_not_recorded_and_stay_waived(project: Path, capsys) -> None:
    (project / "ragft.yaml").write_text(
        DECLARATION + "    waivers:\n      KN003: {reason: the legal team signs every answer}\n",
        encoding="utf-8")
    status, _, err = _check(capsys, "--write-baseline", "baseline.json")
    assert (status, err) == (0, "ragft-lint: recorded 1 finding in baseline.json\n")
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert [e["rule"] for e in data["findings"]] == ["KN001"]
    status, out, _ = _check(capsys, "--baseline", "baseline.json")
    assert status == 0
    assert out == "ragft.yaml: no findings (1 system checked); 1 waived; 1 in the baseline\n"


ONE_PER_GAP = """\
    from ragft_lint import Severity, Violation, hookimpl, rule

    @rule("ORG020", "one-per-gap", Severity.ERROR)
    def one_per_gap(system, context):
        '''Reports each declared gap, all at the architecture key.

        Why: a plugin rule may fire more than once at one key.
        Fix: none needed.
        '''
        for gap in system.get("gaps") or []:
            yield Violation(f"gap {gap}", "none", ("architecture",))

    @hookimpl
    def ragft_lint_rules():
        return [one_per_gap]
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in [m for m in sys.modules if m.startswith("org_")]:
        del sys.modules[name]


def test_a_key_firing_more_often_than_recorded_counts_the_extra_as_new(
    site: Path, project: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    make_distribution(site, "org-gaps", "1.0.0", {"org": "org_gaps"}, {"org_gaps": ONE_PER_GAP})
    only_site(monkeypatch, site)
    text = "select: [ORG]\nsystems:\n  bot:\n    architecture: rag\n    gaps: [knowledge]\n"
    (project / "ragft.yaml").write_text(text, encoding="utf-8")
    status, _, err = _check(capsys, "--write-baseline", "baseline.json")
    assert (status, err) == (0, "ragft-lint: recorded 1 finding in baseline.json\n")
    (project / "ragft.yaml").write_text(text.replace("[knowledge]", "[knowledge, behavior]"),
                                        encoding="utf-8")
    status, out, _ = _check(capsys, "-q", "--baseline", "baseline.json")
    assert status == 1
    assert len(out.splitlines()) == 1
    assert out.startswith("ragft.yaml:4:19: ORG020 [error] gap ")
    # Recorded twice, it passes; recorded more often than it fires, it passes too.
    _, _, err = _check(capsys, "--write-baseline", "baseline.json")
    assert err == "ragft-lint: recorded 2 findings in baseline.json\n"
    (project / "ragft.yaml").write_text(text, encoding="utf-8")
    assert _check(capsys, "-q", "--baseline", "baseline.json") == (0, "", "")


def test_the_baseline_works_from_another_working_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (project / "ci").mkdir()
    _record(capsys, "ci/baseline.json")
    data = json.loads((project / "ci" / "baseline.json").read_text(encoding="utf-8"))
    assert {e["declaration"] for e in data["findings"]} == {"../ragft.yaml"}
    # From a folder below: the declaration is found upwards and shown as ../ragft.yaml.
    deep = project / "src" / "pricing"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert _check(capsys, "-q")[0] == 1
    assert _check(capsys, "-q", "--baseline", "../../ci/baseline.json") == (0, "", "")
    # From the folder above the project, naming the project.
    monkeypatch.chdir(project.parent)
    assert _check(capsys, "-q", "project", "--baseline", "project/ci/baseline.json") == (
        0, "", "")
    assert _check(capsys, "-q", "project", "--baseline",
                  str(project / "ci" / "baseline.json")) == (0, "", "")


def test_the_baseline_belongs_to_one_declaration(project: Path, capsys) -> None:
    other = project / "other"
    (other / ".git").mkdir(parents=True)
    (other / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    _record(capsys)
    status, out, _ = _check(capsys, "-q", ".", "other", "--baseline", "baseline.json")
    assert status == 1
    assert {line.split(":")[0] for line in out.splitlines()} == {"other/ragft.yaml"}
    assert _rules(out) == ["KN001", "KN003"]


def test_json_and_sarif_leave_baselined_findings_out(project: Path, capsys) -> None:
    _record(capsys)
    (project / "ragft.yaml").write_text(
        DECLARATION.replace("citations: true", "citations: true\n      per_user_access: true"),
        encoding="utf-8")
    status, out, _ = _check(capsys, "--format", "json", "--baseline", "baseline.json")
    assert status == 1
    report = json.loads(out)
    assert [f["rule"] for f in report["findings"]] == ["KN004"]
    assert report["summary"] == {"error": 1, "warning": 0, "info": 0, "waived": 0}
    status, out, _ = _check(capsys, "--format", "sarif", "--baseline", "baseline.json")
    assert status == 1
    assert [r["ruleId"] for r in json.loads(out)["runs"][0]["results"]] == ["KN004"]
    status, out, _ = _check(capsys, "--format", "github", "--baseline", "baseline.json")
    assert status == 1
    assert [line.split()[0] for line in out.splitlines()] == ["::error"]
    assert "title=KN004::" in out


def _refused(capsys, *args: str) -> str:
    status, out, err = _check(capsys, *args)
    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1, err
    return err


def test_a_missing_baseline_is_a_usage_error(project: Path, capsys) -> None:
    err = _refused(capsys, "--baseline", "nope.json")
    assert err == ("ragft-lint: nope.json: no such baseline file; write one with "
                   "--write-baseline\n")


def test_invalid_json_is_reported_at_its_line_and_column(project: Path, capsys) -> None:
    (project / "baseline.json").write_text(
        '{"ragft_lint_baseline": 1,\n  "findings": [,]}\n', encoding="utf-8")
    err = _refused(capsys, "--baseline", "baseline.json")
    assert err.startswith("ragft-lint: baseline.json:2:16: not valid JSON: ")


@pytest.mark.parametrize("content, message", [
    ("[]\n", "not a ragft-lint baseline (version 1); write one with --write-baseline"),
    ('{"findings": []}\n', "not a ragft-lint baseline (version 1)"),
    ('{"ragft_lint_baseline": 2, "findings": []}\n', "not a ragft-lint baseline (version 1)"),
    ('{"ragft_lint_baseline": 1, "findings": {}}\n', "not a ragft-lint baseline (version 1)"),
    ('{"ragft_lint_baseline": 1, "findings": ["KN001"]}\n',
     "findings[0]: expected declaration, rule, system and key strings"),
    ('{"ragft_lint_baseline": 1, "findings": [{"declaration": "ragft.yaml", "rule": "KN001", '
     '"system": "pricing-bot", "key": 3}]}\n',
     "findings[0]: expected declaration, rule, system and key strings"),
    ("\ufeffnot json", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
])
def test_a_baseline_of_the_wrong_shape_is_a_usage_error(
    project: Path, capsys, content: str, message: str
) -> None:
    (project / "baseline.json").write_text(content, encoding="utf-8")
    err = _refused(capsys, "--baseline", "baseline.json")
    assert err.startswith("ragft-lint: baseline.json")
    assert message in err


def test_a_baseline_that_is_a_folder_or_not_utf8(project: Path, capsys) -> None:
    (project / "folder.json").mkdir()
    assert "cannot read the baseline" in _refused(capsys, "--baseline", "folder.json")
    (project / "latin.json").write_bytes(b'{"x": "caf\xe9"}')
    assert _refused(capsys, "--baseline", "latin.json").startswith(
        "ragft-lint: latin.json: cannot read the baseline: ")


def test_baseline_and_write_baseline_together_are_refused(project: Path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check", "--baseline", "a.json", "--write-baseline", "b.json"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--write-baseline" in err and "not allowed with argument --baseline" in err
    assert not (project / "b.json").exists()


def test_a_target_below_a_regular_file_cannot_be_written(project: Path, capsys) -> None:
    before = sorted(p.name for p in project.iterdir())
    err = _refused(capsys, "--write-baseline", "ragft.yaml/baseline.json")
    assert err.startswith("ragft-lint: ragft.yaml/baseline.json: cannot write the baseline: ")
    assert sorted(p.name for p in project.iterdir()) == before


def test_a_target_that_is_a_folder_leaves_no_temporary_file(project: Path, capsys) -> None:
    (project / "baseline.json").mkdir()
    (project / "baseline.json" / "keep").write_text("x", encoding="utf-8")
    before = sorted(p.name for p in project.iterdir())
    err = _refused(capsys, "--write-baseline", "baseline.json")
    assert err.startswith("ragft-lint: baseline.json: cannot write the baseline: ")
    assert sorted(p.name for p in project.iterdir()) == before
    assert (project / "baseline.json" / "keep").read_text(encoding="utf-8") == "x"


def test_a_read_only_folder_keeps_the_old_baseline(project: Path, capsys) -> None:
    folder = project / "ci"
    folder.mkdir()
    old = b'{"ragft_lint_baseline": 1, "findings": []}\n'
    (folder / "baseline.json").write_bytes(old)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user can write into a read-only folder (running as root)")
        err = _refused(capsys, "--write-baseline", "ci/baseline.json")
        assert err.startswith("ragft-lint: ci/baseline.json: cannot write the baseline: ")
        assert (folder / "baseline.json").read_bytes() == old
        assert sorted(p.name for p in folder.iterdir()) == ["baseline.json"]
    finally:
        folder.chmod(stat.S_IRWXU)


@pytest.mark.skipif(sys.platform == "win32", reason="file-size limits are POSIX")
def test_a_write_cut_short_keeps_the_old_baseline(project: Path) -> None:
    """A real failure half-way through the write (the file-size limit, like a full disk)."""
    old = b'{"ragft_lint_baseline": 1, "findings": []}\n'
    (project / "baseline.json").write_bytes(old)
    script = textwrap.dedent("""\
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
        from ragft_lint.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "-c", script, "check", *FIXED, "--write-baseline", "baseline.json"],
        cwd=project, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("ragft-lint: baseline.json: cannot write the baseline: ")
    assert "Traceback" not in result.stderr
    assert (project / "baseline.json").read_bytes() == old
    assert sorted(p.name for p in project.iterdir()) == [".git", "baseline.json", "ragft.yaml"]


def test_a_bad_declaration_writes_nothing(project: Path, capsys) -> None:
    old = b'{"ragft_lint_baseline": 1, "findings": []}\n'
    (project / "baseline.json").write_bytes(old)
    (project / "ragft.yaml").write_text("systems:\n  bot:\n    architecture: fine_tune\n",
                                        encoding="utf-8")
    status, out, err = _check(capsys, "--write-baseline", "baseline.json")
    assert (status, out) == (2, "")
    assert err.startswith("ragft.yaml:3:19: systems.bot.architecture: expected one of ")
    assert (project / "baseline.json").read_bytes() == old


def test_rewriting_keeps_the_file_mode_and_leaves_no_temporary_file(project: Path,
                                                                     capsys) -> None:
    target = project / "baseline.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    _record(capsys)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert json.loads(target.read_text(encoding="utf-8"))["findings"]
    assert sorted(p.name for p in project.iterdir()) == [".git", "baseline.json", "ragft.yaml"]


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("a long old content that is longer than the new one\n", encoding="utf-8")
    atomic.write_text(target, "né\n")
    assert target.read_bytes() == "né\n".encode()
    atomic.write_bytes(str(tmp_path / "new.bin"), b"\x00\x01")
    assert (tmp_path / "new.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.bin", "out.txt"]
    # A temporary file left by an earlier run that died is replaced, then gone.
    stray = tmp_path / f".out.txt.{os.getpid()}.tmp"
    stray.write_bytes(b"half")
    atomic.write_text(target, "again\n")
    assert target.read_text(encoding="utf-8") == "again\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.bin", "out.txt"]


def test_the_document_is_what_the_reader_accepts(project: Path, capsys) -> None:
    from ragft_lint import baseline

    _record(capsys)
    counts = baseline.read(str(project / "baseline.json"))
    expected: Dict[Any, int] = {
        ("ragft.yaml", "KN001", "pricing-bot", "systems.pricing-bot.knowledge.changes"): 1,
        ("ragft.yaml", "KN003", "pricing-bot", "systems.pricing-bot.knowledge.citations"): 1,
    }
    assert dict(counts) == expected


@pytest.mark.parametrize("option", ["--baseline", "--write-baseline"])
def test_an_empty_baseline_name_is_a_usage_error(option: str, tmp_path: Path, monkeypatch,
                                                 capsys) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text("systems:\n  a:\n    architecture: prompt\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-evidence", option, ""]) == 2
    assert capsys.readouterr().err == f"ragft-lint: {option} needs a file name\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "ragft.yaml"]


def test_entries_record_the_severity(project: Path, capsys) -> None:
    _record(capsys)
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert [(e["rule"], e["severity"]) for e in data["findings"]] == [
        ("KN001", "warning"), ("KN003", "error")]


def test_a_baseline_written_before_severities_is_still_read(project: Path, capsys) -> None:
    _record(capsys)
    path = project / "baseline.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["findings"]:
        del entry["severity"]
    path.write_text(json.dumps(data), encoding="utf-8")
    # Without a recorded severity an entry covers its finding at any severity, as it did.
    (project / "ragft.yaml").write_text(DECLARATION.replace("quarterly", "weekly"),
                                        encoding="utf-8")
    assert _check(capsys, "-q", "--baseline", "baseline.json") == (0, "", "")


def test_a_lowered_severity_stays_covered(project: Path, capsys) -> None:
    (project / "ragft.yaml").write_text(DECLARATION.replace("quarterly", "weekly"),
                                        encoding="utf-8")
    status, _, _ = _check(capsys, "--write-baseline", "baseline.json")
    assert status == 0
    (project / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")  # error -> warning
    assert _check(capsys, "-q", "--baseline", "baseline.json") == (0, "", "")


def test_a_wrong_severity_in_the_file_is_named(project: Path, capsys) -> None:
    _record(capsys)
    path = project / "baseline.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["findings"][0]["severity"] = "fatal"
    path.write_text(json.dumps(data), encoding="utf-8")
    status, _, err = _check(capsys, "--baseline", "baseline.json")
    assert status == 2
    assert "findings[0].severity: expected one of error, warning, info, found 'fatal'" in err
