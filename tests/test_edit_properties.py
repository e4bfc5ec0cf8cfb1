"""``check --fix`` and ``waive`` change exactly what they target, and nothing else.

Declarations are generated with comments, flow and block styles, CRLF or LF line ends, anchors
and aliases; each comes with the text it must become, line for line, so that the test is of the
bytes, not only of the values read back.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ragft_lint.cli import main
from ragft_lint.declaration.toml_source import read_pyproject
from ragft_lint.declaration.yaml_source import read_yaml

NONE_WORDS = ["none", "None", "no", "off", "null", "NONE"]
COMMENTS = ["", "  # note", "   # why: 'quoted' \"too\""]


@st.composite
def yaml_declarations(draw: Any) -> Tuple[str, str, Dict[str, int]]:
    """(text, text after --fix, records per eval file)."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    before: List[str] = ["# yaml-language-server: $schema=./ragft.schema.json", "systems:"]
    after = list(before)
    records: Dict[str, int] = {}
    count = draw(st.integers(1, 3))
    for i in range(count):
        name = f"bot-{i}"
        comment = draw(st.sampled_from(COMMENTS))
        lines = [(f"  {name}:{comment}", f"  {name}:{comment}"),
                 ("    architecture: rag", "    architecture: rag")]
        gaps = draw(st.booleans())
        if gaps:
            lines.append(("    gaps: [knowledge]", "    gaps: [knowledge]"))
        word = draw(st.sampled_from([*NONE_WORDS, "cross-encoder/x", "false"]))
        fixed = "false" if word in NONE_WORDS else word
        if draw(st.booleans()):
            lines.append((f"    rag: {{reranker: {word}, retrieve_k: 20, context_k: 5}}",
                          f"    rag: {{reranker: {fixed}, retrieve_k: 20, context_k: 5}}"))
        else:
            note = draw(st.sampled_from(COMMENTS))
            lines += [("    rag:", "    rag:"),
                      (f"      reranker: {word}{note}", f"      reranker: {fixed}{note}"),
                      ("      retrieve_k:   20", "      retrieve_k:   20")]
        held = draw(st.integers(1, 30))
        declared = draw(st.sampled_from([held, held + draw(st.integers(1, 50))]))
        records[f"evals/{name}.jsonl"] = held
        labeled = "&labeled true" if i == 0 else "*labeled"
        lines += [("    eval:", "    eval:"),
                  (f"      path: evals/{name}.jsonl", f"      path: evals/{name}.jsonl"),
                  (f"      examples: {declared}  # counted", f"      examples: {held}  # counted"),
                  (f"      labeled: {labeled}", f"      labeled: {labeled}")]
        waivers = draw(st.sampled_from([(), ("BL001",), ("KN001",), ("BL001", "KN001")]))
        used = [w for w in waivers if w == "BL001" and not gaps]
        entries: List[Tuple[str, List[str]]] = []
        for waiver in waivers:
            if draw(st.booleans()):
                entries.append((waiver, [f"      {waiver}: {{reason: 'accepted, for now'}}"]))
            else:
                entries.append((waiver, [f"      {waiver}:", '        reason: "accepted: why"']))
        before += [old for old, _ in lines]
        after += [new for _, new in lines]
        if waivers:
            # A removed waiver takes its own lines; the last one takes ``waivers:`` and every
            # line under it.
            before.append("    waivers:")
            kept = ["    waivers:"] if used else []
            for waiver, text in entries:
                comment = "      # " + waiver.lower()
                before += [comment, *text]
                if used:
                    kept += [comment, *(text if waiver in used else [])]
            after += kept
        if draw(st.booleans()):
            before.append("")
            after.append("")
    return newline.join(before) + newline, newline.join(after) + newline, records


def _project(root: Path, name: str, text: str, records: Dict[str, int]) -> Path:
    root.mkdir()
    (root / ".git").mkdir()
    for path, count in records.items():
        (root / path).parent.mkdir(exist_ok=True)
        (root / path).write_text("".join(f'{{"input": "q{i}", "output": "a{i}"}}\n'
                                         for i in range(count)))
    target = root / name
    target.write_bytes(text.encode("utf-8"))
    return target


# Examples per test as the profile says (conftest.py): 60 in CI, 3,000 when thorough.
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(yaml_declarations())
def test_fix_changes_exactly_the_targeted_yaml(tmp_path_factory: Any,
                                               case: Tuple[str, str, Dict[str, int]]) -> None:
    text, expected, records = case
    target = _project(tmp_path_factory.mktemp("fix") / "p", "ragft.yaml", text, records)
    cwd = os.getcwd()
    os.chdir(target.parent)
    try:
        status = main(["check", "--fix", "-q", "--no-cache"])
    finally:
        os.chdir(cwd)
    got = target.read_bytes().decode("utf-8")
    assert got == expected, "".join(difflib.unified_diff(
        expected.splitlines(True), got.splitlines(True)))
    assert status in (0, 1)
    assert read_yaml("f", "f", got).data == read_yaml("f", "f", expected).data


@FAST
@given(yaml_declarations(), st.sampled_from(["RG002", "BL001", "KN001", "EV006"]),
       st.sampled_from(["latency budget", "an 'odd': reason # here"]),
       st.sampled_from([None, "2099-01-31"]))
def test_waive_in_yaml_adds_only_the_waiver(tmp_path_factory: Any, case: Any, rule: str,
                                            reason: str, expires: Any) -> None:
    _, text, records = case  # the fixed text: a declaration waive accepts
    target = _project(tmp_path_factory.mktemp("waive") / "p", "ragft.yaml", text, records)
    extra = ["--expires", expires] if expires else []
    assert main(["waive", rule, "bot-0", str(target), "--reason", reason, *extra]) == 0
    got = target.read_bytes().decode("utf-8")
    _only_added_or_one_line_changed(text, got)
    waiver = read_yaml("f", "f", got).data["systems"]["bot-0"]["waivers"][rule]
    assert waiver["reason"] == reason
    assert waiver.get("expires") == expires or (expires is None and "expires" in waiver)


def _only_added_or_one_line_changed(before: str, after: str) -> None:
    changed = [op for op in difflib.SequenceMatcher(
        None, before.splitlines(True), after.splitlines(True), autojunk=False).get_opcodes()
        if op[0] != "equal"]
    for tag, i1, i2, _, _ in changed:
        assert tag == "insert" or (tag == "replace" and i2 - i1 == 1), (tag, before, after)
    assert ("\r\n" in before) == ("\r\n" in after)
    if "\r\n" in before:
        assert after.count("\n") == after.count("\r\n")


@st.composite
def pyprojects(draw: Any) -> str:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ["[project]", "name = 'demo'  # the name", "", "[tool.ragft-lint]",
             "fail_on = 'error'"]
    shape = draw(st.sampled_from(["header", "inline", "waivers-table", "waiver-tables",
                                  "none", "dotted", "inline-system"]))
    if shape == "inline-system":
        lines += ["", "[tool.ragft-lint.systems]",
                  "bot-0 = {architecture = 'rag', waivers = {KN001 = {reason = 'x'}}}"]
    else:
        lines += ["", "[tool.ragft-lint.systems.bot-0]  # our bot", 'architecture = "rag"']
        if shape == "inline":
            lines.append("waivers = { KN001 = { reason = 'weekly' } }")
        elif shape == "dotted":
            lines.append("waivers.KN001.reason = 'weekly'")
        elif shape == "waivers-table":
            lines += ["", "[tool.ragft-lint.systems.bot-0.waivers]",
                      "KN001 = {reason = \"weekly\"}"]
        elif shape == "waiver-tables":
            lines += ["", "# accepted", "[tool.ragft-lint.systems.bot-0.waivers.KN001]",
                      "reason = '''weekly'''"]
    lines += ["", "[tool.other]", "x = [1,", "  2]  # trailing"]
    return newline.join(lines) + newline


@FAST
@given(pyprojects(), st.sampled_from(["RG002", "KN001"]),
       st.sampled_from(["latency budget", 'say "why" \\ here']),
       st.sampled_from([None, "2099-01-31"]))
def test_waive_in_pyproject_adds_only_the_waiver(tmp_path_factory: Any, text: str, rule: str,
                                                 reason: str, expires: Any) -> None:
    import datetime

    target = _project(tmp_path_factory.mktemp("toml") / "p", "pyproject.toml", text, {})
    extra = ["--expires", expires] if expires else []
    assert main(["waive", rule, "bot-0", str(target), "--reason", reason, *extra]) == 0
    got = target.read_bytes().decode("utf-8")
    _only_added_or_one_line_changed(text, got)
    document = read_pyproject("p", "p", got)
    assert document is not None
    waiver = document.data["systems"]["bot-0"]["waivers"][rule]
    assert waiver["reason"] == reason
    if expires:
        assert waiver["expires"] == datetime.date.fromisoformat(expires)
    before = read_pyproject("p", "p", text)
    assert before is not None
    assert document.data["fail_on"] == before.data["fail_on"]


@pytest.mark.parametrize("crlf", [False, True])
def test_fix_removes_an_unused_waiver_in_pyproject(tmp_path: Path, crlf: bool) -> None:
    newline = "\r\n" if crlf else "\n"
    text = newline.join([
        "[tool.ragft-lint.systems.bot]", "architecture = 'rag'", "gaps = ['knowledge']",
        "rag = {reranker = 'none', retrieve_k = 20, context_k = 5}", "",
        "[tool.ragft-lint.systems.bot.waivers.KN001]", "reason = 'nothing to waive'", "",
        "# the next table", "[tool.other]", "y = 1", ""])
    target = _project(tmp_path / "p", "pyproject.toml", text, {})
    assert main(["check", "--fix", "--no-evidence", "-q", str(target)]) in (0, 1)
    got = target.read_bytes().decode("utf-8")
    assert got == newline.join([
        "[tool.ragft-lint.systems.bot]", "architecture = 'rag'", "gaps = ['knowledge']",
        "rag = {reranker = false, retrieve_k = 20, context_k = 5}", "",
        "# the next table", "[tool.other]", "y = 1", ""])


@st.composite
def waived_yamls(draw: Any) -> Tuple[bytes, str]:
    """(file bytes, newline): a waiver of KN001 whose reason is plain, quoted or a block scalar
    with a comment on its indicator line, under a plain or an explicit (``? key``) key, with
    comments and blank lines around it, LF or CRLF, with or without a BOM."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ["# top", "systems:", "  bot:  # the bot", "    architecture: rag",
             "    rag: {reranker: false, retrieve_k: 20, context_k: 5}", "    waivers:"]
    explicit = draw(st.booleans())
    lines += ["      ? KN001", "      :"] if explicit else ["      KN001:"]
    inner = "        "
    style = draw(st.sampled_from(["plain", "quoted", ">-", ">", "|", "|+", "|-"]))
    if style == "plain":
        lines.append(f"{inner}reason: the old words  # said so")
    elif style == "quoted":
        lines.append(f"{inner}reason: 'the old words'  # said so")
    else:
        lines += [f"{inner}reason: {style}  # block, on purpose", f"{inner}  the old words,",
                  f"{inner}  on two lines"]
        if draw(st.booleans()):
            lines.append("")
    lines.append(f"{inner}# a comment after the reason")
    if draw(st.booleans()):
        lines.append(f"{inner}expires: 2099-01-31")
    lines += ["", "# the end", ""]
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + newline.join(lines).encode("utf-8"), newline


@FAST
@given(waived_yamls(), st.sampled_from(["KN001", "RG002"]),
       st.sampled_from(["new words", "first line\nsecond line", "a 'quoted': one # not"]))
def test_waive_keeps_block_scalars_explicit_keys_and_comments(
        tmp_path_factory: Any, case: Tuple[bytes, str], rule: str, reason: str) -> None:
    raw, newline = case
    target = _project(tmp_path_factory.mktemp("blocks") / "p", "ragft.yaml", "", {})
    target.write_bytes(raw)
    status = main(["waive", rule, "bot", str(target), "--reason", reason])
    got = target.read_bytes()
    if status == 2:  # refused: not a byte changed
        assert got == raw
        return
    assert status == 0
    assert got.startswith(b"\xef\xbb\xbf") == raw.startswith(b"\xef\xbb\xbf")
    text, before = got.decode("utf-8-sig"), raw.decode("utf-8-sig")
    assert text.count("\n") == text.count("\r\n") or newline == "\n"
    if newline == "\n":
        assert "\r" not in text
    # Every comment and every line outside the targeted reason is still there, in order.
    kept = [line for line in before.splitlines()
            if "the old words" not in line and "on two lines" not in line
            and "reason:" not in line]
    after = iter(text.splitlines())
    assert all(any(line == other for other in after) for line in kept), text
    for comment in ("# block, on purpose", "# said so"):
        assert (comment in before) == (comment in text), text
    waiver = read_yaml("f", "f", text).data["systems"]["bot"]["waivers"][rule]
    assert waiver["reason"] == reason


def test_fix_keeps_comments_after_removed_toml_tables_with_crlf_and_bom(tmp_path: Path) -> None:
    lines = ["[tool.ragft-lint.systems.bot]", "architecture = 'rag'", "gaps = ['knowledge']",
             "rag = {reranker = false, retrieve_k = 20, context_k = 5}", "",
             "[tool.ragft-lint.systems.bot.waivers.KN001]", "reason = 'nothing to waive'",
             "", "# about what follows, after a blank line", "", "[tool.other]", "y = 1",
             "", "# the end of the file", ""]
    target = _project(tmp_path / "p", "pyproject.toml", "", {})
    target.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())
    assert main(["check", "--fix", "--no-evidence", "-q", str(target)]) in (0, 1)
    assert target.read_bytes() == b"\xef\xbb\xbf" + "\r\n".join(
        lines[:5] + lines[8:]).encode()
