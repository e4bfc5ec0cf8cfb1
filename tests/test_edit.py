"""YAML 1.2 as editors read it, merge keys, ``check --fix`` and ``waive`` through ``main``."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import List, Tuple

import pytest

from ragft_lint.cli import main
from ragft_lint.declaration.yaml_source import c_parser_available, read_yaml
from ragft_lint.errors import DeclarationError

SYSTEM = "systems:\n  bot:\n    architecture: rag\n"
Cap = pytest.CaptureFixture


def project(tmp_path: Path, text: str, name: str = "ragft.yaml") -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    target = tmp_path / name
    target.write_bytes(text.encode("utf-8"))
    return target


def run(args: List[str], capsys: Cap) -> Tuple[int, str, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# -- YAML 1.2 --------------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "meant"), [("yes", "true"), ("No", "false"), ("on", "true"),
                                             ("off", "false")])
def test_a_yaml_1_1_boolean_is_refused_with_did_you_mean(tmp_path: Path, capsys: Cap,
                                                         word: str, meant: str) -> None:
    target = project(tmp_path, SYSTEM + f"    knowledge:\n      citations: {word}\n")
    status, out, err = run(["check", "--no-evidence", str(target)], capsys)
    assert status == 2 and out == ""
    assert err.strip().endswith(f"ragft.yaml:5:18: systems.bot.knowledge.citations: expected "
                                f"true or false, found the string {word!r}; did you mean "
                                f"{meant}?")


def test_an_exponent_is_a_number(tmp_path: Path, capsys: Cap) -> None:
    target = project(tmp_path, SYSTEM + "    prompt: {baseline_score: 1e-5}\n")
    status, _, err = run(["check", "--no-evidence", "-q", str(target)], capsys)
    assert status in (0, 1), err
    assert read_yaml("t", "t", target.read_text()).data["systems"]["bot"]["prompt"] == {
        "baseline_score": 1e-5}


def test_the_c_parser_is_used_on_cpython() -> None:
    assert c_parser_available() == (platform.python_implementation() == "CPython")


# -- merge keys ------------------------------------------------------------------------------

MERGED = """\
systems:
  first: &base
    architecture: fine-tune
    knowledge: {changes: weekly}
  second:
    <<: *base
    architecture: rag
  third:
    <<: [*base, {gaps: [knowledge]}]
"""


def test_merged_keys_are_read_and_located_where_the_anchor_defines_them() -> None:
    document = read_yaml("m.yaml", "m.yaml", MERGED)
    systems = document.data["systems"]
    assert systems["second"] == {"architecture": "rag", "knowledge": {"changes": "weekly"}}
    assert systems["third"] == {"architecture": "fine-tune", "knowledge": {"changes": "weekly"},
                                "gaps": ["knowledge"]}
    assert document.position(("systems", "second", "knowledge", "changes")) == (4, 26)
    assert document.position(("systems", "second", "architecture")) == (7, 19)
    assert document.position(("systems", "third", "architecture")) == (3, 19)
    assert document.position(("systems", "third", "gaps")) == (9, 24)


def test_a_finding_on_a_merged_key_points_at_the_anchor(tmp_path: Path,
                                                        capsys: Cap) -> None:
    target = project(tmp_path, MERGED)
    _, out, _ = run(["check", "--no-evidence", "--format", "json", str(target)], capsys)
    found = [f for f in json.loads(out)["findings"]
             if f["rule"] == "KN001" and f["system"] == "third"]
    assert found and (found[0]["line"], found[0]["column"]) == (4, 26)


@pytest.mark.parametrize("text", ["a: &a {<<: *a}\n", "systems:\n  a:\n    <<: [1]\n"])
def test_bad_merges_are_located_errors(text: str) -> None:
    with pytest.raises(DeclarationError):
        read_yaml("m.yaml", "m.yaml", text)


# -- check --fix -----------------------------------------------------------------------------


def test_fix_writes_nothing_when_another_problem_remains(tmp_path: Path,
                                                         capsys: Cap) -> None:
    text = SYSTEM + "    rag: {reranker: none}\n    eval: {examples: many}\n"
    target = project(tmp_path, text)
    status, _, err = run(["check", "--fix", "--no-evidence", str(target)], capsys)
    assert status == 2
    assert "systems.bot.eval.examples" in err and "reranker" not in err
    assert target.read_text() == text


def test_fix_without_evidence_fixes_only_what_needs_none(tmp_path: Path,
                                                        capsys: Cap) -> None:
    (tmp_path / "evals").mkdir()
    (tmp_path / "evals" / "e.jsonl").write_text('{"input": "q", "output": "a"}\n')
    text = (SYSTEM + "    gaps: [knowledge]\n    rag:\n      reranker: None\n"
            "    eval:\n      path: evals/e.jsonl\n      examples: 9\n"
            "    waivers:\n      KN001:\n        reason: spare\n")
    target = project(tmp_path, text)
    status, _, err = run(["check", "--fix", "--no-evidence", str(target)], capsys)
    assert status in (0, 1)
    assert target.read_text() == text.replace("reranker: None", "reranker: false")
    assert "fixed rag.reranker: 'None' -> false (bot)" in err
    assert "the waiver of KN001 (bot) is kept" in err
    status, _, err = run(["check", "--fix", str(target)], capsys)
    assert "fixed DA002: eval.examples 9 -> 1 (bot)" in err
    assert "fixed WV002: removed the unused waiver of KN001, and waivers with it" in err
    assert target.read_text().endswith("      examples: 1\n")


def test_fix_leaves_a_value_an_anchor_shares_to_a_person(tmp_path: Path,
                                                         capsys: Cap) -> None:
    (tmp_path / "evals").mkdir()
    (tmp_path / "evals" / "e.jsonl").write_text('{"input": "q", "output": "a"}\n')
    text = ("systems:\n  a:\n    architecture: rag\n    eval: &e {path: evals/e.jsonl, "
            "examples: 9}\n  b:\n    architecture: rag\n    eval: *e\n")
    target = project(tmp_path, text)
    _, _, err = run(["check", "--fix", str(target)], capsys)
    assert "not fixed DA002: eval.examples 9 -> 1 (a): shared through an anchor" in err
    assert target.read_text() == text


# -- waive -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "says"), [
    (["RG01", "bot", "--reason", "x"], "unknown rule 'RG01'; did you mean 'RG001'?"),
    (["RG001", "bto", "--reason", "x"], "no system 'bto'; did you mean 'bot'?"),
    (["RG001", "bot", "--reason", "  "], "--reason must say why"),
    (["RG001", "bot", "--reason", "x", "--expires", "2001-01-01"], "is in the past"),
])
def test_waive_refuses_what_it_cannot_write(tmp_path: Path, capsys: Cap,
                                            args: List[str], says: str) -> None:
    target = project(tmp_path, SYSTEM)
    status, _, err = run(["waive", *args[:2], str(target), *args[2:]], capsys)
    assert status == 2
    assert says in err and "Traceback" not in err
    assert target.read_text() == SYSTEM


def test_waive_writes_nothing_into_an_invalid_declaration(tmp_path: Path,
                                                          capsys: Cap) -> None:
    text = SYSTEM + "    gaps: maybe\n"
    target = project(tmp_path, text)
    status, _, err = run(["waive", "RG001", "bot", str(target), "--reason", "x"], capsys)
    assert status == 2 and "gaps" in err
    assert target.read_text() == text


def test_waive_updates_the_reason_and_keeps_the_expiry(tmp_path: Path,
                                                       capsys: Cap) -> None:
    text = SYSTEM + "    waivers:\n      RG001:   # ours\n        reason: 'old'\n" \
                    "        expires: 2099-01-01\n"
    target = project(tmp_path, text)
    status, _, err = run(["waive", "RG001", "bot", str(target), "--reason", "new one"], capsys)
    assert status == 0
    assert "updated the waiver of RG001 for bot" in err
    assert target.read_text() == text.replace("'old'", "'new one'")


def test_waive_adds_a_waivers_table_to_a_pyproject(tmp_path: Path,
                                                   capsys: Cap) -> None:
    text = '[tool.ragft-lint.systems.bot]\narchitecture = "rag"\n\n[tool.black]\nline = 1\n'
    target = project(tmp_path, text, "pyproject.toml")
    status, _, _ = run(["waive", "RG001", "bot", str(target), "--reason", "latency",
                        "--expires", "2099-12-31"], capsys)
    assert status == 0
    assert target.read_text() == (
        '[tool.ragft-lint.systems.bot]\narchitecture = "rag"\n\n'
        '[tool.ragft-lint.systems.bot.waivers.RG001]\nreason = "latency"\n'
        'expires = 2099-12-31\n\n[tool.black]\nline = 1\n')
