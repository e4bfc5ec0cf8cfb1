"""TOML edits: the hand-written splicer (``edit/toml_text.py``) against tomlkit.

Makes the edits ``ragft-lint waive`` and ``ragft-lint check --fix`` make to a
``pyproject.toml``'s ``[tool.ragft-lint]`` table, on the cases of the property tests
(``tests/test_edit_properties.py``), once through the product's splicer and once through tomlkit
(``tomlkit.parse``, change the document, ``tomlkit.dumps``), and counts, for each, the cases that
lose or change bytes they should not, by kind (comment, blank line, CRLF, BOM, quoting, key
order, end-of-file comment, ...), with one diff of each kind. It also times both (median per
edit) and tomlkit's import.

Cases:

- ``waive``: the files of the ``pyprojects`` strategy (drawn with the tests' own strategy under
  ``hypothesis.given``, derandomized, then deduplicated) with each rule, reason and expiry the
  test draws. The test gives no exact bytes here; its oracle is used: every line of the file is
  kept, in order, except at most one line that is replaced (the edited one, which must keep its
  comment), line ends as in the file, and the values read back as the waiver intends;
- ``fix``: the fixed examples of ``test_fix_removes_an_unused_waiver_in_pyproject`` (LF and
  CRLF) and ``test_fix_keeps_comments_after_removed_toml_tables_with_crlf_and_bom``, with the
  exact bytes the tests require;
- ``fix-shapes``: the last waiver removed from each ``pyprojects`` shape that has one, with the
  exact bytes written here by the rule the fix tests follow (the key's lines, or its member of
  an inline table, go; every comment and the other lines stay).

Both tools get the same text: the product's reading (BOM taken off, line ends as they are) and
writing (BOM put back) are outside the splicer, and are done for tomlkit the same way. The edits
are the same ``Change`` values (``SetValue``, ``Remove``, ``Add``) the commands make.

    pip install -e ".[test]" tomlkit
    python bench/toml_edits.py [--examples 400] [--runs 21]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import difflib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, given, settings  # noqa: E402

from ragft_lint.declaration.toml_source import read_pyproject  # noqa: E402
from ragft_lint.edit import files, toml_text, waivers  # noqa: E402
from ragft_lint.edit.changes import Add, Change, NeedsPerson, Remove, SetValue, apply  # noqa: E402

BOM = b"\xef\xbb\xbf"
PREFIX = ("tool", "ragft-lint")


class Case:
    """One file, the edits to make in it, and what it must become."""

    def __init__(self, group: str, raw: bytes, changes: Sequence[Change],
                 expected: Optional[bytes], label: str) -> None:
        self.group = group
        self.raw = raw
        self.changes = list(changes)
        self.expected = expected  # None: judged by the waive oracle
        self.label = label


# -- the cases -------------------------------------------------------------------------------


def _source(folder: str, raw: bytes) -> files.Source:
    path = os.path.join(folder, "pyproject.toml")
    with open(path, "wb") as handle:
        handle.write(raw)
    document = read_pyproject(path, "pyproject.toml", _text(raw))
    assert document is not None
    return files.Source(document)


def _text(raw: bytes) -> str:
    return (raw[3:] if raw.startswith(BOM) else raw).decode("utf-8")


def pyproject_texts(examples: int) -> List[str]:
    """The distinct files the tests' ``pyprojects`` strategy draws, in the order first drawn."""
    from test_edit_properties import pyprojects

    seen: Dict[str, None] = {}

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(pyprojects())
    def draw(text: str) -> None:
        seen.setdefault(text, None)

    draw()
    return list(seen)


def waive_cases(texts: List[str], folder: str) -> List[Case]:
    out = []
    for text in texts:
        for rule in ("RG002", "KN001"):
            for reason in ("latency budget", 'say "why" \\ here'):
                for expires in (None, "2099-01-31"):
                    raw = text.encode("utf-8")
                    date = datetime.date.fromisoformat(expires) if expires else None
                    with _source(folder, raw) as source:  # the changes ``waive`` makes
                        changes = waivers._changes(source, "bot-0", rule, reason, date)
                    label = f"waive {rule} {reason!r} {expires} in\n{text}"
                    out.append(Case("waive", raw, changes, None, label))
    return out


def fix_cases() -> List[Case]:
    out = []
    fixes = [SetValue(("systems", "bot", "rag", "reranker"), False),
             Remove(("systems", "bot", "waivers"))]
    for newline in ("\n", "\r\n"):  # test_fix_removes_an_unused_waiver_in_pyproject
        text = newline.join([
            "[tool.ragft-lint.systems.bot]", "architecture = 'rag'", "gaps = ['knowledge']",
            "rag = {reranker = 'none', retrieve_k = 20, context_k = 5}", "",
            "[tool.ragft-lint.systems.bot.waivers.KN001]", "reason = 'nothing to waive'", "",
            "# the next table", "[tool.other]", "y = 1", ""])
        expected = newline.join([
            "[tool.ragft-lint.systems.bot]", "architecture = 'rag'", "gaps = ['knowledge']",
            "rag = {reranker = false, retrieve_k = 20, context_k = 5}", "",
            "# the next table", "[tool.other]", "y = 1", ""])
        out.append(Case("fix", text.encode(), fixes, expected.encode(),
                        f"fix (reranker, waivers) {newline!r}"))
    # test_fix_keeps_comments_after_removed_toml_tables_with_crlf_and_bom
    lines = ["[tool.ragft-lint.systems.bot]", "architecture = 'rag'", "gaps = ['knowledge']",
             "rag = {reranker = false, retrieve_k = 20, context_k = 5}", "",
             "[tool.ragft-lint.systems.bot.waivers.KN001]", "reason = 'nothing to waive'",
             "", "# about what follows, after a blank line", "", "[tool.other]", "y = 1",
             "", "# the end of the file", ""]
    out.append(Case("fix", BOM + "\r\n".join(lines).encode(), fixes[1:],
                    BOM + "\r\n".join(lines[:5] + lines[8:]).encode(),
                    "fix (waivers) CRLF + BOM"))
    return out


# The lines each pyprojects shape loses when its last waiver goes (or the line it becomes).
_REMOVED = {
    "waivers = { KN001 = { reason = 'weekly' } }": None,
    "waivers.KN001.reason = 'weekly'": None,
    "bot-0 = {architecture = 'rag', waivers = {KN001 = {reason = 'x'}}}":
        "bot-0 = {architecture = 'rag'}",
}


def fix_shape_cases(texts: List[str]) -> List[Case]:
    out = []
    for text in texts:
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = text.split(newline)
        kept: List[str] = []
        skip = 0
        for line in lines:
            if skip:
                skip -= 1
                continue
            if line in _REMOVED:
                if _REMOVED[line] is not None:
                    kept.append(str(_REMOVED[line]))
                continue
            if line.startswith("[tool.ragft-lint.systems.bot-0.waivers"):
                # the section (its header and its one line) and the blank line before it
                if kept and kept[-1] == "":
                    kept.pop()
                skip = 1
                continue
            kept.append(line)
        if kept == lines:
            continue  # no waiver in this shape
        expected = newline.join(kept)
        out.append(Case("fix-shapes", text.encode(), [Remove(("systems", "bot-0", "waivers"))],
                        expected.encode(), f"fix: remove the last waiver in\n{text}"))
    return out


# -- the two tools ---------------------------------------------------------------------------


def by_splicer(text: str, changes: Sequence[Change]) -> str:
    """What ``Source.edited`` splices (the read-back check aside)."""
    try:
        return files._spliced(text, toml_text.splices(text, PREFIX, changes))
    except files._Overlap:
        for change in changes:
            text = files._spliced(text, toml_text.splices(text, PREFIX, [change]))
        return text


def by_tomlkit(text: str, changes: Sequence[Change]) -> str:
    import tomlkit

    document = tomlkit.parse(text)
    for change in changes:
        if isinstance(change, Add):
            _at(document, PREFIX + change.parent)[change.key] = change.value
        elif isinstance(change, SetValue):
            _at(document, PREFIX + change.path[:-1])[change.path[-1]] = change.value
        else:
            del _at(document, PREFIX + change.path[:-1])[change.path[-1]]
    return tomlkit.dumps(document)


def _at(document: Any, path: Sequence[str]) -> Any:
    here = document
    for key in path:
        here = here[key]
    return here


# -- judging ---------------------------------------------------------------------------------


def _endings(before: str, after: str) -> bool:
    """Whether ``after`` ends its lines as ``before`` does."""
    if "\r\n" in before:
        return after.count("\n") == after.count("\r\n")
    return "\r" not in after


def _kind(line: str, counterpart: Optional[str], at_end: bool) -> str:
    """What losing ``line`` (or it becoming ``counterpart``) loses."""
    stripped = line.strip()
    if not stripped:
        return "blank line"
    if stripped.startswith("#"):
        return "end-of-file comment" if at_end else "comment"
    if counterpart is not None:
        if "#" in line and "#" not in counterpart:
            return "trailing comment"
        if line.replace("'", '"') == counterpart.replace("'", '"') or \
                line.replace("'''", '"') == counterpart:
            return "quoting"
        if line.replace(" ", "") == counterpart.replace(" ", ""):
            return "spacing"
    if "#" in line:
        return "trailing comment"
    return "statement changed or dropped"


def _rewritten(old: str, new: str, spans: int) -> bool:
    """Whether ``new`` changes ``old`` beyond what the edit may: an added key is only inserted
    (every character of ``old`` is kept, around the insertion); a set value may change one run
    of characters (the value), so only the comment is checked there."""
    if spans:
        return False
    prefix = _common(old, new)
    suffix = _common(old[prefix:][::-1], new[prefix:][::-1])
    return prefix + suffix < len(old)


def _common(one: str, other: str) -> int:
    """How many characters ``one`` and ``other`` start with in common."""
    size = 0
    while size < min(len(one), len(other)) and one[size] == other[size]:
        size += 1
    return size


def _lines_lost(before: List[str], after: List[str], allowed: int,
                spans: int = 0) -> List[Tuple[str, str]]:
    """(kind, line) for each line of ``before`` not kept in ``after``; ``allowed`` lines may be
    replaced one for one (the edited one), when they keep their comment and every character
    but ``spans`` changed runs (the value set)."""
    lost: List[Tuple[str, str]] = []
    last_statement = max((n for n, line in enumerate(before)
                          if line.strip() and not line.strip().startswith("#")), default=-1)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "insert"):
            continue
        if tag == "replace" and i2 - i1 == 1 and allowed:
            allowed -= 1
            old = before[i1]
            comment = old[old.index("#"):] if "#" in old and not old.strip().startswith(
                "#") and "'#" not in old and '"#' not in old else ""
            if comment and not any(comment in new for new in after[j1:j2]):
                lost.append(("trailing comment", old))
            elif j2 - j1 == 1 and _rewritten(old, after[j1], spans):
                lost.append(("spacing" if _rewritten(old.replace(" ", ""), after[j1].replace(
                    " ", ""), spans) is False else "line rewritten", old))
            continue
        pairs = dict(zip(range(i1, i2), after[j1:j2])) if i2 - i1 == j2 - j1 else {}
        for number in range(i1, i2):
            lost.append((_kind(before[number], pairs.get(number), number > last_statement),
                         before[number]))
    return lost


def judge(case: Case, got_text: str) -> List[str]:
    """The kinds of loss in ``got_text`` (empty: nothing lost)."""
    before = _text(case.raw)
    got = (BOM if case.raw.startswith(BOM) else b"") + got_text.encode("utf-8")
    kinds: List[str] = []
    if not _endings(before, got_text):
        kinds.append("CRLF")
    if case.expected is not None:
        if got == case.expected:
            return kinds
        if got.startswith(BOM) != case.expected.startswith(BOM):
            kinds.append("BOM")
        want = _text(case.expected).splitlines()
        have = got_text.splitlines()
        if want != have and sorted(want) == sorted(have):
            return kinds + ["key order"]
        kinds += [kind for kind, _ in _lines_lost(want, have, 0)]
        extra = [tag for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            None, want, have, autojunk=False).get_opcodes() if tag == "insert"]
        if extra:
            kinds.append("lines added")
        if not kinds and got != case.expected:
            kinds.append("other bytes (line ends or end of file)")
        return kinds
    # waive: the property test's oracle, and the values the edit must give
    old_lines, new_lines = before.splitlines(), got_text.splitlines()
    spans = sum(isinstance(c, SetValue) for c in case.changes)
    kinds += [kind for kind, _ in _lines_lost(old_lines, new_lines, 1, spans)]
    if sorted(old_lines) == sorted(new_lines) and old_lines != new_lines:
        kinds.append("key order")
    try:
        document = read_pyproject("p", "p", got_text)
        old = read_pyproject("p", "p", before)
        assert document is not None and old is not None
        if not files._same(document.data, apply(old.data, case.changes)):
            kinds.append("values read back wrong")
    except Exception:
        kinds.append("not valid TOML")
    return kinds


def diff(before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                        "expected", "got", n=1)).replace("\r", "\\r")


# -- the run ---------------------------------------------------------------------------------


def run_tool(name: str, tool: Callable[[str, Sequence[Change]], str],
             cases: List[Case]) -> Tuple[Counter, Dict[str, str], int, int]:
    """(losses by kind, one diff of each kind, cases with a loss, cases refused)."""
    kinds: Counter = Counter()
    examples: Dict[str, str] = {}
    failed = refused = 0
    for case in cases:
        before = _text(case.raw)
        try:
            got = tool(before, case.changes)
        except (NeedsPerson, ValueError, IndexError, KeyError) as exc:
            refused += 1
            kinds[f"refused ({type(exc).__name__})"] += 1
            continue
        found = judge(case, got)
        if found:
            failed += 1
        for kind in dict.fromkeys(found):
            kinds[kind] += 1
            if kind not in examples:
                want = _text(case.expected) if case.expected is not None else before
                head = "expected" if case.expected is not None else "before (oracle)"
                examples[kind] = f"[{case.group}] {case.label.splitlines()[0]}\n" + diff(
                    want, got).replace("--- expected", f"--- {head}")
    return kinds, examples, failed, refused


def timing(tool: Callable[[str, Sequence[Change]], str], cases: List[Case],
           runs: int) -> float:
    """Median seconds per edit (one case, all its changes), over ``runs`` rounds of all."""
    texts = [(_text(c.raw), c.changes) for c in cases]
    per_round = []
    for _ in range(runs):
        start = time.perf_counter()
        for text, changes in texts:
            with contextlib.suppress(Exception):
                tool(text, changes)
        per_round.append((time.perf_counter() - start) / len(texts))
    return statistics.median(per_round)


def import_time(runs: int) -> float:
    """Median cumulative microseconds of ``import tomlkit`` by ``-X importtime``."""
    out = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import tomlkit"],
                                capture_output=True, text=True, check=True)
        line = [x for x in result.stderr.splitlines() if x.rstrip().endswith("| tomlkit")][-1]
        out.append(int(line.split("|")[1]))
    return statistics.median(out)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=400,
                        help="hypothesis examples to draw files from (then deduplicated)")
    parser.add_argument("--runs", type=int, default=21, help="timing rounds")
    args = parser.parse_args(argv)
    import tomlkit

    texts = pyproject_texts(args.examples)
    with tempfile.TemporaryDirectory() as folder:
        os.makedirs(os.path.join(folder, ".git"))
        cases = waive_cases(texts, folder) + fix_cases() + fix_shape_cases(texts)
    groups = Counter(c.group for c in cases)
    print(f"tomlkit {tomlkit.__version__}, Python {sys.version.split()[0]}")
    print(f"{len(texts)} distinct pyproject files drawn; cases: {len(cases)} "
          f"({', '.join(f'{g} {n}' for g, n in groups.items())})")
    tools = {"splicer": by_splicer, "tomlkit": by_tomlkit}
    for name, tool in tools.items():
        print(f"\n== {name}")
        for group in groups:
            chosen = [c for c in cases if c.group == group]
            kinds, _, failed, refused = run_tool(name, tool, chosen)
            print(f"  {group}: {failed + refused} of {len(chosen)} cases lose something "
                  f"({refused} refused)" + "".join(f"\n    {k}: {n}" for k, n in
                                                  sorted(kinds.items())))
        kinds, examples, _, _ = run_tool(name, tool, cases)
        for kind, text in examples.items():
            print(f"\n  -- one case of {kind!r}:\n" + "\n".join(
                "     " + line for line in text.splitlines()))
    print("\n== time, median per edit (parse or scan, change, write out)")
    for name, tool in tools.items():
        for group in groups:
            chosen = [c for c in cases if c.group == group]
            print(f"  {name} {group}: {timing(tool, chosen, args.runs) * 1e6:.0f} us")
    print(f"\nimport tomlkit (-X importtime, cumulative, median of 9): "
          f"{import_time(9) / 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
