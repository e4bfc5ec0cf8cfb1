"""Reading and checking a large declaration in two processes gives what one process gives."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Sequence

import pytest

from ragft_lint import parallel
from ragft_lint.cli import main
from test_host import make_distribution, only_site

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


def pids(items: Sequence[int]) -> List[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


def joined(first: List[tuple[int, int]], second: List[tuple[int, int]]) -> List[tuple[int, int]]:
    return first + second


@linux
def test_the_second_half_runs_in_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    items = list(range(parallel.MIN_ITEMS))
    result = parallel.in_two(pids, items, joined)
    assert [item for item, _ in result] == items  # every item, in order
    here = os.getpid()
    half = len(items) // 2
    assert {pid for _, pid in result[:half]} == {here}
    assert here not in {pid for _, pid in result[half:]}


@linux
def test_a_child_that_fails_costs_only_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    parent = os.getpid()

    def fails_in_the_child(items: Sequence[int]) -> List[tuple[int, int]]:
        if os.getpid() != parent:
            raise RuntimeError("lost")
        return pids(items)

    items = list(range(parallel.MIN_ITEMS))
    result = parallel.in_two(fails_in_the_child, items, joined)
    assert result == [(item, parent) for item in items]


@linux
def test_a_result_that_does_not_pickle_is_redone_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)

    def unpicklable(items: Sequence[int]) -> list:
        return [lambda item=item: item for item in items]

    items = list(range(parallel.MIN_ITEMS))
    result = parallel.in_two(unpicklable, items, lambda a, b: a + b)
    assert [f() for f in result] == items


def test_few_items_or_no_safe_fork_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    here = os.getpid()
    small = list(range(parallel.MIN_ITEMS - 1))
    assert parallel.in_two(pids, small, joined) == [(i, here) for i in small]
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    large = list(range(parallel.MIN_ITEMS * 2))
    assert parallel.in_two(pids, large, joined) == [(i, here) for i in large]


def test_no_fork_while_other_threads_run() -> None:
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not parallel.can_fork()
    finally:
        stop.set()
        worker.join()


FLAKY = """\
    from ragft_lint import Severity, Violation, hookimpl, rule

    @rule("ORG050", "odd-systems", Severity.WARNING)
    def odd(system, context):
        '''Flags odd-numbered systems and fails on every tenth.

        Why: a test.
        Fix: none.
        '''
        number = int(system.name.split("-")[1])
        if number % 10 == 0:
            raise ValueError("tenth system")
        if number % 2:
            yield Violation(f"system {number} is odd", "none", ("architecture",))

    @hookimpl
    def ragft_lint_rules():
        return [odd]
"""


def declaration(count: int) -> str:
    lines = ["systems:"]
    for number in range(count):
        lines += [f"  bot-{number}:", "    architecture: fine-tune" if number % 3 else
                  "    architecture: rag", "    gaps: [behavior]",
                  f"    fine_tune: {{goals: [style], training_examples: {number + 10}}}"]
    return "\n".join(lines) + "\n"


@linux
def test_a_large_declaration_is_reported_alike_either_way(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    make_distribution(site, "org-flaky", "1.0", {"flaky": "org_flaky"}, {"org_flaky": FLAKY})
    monkeypatch.syspath_prepend(str(site))
    only_site(monkeypatch, site)
    project = tmp_path / "project"
    project.mkdir()
    (project / "ragft.yaml").write_text(declaration(parallel.MIN_ITEMS + 40))
    monkeypatch.chdir(project)
    outputs = []
    for forks in (False, True):
        monkeypatch.setattr(parallel, "can_fork", lambda forks=forks: forks)
        status = main(["check", "--format", "json", "--as-of", "2026-11-23"])
        outputs.append((status, json.loads(capsys.readouterr().out)))
    assert outputs[0] == outputs[1]
    status, report = outputs[1]
    assert status == 3  # the plugin failed
    rules = {f["rule"] for f in report["findings"]}
    assert "ORG050" in rules and len(rules) > 3
    odd = [f for f in report["findings"] if f["rule"] == "ORG050"]
    assert len(odd) == (parallel.MIN_ITEMS + 40) // 2
    sys.modules.pop("org_flaky", None)


def large_pyproject(count: int) -> str:
    lines = ['[project]\nname = "x"\n']
    for number in range(count):
        lines.append(
            f'[tool.ragft-lint.systems.bot-{number}]\narchitecture = "rag"\n'
            f'knowledge = {{changes = "weekly", citations = true, sources = ["docs/**"]}}\n'
            f'rag = {{reranker = "cross-encoder/x", retrieve_k = {number % 40 + 5}}}\n'
        )
    return "".join(lines)


@linux
def test_a_large_pyproject_is_read_alike_either_way(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from ragft_lint.declaration import toml_source

    text = large_pyproject(1500)
    assert len(text) > toml_source.SCAN_BESIDE
    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path)
    outputs = []
    for forks in (False, True):
        monkeypatch.setattr(parallel, "can_fork", lambda forks=forks: forks)
        status = main(["check", "--format", "json", "--no-evidence", "--as-of", "2026-11-23"])
        outputs.append((status, json.loads(capsys.readouterr().out)))
    assert outputs[0] == outputs[1]
    assert outputs[0][1]["findings"]
    with pytest.raises(ChildProcessError):  # every child was waited for
        os.waitpid(-1, os.WNOHANG)


@linux
def test_a_large_invalid_pyproject_is_an_error_either_way(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    text = large_pyproject(1500) + "[tool.ragft-lint.systems.bot-3]\narchitecture = 'rag'\n"
    (tmp_path / "pyproject.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    errors = []
    for forks in (False, True):
        monkeypatch.setattr(parallel, "can_fork", lambda forks=forks: forks)
        assert main(["check", "--no-evidence"]) == 2
        errors.append(capsys.readouterr().err)
    assert errors[0] == errors[1]
    assert f"pyproject.toml:{text.count(chr(10)) - 1}:" in errors[0]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
