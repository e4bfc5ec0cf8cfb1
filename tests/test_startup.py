"""Start-up stays lean: what a plain check imports (speed itself is measured in bench/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """\
import sys
from ragft_lint.cli import main
status = main(["check", "--no-evidence", "-q", sys.argv[1]])
import json
print(json.dumps(sorted(sys.modules)))
"""

# Modules a plain check must not pay for: each is imported only where it is needed.
NEVER = {"shutil", "importlib.metadata", "difflib", "decimal", "email", "zipfile", "csv",
         "pathlib", "statistics", "fractions", "random", "calendar", "dataclasses",
         "ragft_lint.evidence.statistics", "ragft_lint.evidence.collect", "ragft_lint.edit",
         "ragft_lint.evidence.measurements",
         "ragft_lint.baseline", "ragft_lint.output.json", "ragft_lint.output.sarif",
         "threading", "ragft_lint.server", "pygls", "lsprotocol", "asyncio"}
if sys.version_info >= (3, 10):  # 3.9's collections imports heapq itself
    NEVER.add("heapq")


def imported(tmp_path: Path, name: str, text: str) -> set[str]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", PROBE, str(target)], capture_output=True,
                            text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


# A fine-tune that claims a gain over its baseline: EV008 works out the gain's interval.
FINE_TUNE = """\
systems:
  bot:
    architecture: fine-tune
    prompt: {baseline_score: 0.7}
    fine_tune: {score: 0.86, trained_at: 2026-01-31, retrain_every: monthly}
    eval: {examples: 180}
"""


def test_a_yaml_check_imports_no_toml_and_nothing_heavy(tmp_path: Path) -> None:
    modules = imported(tmp_path, "ragft.yaml", FINE_TUNE)
    assert "ruamel.yaml" in modules
    assert "yaml" not in modules  # PyYAML: not a runtime dependency
    assert not {"tomllib", "tomli"} & modules
    assert not NEVER & modules


def test_a_pyproject_check_imports_no_yaml(tmp_path: Path) -> None:
    modules = imported(tmp_path, "pyproject.toml",
                       '[tool.ragft-lint.systems.bot]\narchitecture = "prompt"\n')
    assert not {"yaml", "ruamel.yaml"} & modules
    assert not NEVER & modules


def test_help_is_sized_to_the_terminal(monkeypatch, capsys) -> None:
    from ragft_lint.cli import main

    def help_lines(columns: str) -> list[str]:
        monkeypatch.setenv("COLUMNS", columns)
        with pytest.raises(SystemExit):
            main(["check", "--help"])
        return capsys.readouterr().out.splitlines()

    narrow, wide = help_lines("50"), help_lines("120")
    assert len(narrow) > len(wide)
    assert max(len(line) for line in wide) > 80
    # argparse never breaks one option's usage, so only the prose is bound by the width.
    assert all(len(line) <= 48 for line in narrow if not line.lstrip().startswith("["))


def test_the_default_confidence_needs_no_statistics_module() -> None:
    from statistics import NormalDist

    from ragft_lint.rules.scores import _two_sided_z

    assert _two_sided_z(0.95) == NormalDist().inv_cdf(0.975)  # the same float, not a close one
    assert _two_sided_z(0.9) == NormalDist().inv_cdf(0.95)


def test_a_record_is_the_named_tuple_typing_would_make() -> None:
    import typing

    from ragft_lint.findings import Finding, Location, Severity

    def fields(cls: type) -> tuple:
        return cls._fields, cls._field_defaults, cls.__doc__

    class Location2(typing.NamedTuple):
        """A place in a file: 1-based line and column; ``path`` as the user should read it."""

        path: str
        line: int
        column: int

    here = Location("a.yaml", 2, 3)
    assert fields(Location) == fields(Location2)
    assert Location.__mro__ == (Location, tuple, object)
    assert (Location.__module__, Location.__qualname__) == ("ragft_lint.findings", "Location")
    assert (repr(here), str(here), here._replace(line=4), here._asdict()) == (
        "Location(path='a.yaml', line=2, column=3)", "a.yaml:2:3",
        Location("a.yaml", 4, 3), {"path": "a.yaml", "line": 2, "column": 3})
    finding = Finding("KN001", "x", Severity.INFO, "bot", "m", "f", here, "k")
    assert (finding.waived, finding.waiver_reason) == (False, None)
    assert typing.get_type_hints(Location) == {"path": str, "line": int, "column": int}
    import pickle  # as results cross from a forked child

    assert pickle.loads(pickle.dumps(finding)) == finding


def test_a_record_behaves_as_collections_namedtuple_makes_it() -> None:
    import collections
    import copy
    import sys

    from ragft_lint.record import NamedTuple

    class Point(NamedTuple):
        x: int
        y: int
        label: str = "origin"

    reference = collections.namedtuple("Point", ["x", "y", "label"], defaults=["origin"])
    for made in (Point, reference):
        point = made(1, y=2)
        assert (point, point.label, point.x) == ((1, 2, "origin"), "origin", 1)
        assert repr(point) == "Point(x=1, y=2, label='origin')"
        assert point._replace(label="a") == (1, 2, "a") and type(point._replace()) is made
        assert made._make([3, 4, "b"]) == (3, 4, "b") and point._asdict()["y"] == 2
        assert (made._fields, made._field_defaults) == (("x", "y", "label"), {"label": "origin"})
        assert copy.copy(point) == point
        if sys.version_info >= (3, 10):
            assert made.__match_args__ == ("x", "y", "label")
        assert point.__getnewargs__() == (1, 2, "origin") and not hasattr(point, "__dict__")
        if sys.version_info >= (3, 13):
            assert copy.replace(point, x=9) == (9, 2, "origin")  # type: ignore[attr-defined]
    said = []
    for made in (Point, reference):
        for wrong in (lambda m=made: m(1), lambda m=made: m._make([1]),
                      lambda m=made: m(1, 2)._replace(z=1), lambda m=made: m(1, 2, 3, 4)):
            with pytest.raises((TypeError, ValueError)) as raised:
                wrong()
            # Before 3.10 namedtuple's __new__ is named <lambda> in the message; ours, __new__.
            said.append(f"{type(raised.value).__name__}: {raised.value}".replace("<lambda>",
                                                                                  "__new__"))
    assert said[:4] == said[4:]
