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
         "pathlib"}


def imported(tmp_path: Path, name: str, text: str) -> set[str]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", PROBE, str(target)], capture_output=True,
                            text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_a_yaml_check_imports_no_toml_and_nothing_heavy(tmp_path: Path) -> None:
    modules = imported(tmp_path, "ragft.yaml", "systems:\n  bot:\n    architecture: prompt\n")
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
