"""``--format sarif``: validated against the official SARIF 2.1.0 schema, and read back field by
field against the text output of the same run."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

from helpers import require_file
from ragft_lint.cli import main

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
FIXED = ["--as-of", "2026-11-23", "--no-evidence"]

DECLARATION = """\
# Two systems: a fine-tune on changing prices, and a small FAQ behind retrieval.
systems:
  pricing-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: quarterly
      citations: true
    eval:
      examples: 200
    waivers:
      KN002:
        reason: "legal asked for a frozen snapshot: 100% reviewed, no retrieval"
  faq-bot:
    architecture: rag
    knowledge:
      corpus_tokens: 40000
    prompt:
      context_window_tokens: 128000
"""

CLEAN = """\
select: [KN]
systems:
  tone-bot:
    architecture: prompt
    gaps: [behavior]
"""

TEXT_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<rule>[A-Z]+\d+) "
                       r"\[(?P<severity>\w+)\]")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def validator() -> Any:
    require_file(SCHEMA, "the official SARIF schema")
    from jsonschema.validators import validator_for

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    # The file declares draft-04; make sure the matching validator class was picked.
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert cls.__name__ == "Draft4Validator"
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _sarif(capsys: pytest.CaptureFixture[str], *args: str, status: int = 1) -> Dict[str, Any]:
    assert main(["check", "--format", "sarif", *FIXED, *args]) == status
    captured = capsys.readouterr()
    assert captured.err == ""
    log: Dict[str, Any] = json.loads(captured.out)
    return log


def _valid(validator: Any, log: Dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def test_the_log_is_valid_sarif_2_1_0(project: Path, capsys, validator: Any) -> None:
    log = _sarif(capsys)
    _valid(validator, log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "ragft-lint"


def test_every_rule_that_ran_is_described_with_its_help(project: Path, capsys) -> None:
    log = _sarif(capsys)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert {"KN001", "KN002", "KN003", "KN006", "EV006", "RG001"} <= set(ids)
    capsys.readouterr()
    assert main(["rules"]) == 0
    listed = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    assert set(ids) == set(listed)  # no selection: every rule ran
    for rule in rules:
        assert rule["name"] == listed[rule["id"]][1]
        assert rule["shortDescription"]["text"].strip()
        assert "Why:" in rule["help"]["text"] and "Fix:" in rule["help"]["text"]
        assert rule["help"]["markdown"].startswith(rule["help"]["text"])
        level = {"error": "error", "warning": "warning", "info": "note"}[listed[rule["id"]][2]]
        assert rule["defaultConfiguration"]["level"] == level
    kn003 = rules[ids.index("KN003")]
    assert kn003["shortDescription"]["text"] == (
        "Answers must cite their sources, but nothing is retrieved.")
    assert "Example that fires:\n\n```yaml\nsystems:\n  legal-bot:" in kn003["help"]["markdown"]


def test_a_selection_describes_only_the_rules_that_ran(project: Path, capsys) -> None:
    log = _sarif(capsys, "--select", "KN00")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["KN001", "KN002", "KN003", "KN004", "KN005", "KN006",
                                        "KN007"]
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"KN001", "KN002", "KN003",
                                                                "KN006"}


def test_results_agree_with_the_text_output(project: Path, capsys) -> None:
    assert main(["check", "-q", *FIXED]) == 1
    text = [TEXT_LINE.match(line) for line in capsys.readouterr().out.splitlines()]
    assert all(text)
    expected = sorted((m["rule"], m["path"], int(m["line"]), int(m["column"]), m["severity"])
                      for m in text if m)
    log = _sarif(capsys)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    got = []
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        if "suppressions" in result:
            continue  # the text output leaves waived findings out
        severity = {"error": "error", "warning": "warning", "note": "info"}[result["level"]]
        got.append((result["ruleId"], physical["artifactLocation"]["uri"],
                    region["startLine"], region["startColumn"], severity))
    assert sorted(got) == expected
    assert len(expected) == 14  # EV010 (an undated fine-tune eval) and DE001 among them
    assert {level for *_, level in got} == {"error", "warning", "info"}


def test_a_result_carries_message_key_and_system(project: Path, capsys) -> None:
    run = _sarif(capsys)["runs"][0]
    (kn003,) = [r for r in run["results"] if r["ruleId"] == "KN003"]
    assert kn003["level"] == "error"
    assert kn003["message"]["text"] == (
        "knowledge.citations is true, but a fine-tune-only system has no source in its context "
        "to cite (pricing-bot)")
    assert kn003["locations"][0]["physicalLocation"]["region"] == {"startLine": 8,
                                                                    "startColumn": 18}
    assert kn003["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "systems.pricing-bot.knowledge.citations")
    assert kn003["properties"]["system"] == "pricing-bot"
    assert kn003["properties"]["fix"]
    assert "suppressions" not in kn003
    # The uri base is the working directory, so viewers can resolve the relative uri.
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    assert base == Path.cwd().as_uri() + "/"


def test_a_waived_finding_is_a_suppressed_result(project: Path, capsys, validator) -> None:
    log = _sarif(capsys)
    _valid(validator, log)
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["KN002"]
    (result,) = suppressed
    assert result["level"] == "error"
    assert result["suppressions"] == [{
        "kind": "inSource",
        "status": "accepted",
        "justification": "legal asked for a frozen snapshot: 100% reviewed, no retrieval",
    }]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 5,
                                                                     "startColumn": 12}


def test_an_expired_waiver_suppresses_nothing(project: Path, capsys) -> None:
    text = DECLARATION.replace('retrieval"\n', 'retrieval"\n        expires: 2026-01-31\n')
    (project / "ragft.yaml").write_text(text, encoding="utf-8")
    run = _sarif(capsys)["runs"][0]
    (kn002,) = [r for r in run["results"] if r["ruleId"] == "KN002"]
    assert "suppressions" not in kn002


def test_a_clean_declaration_gives_an_empty_valid_log(
    project: Path, capsys, validator: Any
) -> None:
    (project / "ragft.yaml").write_text(CLEAN, encoding="utf-8")
    log = _sarif(capsys, status=0)
    _valid(validator, log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
    assert [r["id"] for r in run["tool"]["driver"]["rules"]][:1] == ["KN001"]


def test_two_runs_print_the_same_bytes(project: Path, capsys) -> None:
    assert main(["check", "--format", "sarif", *FIXED]) == 1
    first = capsys.readouterr().out
    assert main(["check", "--format", "sarif", *FIXED]) == 1
    assert capsys.readouterr().out == first
    assert first.endswith("}\n")


def test_a_path_with_a_space_is_uri_encoded(project: Path, capsys, validator: Any) -> None:
    folder = project / "services" / "price bot"
    folder.mkdir(parents=True)
    (project / "ragft.yaml").rename(folder / "ragft.yaml")
    assert main(["check", "-q", *FIXED, "services/price bot"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("services/price bot/ragft.yaml:4:19: ")
    log = _sarif(capsys, "services/price bot")
    _valid(validator, log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert uris == {"services/price%20bot/ragft.yaml"}


def test_a_working_directory_with_a_space_gives_an_encoded_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, validator: Any
) -> None:
    folder = tmp_path / "my project"
    (folder / ".git").mkdir(parents=True)
    (folder / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    monkeypatch.chdir(folder)
    log = _sarif(capsys)
    _valid(validator, log)
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert " " not in base and base.endswith("/my%20project/")


def test_two_declarations_in_one_log(project: Path, capsys, validator: Any) -> None:
    other = project / "other"
    (other / ".git").mkdir(parents=True)
    (other / "ragft.yaml").write_text(CLEAN.replace("select: [KN]\n", ""), encoding="utf-8")
    log = _sarif(capsys, ".", "other")
    _valid(validator, log)
    uris: List[str] = sorted({r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                              for r in log["runs"][0]["results"]})
    assert uris[0] == "other/ragft.yaml" and uris[-1] == "ragft.yaml"
    ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))  # each rule described once, however many declarations
