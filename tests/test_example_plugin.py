"""The example organisation plugin, built and installed for real, seen by every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

# pip builds the plugin in an isolated environment, which fetches its build backend from
# the package index; the children find the plugin through PYTHONPATH.
pytestmark = [pytest.mark.network, pytest.mark.plugins]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-plugin"

SOUND = """\
plugins:
  acme:
    approved_base_models: [llama-3.1-8b-instruct]
systems:
  triage:
    architecture: fine-tune
    risk_review:
      ticket: RISK-42
      reviewed_on: 2026-10-01
    fine_tune:
      base_model: llama-3.1-8b-instruct
"""


@pytest.fixture(scope="module")
def site(acme_site: Path) -> Path:
    """The plugin built from its source and installed into a folder of its own."""
    assert list(acme_site.glob("ragft_lint_acme-1.0.0.dist-info"))
    return acme_site


def ragft(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env: Dict[str, str] = dict(os.environ, PYTHONPATH=str(site), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "ragft_lint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(SOUND)
    return tmp_path


def test_listed_and_documented(site: Path, project: Path) -> None:
    listing = ragft(site, project, "rules")
    assert listing.returncode == 0, listing.stderr
    rows: List[List[str]] = [line.split() for line in listing.stdout.splitlines()]
    assert ["ACME001", "unapproved-base-model", "error", "acme"] in rows
    assert ["ACME002", "missing-risk-review", "warning", "acme"] in rows
    doc = ragft(site, project, "rule", "acme001")
    assert doc.returncode == 0
    assert doc.stdout.startswith("ACME001 unapproved-base-model [error] (from acme)")
    assert "Why:" in doc.stdout and "approved_base_models" in doc.stdout


def test_schema_holds_its_key_and_settings(site: Path, project: Path) -> None:
    done = ragft(site, project, "schema")
    schema = json.loads(done.stdout)
    system = schema["properties"]["systems"]["additionalProperties"]
    assert system["properties"]["risk_review"]["required"] == ["ticket"]
    settings = schema["properties"]["plugins"]["properties"]["acme"]
    assert settings["properties"]["approved_base_models"]["type"] == "array"


def test_check_sound_then_unapproved(site: Path, project: Path) -> None:
    sound = ragft(site, project, "check", "--no-evidence", "--select", "ACME")
    assert sound.returncode == 0, sound.stdout + sound.stderr
    assert "no findings" in sound.stdout
    (project / "ragft.yaml").write_text(SOUND.replace("base_model: llama-3.1-8b-instruct",
                                                      "base_model: mistral-7b"))
    bad = ragft(site, project, "check", "--no-evidence", "--select", "ACME")
    assert bad.returncode == 1
    assert ("ragft.yaml:11:19: ACME001 [error] base model 'mistral-7b' is not on the approved "
            "list (llama-3.1-8b-instruct) (triage)") in bad.stdout


def test_its_key_is_validated(site: Path, project: Path) -> None:
    (project / "ragft.yaml").write_text(SOUND.replace("reviewed_on", "reviewd_on"))
    done = ragft(site, project, "check", "--no-evidence")
    assert done.returncode == 2
    assert ("ragft.yaml:9:7: systems.triage.risk_review.reviewd_on: unknown key 'reviewd_on'; "
            "did you mean 'reviewed_on'?") in done.stderr


def test_its_output_format(site: Path, project: Path) -> None:
    done = ragft(site, project, "check", "--no-evidence", "--select", "ACME",
                 "--format", "acme-summary")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ragft.yaml\ttriage\tok\n"


def test_validate_pyproject_sees_its_key(site: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "validate-pyproject"
    if not script.exists():
        pytest.skip("validate-pyproject is not installed in this environment")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "demo"\nversion = "1"\n\n'
        '[tool.ragft-lint.plugins.acme]\napproved_base_models = ["llama-3.1-8b-instruct"]\n\n'
        '[tool.ragft-lint.systems.triage]\narchitecture = "fine-tune"\n'
        'risk_review = {ticket = "RISK-42", reviewed_on = 2026-10-01}\n')
    env = dict(os.environ, PYTHONPATH=str(site))
    done = subprocess.run([str(script), str(pyproject)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
