"""Findings of the declaration as a whole (TH001): at their own line, of no system, in every
output, the baseline and the pytest plugin."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from helpers import require_file
from ragft_lint.cli import main

pytest_plugins = ["pytester"]

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
FIXED = ["--as-of", "2026-11-23", "--no-evidence", "--select", "TH001,KN001"]

# The threshold is declared on line 3, column 22 (its value); the systems come later.
DECLARATION = """\
# A prompt system, and a bar lowered for everyone.
thresholds:
  min_eval_examples: 25
systems:
  faq-bot:
    architecture: prompt
  pricing-bot:
    architecture: fine-tune
    knowledge: {changes: weekly}
"""
LINE, COLUMN = 3, 22


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["check", *FIXED, *args]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.out


def test_text_puts_it_at_the_threshold_with_no_system(project: Path, capsys) -> None:
    lines = _out(capsys).splitlines()
    [th001] = [line for line in lines if " TH001 " in line]
    assert th001.startswith(f"ragft.yaml:{LINE}:{COLUMN}: TH001 [warning] "
                            "thresholds.min_eval_examples is 25, below its default 150")
    assert not re.search(r"\((faq-bot|pricing-bot)\)$", th001)
    [kn001] = [line for line in lines if " KN001 " in line]
    assert kn001.endswith("(pricing-bot)")  # a system's finding still names its system


def test_json_gives_it_a_null_system(project: Path, capsys) -> None:
    data = json.loads(_out(capsys, "--format", "json"))
    [th001] = [f for f in data["findings"] if f["rule"] == "TH001"]
    assert th001["system"] is None
    assert (th001["path"], th001["line"], th001["column"]) == ("ragft.yaml", LINE, COLUMN)
    assert th001["key"] == "thresholds.min_eval_examples"
    assert data["summary"]["warning"] == 1


def test_sarif_is_valid_and_names_no_system(project: Path, capsys) -> None:
    require_file(SCHEMA, "the official SARIF schema")
    from jsonschema.validators import validator_for

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    log = json.loads(_out(capsys, "--format", "sarif"))
    errors = [e.message for e in validator.iter_errors(log)]
    assert not errors, errors[:5]
    [result] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "TH001"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (LINE, COLUMN)
    assert "system" not in result["properties"]
    assert not result["message"]["text"].endswith(")")


def test_github_annotates_the_threshold_line(project: Path, capsys) -> None:
    out = _out(capsys, "--format", "github")
    [th001] = [line for line in out.splitlines() if "TH001" in line]
    assert th001.startswith(f"::warning file=ragft.yaml,line={LINE},col={COLUMN},title=TH001::")
    assert "faq-bot" not in th001 and "pricing-bot" not in th001


def test_html_shows_it_as_the_declaration_s(project: Path) -> None:
    from ragft_lint import check

    report = check(project / "ragft.yaml", evidence=False, select=["TH001"])
    html = report._repr_html_()
    assert "(declaration)" in html and "TH001" in html
    assert f"ragft.yaml:{LINE}:{COLUMN}" in html


def test_a_baseline_records_it_and_leaves_it_out(project: Path, capsys) -> None:
    main(["check", *FIXED, "--write-baseline", "baseline.json"])
    assert "Traceback" not in capsys.readouterr().err
    entries = json.loads((project / "baseline.json").read_text(encoding="utf-8"))["findings"]
    [entry] = [e for e in entries if e["rule"] == "TH001"]
    assert entry["system"] is None and entry["key"] == "thresholds.min_eval_examples"
    assert main(["check", *FIXED, "--baseline", "baseline.json"]) == 0
    assert "TH001" not in capsys.readouterr().out
    # Given its reason, the entry is stale, and says whose it was.
    (project / "ragft.yaml").write_text(DECLARATION.replace(
        "min_eval_examples: 25",
        'min_eval_examples: {value: 25, reason: "five labels, five examples each"}'),
        encoding="utf-8")
    assert main(["check", *FIXED, "--baseline", "baseline.json", "--format", "json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("TH001 of the declaration" in n["message"] for n in notes)


def _load() -> list[str]:
    """Load the plugin by name where this environment has no entry point for it."""
    from importlib import metadata

    installed = any(ep.group == "pytest11" and ep.value == "ragft_lint.pytest_plugin"
                    for dist in metadata.distributions() for ep in dist.entry_points)
    return [] if installed else ["-p", "ragft_lint.pytest_plugin"]


def test_the_pytest_plugin_fails_an_item_of_the_declaration(pytester: Any) -> None:
    (pytester.path / ".git").mkdir()
    (pytester.path / "ragft.yaml").write_text(
        "fail_on: warning\nevidence: false\nselect: [TH001, KN001]\n" + DECLARATION.replace(
            "    knowledge: {changes: weekly}\n", "    gaps: [behavior]\n"), encoding="utf-8")
    result = pytester.runpytest_subprocess(*_load(), "-p", "no:cacheprovider", "--ragft-lint",
                                           "-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*ragft-lint::ragft.yaml FAILED*",
        "*ragft.yaml itself: 1 finding at or above fail_on (warning)*",
        f"*ragft.yaml:{LINE + 3}:{COLUMN}: TH001 [[]warning] thresholds.min_eval_examples*"])
    assert "Traceback" not in result.stdout.str()
