"""Every rule documents itself, and its examples are true: one fires, one passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import fired
from ragft_lint import host as host_module
from ragft_lint.cli import main
from ragft_lint.output import rules_reference

RULES = list(host_module.load(entry_points=[]).rules)
# The DA rules compare the declaration with files on disk: their examples need the files.
DECLARATIVE = [r for r in RULES if not r.id.startswith("DA")]
DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_documentation_has_every_part(rule) -> None:
    parts = rule.sections()
    text = parts["text"]
    assert rule.summary and not rule.summary.startswith(("Why", "Fix"))
    assert "Why:" in text and "Fix:" in text
    assert "fires" in parts and "passes" in parts


@pytest.mark.parametrize("rule", DECLARATIVE, ids=[r.id for r in DECLARATIVE])
def test_example_that_fires_fires(rule, run_yaml) -> None:
    report = run_yaml(rule.sections()["fires"])
    assert fired(report, rule.id), f"{rule.id}'s Fires example does not fire"


@pytest.mark.parametrize("rule", DECLARATIVE, ids=[r.id for r in DECLARATIVE])
def test_example_that_passes_passes(rule, run_yaml) -> None:
    report = run_yaml(rule.sections()["passes"])
    assert not fired(report, rule.id), f"{rule.id}'s Passes example fires"


def test_rules_reference_page_is_up_to_date() -> None:
    expected = rules_reference.render(RULES)
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is out of date: run `ragft-lint rules --format markdown > docs/rules.md`"
    )


def test_every_rule_is_listed_and_shown(capsys) -> None:
    assert main(["rules"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == [r.id for r in RULES]
    for r in RULES:
        assert main(["rule", r.id]) == 0
        assert capsys.readouterr().out.startswith(f"{r.id} {r.name} [{r.severity}]")
