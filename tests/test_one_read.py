"""One read per thing in a run: a result file is resolved and opened once (its first bytes
choose the reader, which is handed the same handle), and each measured figure is derived once
and shared by the facts view, the rules and every output."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, List

import pytest

from evidence_project import AS_OF
from ragft_lint.evidence import safety
from ragft_lint.facts import Facts, figures
from ragft_lint.options import build
from ragft_lint.session import Session
from test_measured_scores import plain, project

TUNED = "      score: 0.5\n      results: results/ft.jsonl"


def test_a_result_file_is_resolved_and_opened_once(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    made = project(tmp_path / "p", tuned=TUNED)
    made.write("results/ft.jsonl", plain((f"case-{i}", i % 2) for i in range(40)))
    target = os.path.realpath(made.root / "results" / "ft.jsonl")
    opened: List[str] = []
    resolved: List[str] = []
    real_open, real_resolve = os.open, safety.resolve

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == target:
            opened.append(target)
        return real_open(path, *args, **kwargs)

    def counting_resolve(base: str, declared: str, root: str) -> str:
        found = real_resolve(base, declared, root)
        if found == target:
            resolved.append(found)
        return found

    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(safety, "resolve", counting_resolve)
    monkeypatch.setattr("ragft_lint.evidence.collect.resolve", counting_resolve)
    run = Session().run([made.root / "ragft.yaml"], build(as_of=AS_OF, cache=False))
    figure = run.report.measured["tone-bot"]["fine_tune_score"]
    assert (figure.value, figure.n) == (0.5, 40)
    assert len(opened) == 1 and len(resolved) == 1


def test_a_figure_is_derived_once_and_shared(tmp_path: Path) -> None:
    made = project(tmp_path / "p", tuned=TUNED)
    made.write("results/ft.jsonl", plain((f"case-{i}", i % 2) for i in range(40)))
    session = Session()
    options = build(as_of=AS_OF, cache=False)
    run = session.run([made.root / "ragft.yaml"], options)
    [declaration] = run.declarations
    evidence = session.evidence(declaration, session.settings(declaration, options))
    assert evidence is not None
    system = evidence.systems["tone-bot"]
    shown = run.report.measured["tone-bot"]
    assert figures(system) is shown  # the outputs' figures are the ones derived for the rules
    fact = Facts(declaration.systems["tone-bot"], system)
    assert fact.get("fine_tune", "score") == round(shown["fine_tune_score"].value, 4)
    assert figures(system) is shown
