"""Shared settings: ``extend`` names a declaration whose settings apply, as ruff's ``extend``
does, in a real monorepo (a git repository with a shared settings file at its root and a
declaration per service)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict

import pytest
import yaml

from ragft_lint.cli import main
from test_pre_commit import hook_source  # noqa: F401  (the fixture: this tree, committed)

# Settings every service shares: evidence off (these services declare no files), warnings
# fail the run, a loosened bar with no reason (TH001 names its line here), KN001 lowered.
SHARED = """\
# Shared by every service of the monorepo.
evidence: false
fail_on: warning
thresholds:
  min_eval_examples: 25
severity:
  KN001: info
  KN002: info
"""
SHARED_THRESHOLD = "ragft-settings.yaml:5:22"

# A fine-tune for facts that change weekly: KN001 fires on knowledge.changes; its eval set of
# 30 examples is too small at the default bar (EV002), not at the shared one.
PRICING = """\
extend: ../../ragft-settings.yaml
systems:
  pricing-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
    eval:
      examples: 30
"""

# The same design, with its own bar (with a reason) and its own severity for KN001.
BRAND = """\
extend: ../../ragft-settings.yaml
thresholds:
  min_eval_examples:
    value: 25
    reason: "the brand voice has five labels; 25 examples give each label five"
severity:
  KN001: error
systems:
  brand-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
    eval:
      examples: 30
"""


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _git_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
                "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org",
                "GIT_AUTHOR_DATE": "2026-11-23T12:00:00+00:00",
                "GIT_COMMITTER_DATE": "2026-11-23T12:00:00+00:00", "NO_COLOR": "1"})
    return env


def _repo(root: Path, files: Dict[str, str], env: Dict[str, str] | None = None) -> Path:
    """A git repository holding ``files``, committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = env or _git_env()
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, env=env, check=True)
    _write(root, files)
    subprocess.run(["git", "add", "-A"], cwd=root, env=env, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "a monorepo"], cwd=root, env=env, check=True)
    return root


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    return _repo(tmp_path / "mono", {
        "ragft-settings.yaml": SHARED,
        "services/pricing/ragft.yaml": PRICING,
        "services/brand/ragft.yaml": BRAND,
    })


def _check(folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
           *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(folder)
    status = main(["check", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _findings(folder: Path, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    status, out, err = _check(folder, monkeypatch, capsys, "--format", "json", *args)
    assert status in (0, 1), err
    data = json.loads(out)
    return status, data["findings"]


# Inheritance and override ------------------------------------------------------------------

def test_a_service_applies_the_shared_settings(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, found = _findings(monorepo / "services" / "pricing", monkeypatch, capsys)
    kn001 = [f for f in found if f["rule"] == "KN001"]
    assert kn001 and all(f["severity"] == "info" for f in kn001)  # the shared severity
    assert not [f for f in found if f["rule"] == "EV002"]  # the shared bar: 30 is enough
    # The shared fail_on (warning) holds: TH001, a warning, fails the run.
    assert status == 1
    assert any(f["rule"] == "TH001" for f in found)


def test_the_services_own_values_override_key_by_key(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, found = _findings(monorepo / "services" / "brand", monkeypatch, capsys)
    rules = {f["rule"]: f["severity"] for f in found}
    assert rules.get("KN001") == "error"   # its own severity for KN001 ...
    if "KN002" in rules:
        assert rules["KN002"] == "info"     # ... the shared one for the others (per name)
    assert "TH001" not in rules             # its own bar, with a reason, replaces the shared one
    assert status == 1


def test_severity_merges_per_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    # Two rules that both fire on one system: one lowered by the shared file, one by the service.
    root = _repo(tmp_path / "mono", {
        "ragft-settings.yaml": "evidence: false\nseverity:\n  KN001: info\n",
        "svc/ragft.yaml": PRICING.replace("../../", "../") .replace(
            "systems:", "severity:\n  KN001: warning\nsystems:"),
    })
    _, found = _findings(root / "svc", monkeypatch, capsys)
    assert {f["severity"] for f in found if f["rule"] == "KN001"} == {"warning"}
    shared_only = _repo(tmp_path / "other", {
        "ragft-settings.yaml": "evidence: false\nseverity:\n  KN001: info\n",
        "svc/ragft.yaml": PRICING.replace("../../", "../").replace(
            "systems:", "severity:\n  TH001: info\nsystems:"),
    })
    _, found = _findings(shared_only / "svc", monkeypatch, capsys)
    assert {f["severity"] for f in found if f["rule"] == "KN001"} == {"info"}


def test_select_is_replaced_not_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    # ruff's semantics: a list setting of the extending file replaces the shared one.
    root = _repo(tmp_path / "mono", {
        "ragft-settings.yaml": "evidence: false\nselect: [KN001]\n",
        "a/ragft.yaml": PRICING.replace("../../", "../"),
        "b/ragft.yaml": PRICING.replace("../../", "../").replace(
            "systems:", "select: [TH]\nsystems:"),
    })
    _, found = _findings(root / "a", monkeypatch, capsys)
    assert found and {f["rule"] for f in found} == {"KN001"}
    _, found = _findings(root / "b", monkeypatch, capsys)
    assert "KN001" not in {f["rule"] for f in found}


def test_the_shared_files_systems_are_not_inherited(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path / "mono", {
        "ragft.yaml": "evidence: false\nsystems:\n  root-bot:\n    architecture: prompt\n",
        "svc/ragft.yaml": PRICING.replace("../../ragft-settings.yaml", "../ragft.yaml"),
    })
    monkeypatch.chdir(root / "svc")
    assert main(["check", "--format", "json", "."]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["declarations"] == ["ragft.yaml"]
    assert {f["system"] for f in data["findings"]} == {"pricing-bot"}


# Where an inherited value is written ------------------------------------------------------

def test_a_finding_about_an_inherited_threshold_names_the_shared_files_line(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _check(monorepo / "services" / "pricing", monkeypatch, capsys)
    assert status == 1
    line = next(x for x in out.splitlines() if "TH001" in x)
    # From the service's folder, the shared file is two folders up: the finding is located
    # at the threshold's line there, as a finding of the declaration with no system.
    assert line.startswith(f"../../{SHARED_THRESHOLD}: TH001"), out
    assert "thresholds.min_eval_examples is 25," in line, out


def test_an_invalid_value_in_the_shared_file_is_an_error_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path / "mono", {
        "ragft-settings.yaml": SHARED.replace("fail_on: warning", "fail_on: warnings")
                                     .replace("  KN002: info\n", "  KN002: info\nthreshold: {}\n"),
        "services/pricing/ragft.yaml": PRICING,
        "services/brand/ragft.yaml": BRAND,
    })
    status, out, err = _check(root, monkeypatch, capsys)
    assert status == 2 and out == ""
    # Told once, though both services extend the file.
    assert err.count("ragft-settings.yaml:3:10: fail_on:") == 1, err
    assert "ragft-settings.yaml:3:10: fail_on:" in err and "did you mean 'warning'" in err, err
    assert "ragft-settings.yaml:9:1: " in err and "threshold" in err, err


def test_an_unknown_rule_in_the_shared_file_is_an_error_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path / "mono", {
        "ragft-settings.yaml": SHARED.replace("KN002", "KN992"),
        "services/pricing/ragft.yaml": PRICING,
    })
    status, _, err = _check(root, monkeypatch, capsys)
    assert status == 2
    assert "ragft-settings.yaml:8:3: severity: unknown rule 'KN992'" in err, err


# Chains and what ends them -----------------------------------------------------------------

def test_a_chain_of_two_levels_is_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path / "mono", {
        "ragft-settings.yaml": SHARED,
        # The team file extends the root one, relative to itself, and lowers KN001 further.
        "teams/pricing/team.yaml": "extend: ../../ragft-settings.yaml\nfail_on: error\n",
        "teams/pricing/svc/ragft.yaml": PRICING.replace("../../ragft-settings.yaml",
                                                        "../team.yaml"),
    })
    status, out, _ = _check(root / "teams" / "pricing" / "svc", monkeypatch, capsys)
    # fail_on comes from the team file (error), so TH001 (a warning) does not fail the run;
    # the threshold and KN001's severity come from the root file, two levels up.
    assert status == 0, out
    assert f"../../../{SHARED_THRESHOLD}: TH001" in out
    assert re.search(r"KN001 \[info\]", out), out


@pytest.mark.parametrize("files, named", [
    ({"a/ragft.yaml": PRICING.replace("../../ragft-settings.yaml", "ragft.yaml")},
     ["a/ragft.yaml:1:9: extend: 'ragft.yaml' is this file itself"]),
    ({"a/ragft.yaml": PRICING.replace("../../ragft-settings.yaml", "../b/shared.yaml"),
      "b/shared.yaml": "extend: ../a/ragft.yaml\n"},
     ["b/shared.yaml:1:9: extend: '../a/ragft.yaml' leads back to a/ragft.yaml",
      "a/ragft.yaml -> b/shared.yaml -> a/ragft.yaml"]),
])
def test_a_cycle_is_a_declaration_error_naming_the_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        files: Dict[str, str], named: list[str]) -> None:
    root = _repo(tmp_path / "mono", files)
    status, out, err = _check(root, monkeypatch, capsys, "a/ragft.yaml")
    assert status == 2 and out == ""
    for text in named:
        assert text in err, err


def test_a_missing_extended_file_is_an_error_at_the_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path / "mono", {"services/pricing/ragft.yaml": PRICING})
    status, out, err = _check(root, monkeypatch, capsys)
    assert status == 2 and out == ""
    assert err.startswith("services/pricing/ragft.yaml:1:9: extend: "
                          "'../../ragft-settings.yaml': no such file (ragft-settings.yaml)"), err


def test_an_extend_outside_the_project_root_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, {"ragft-settings.yaml": SHARED})  # exists, but outside the repository
    root = _repo(tmp_path / "mono", {"svc/ragft.yaml": PRICING})
    status, _, err = _check(root, monkeypatch, capsys)
    assert status == 2
    assert "svc/ragft.yaml:1:9: extend: '../../ragft-settings.yaml' leads outside the " \
           "project root" in err, err


def test_the_shared_file_may_be_a_pyproject_toml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    pyproject = textwrap.dedent("""\
        [project]
        name = "mono"

        [tool.ragft-lint]
        evidence = false
        thresholds = {min_eval_examples = 25}
        severity = {KN001 = "info", KN002 = "info"}
        """)
    root = _repo(tmp_path / "mono", {
        "pyproject.toml": pyproject,
        "svc/ragft.yaml": PRICING.replace("../../ragft-settings.yaml", "../pyproject.toml"),
    })
    status, out, _ = _check(root / "svc", monkeypatch, capsys)
    assert "../pyproject.toml:6:35: TH001" in out, out
    assert re.search(r"KN001 \[info\]", out), out
    assert status == 0


def test_a_pyproject_without_the_table_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path / "mono", {
        "pyproject.toml": '[project]\nname = "mono"\n',
        "svc/ragft.yaml": PRICING.replace("../../ragft-settings.yaml", "../pyproject.toml"),
    })
    status, _, err = _check(root, monkeypatch, capsys)
    assert status == 2
    assert "svc/ragft.yaml:1:9: extend: '../pyproject.toml': pyproject.toml holds no " \
           "[tool.ragft-lint] table" in err, err


# The monorepo from its root, and through pre-commit -----------------------------------------

def test_from_the_root_every_service_is_checked_and_the_shared_file_is_no_declaration(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _check(monorepo, monkeypatch, capsys)
    assert status == 1, err
    assert "services/pricing/ragft.yaml" in out and "services/brand/ragft.yaml" in out
    # The loosened bar is the shared file's, told for the service that inherits it.
    assert f"../../{SHARED_THRESHOLD}" not in out
    assert f"\n{SHARED_THRESHOLD}: TH001" in "\n" + out
    assert re.search(r"services/brand/ragft\.yaml:\d+:\d+: KN001 \[error\]", out), out
    assert re.search(r"services/pricing/ragft\.yaml:\d+:\d+: KN001 \[info\]", out), out


def test_naming_the_shared_file_checks_every_service_that_extends_it(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # What pre-commit passes when only the shared settings changed.
    _write(monorepo, {"services/other/ragft.yaml": PRICING.replace(
        "extend: ../../ragft-settings.yaml\n", ""),
        # Passed by on the way: not what was asked about, so not told here.
        ".drafts/ragft.yaml": PRICING})
    status, out, err = _check(monorepo, monkeypatch, capsys, "ragft-settings.yaml")
    assert status == 1, err
    assert err == ""  # no "no declaration" note, no near miss of the look around
    summaries = [x.split(":")[0] for x in out.splitlines() if "system checked" in x]
    assert summaries == ["services/brand/ragft.yaml", "services/pricing/ragft.yaml"], out


def test_a_root_declaration_of_settings_only_selects_the_services_that_extend_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # ruff's layout: the root file holds the shared settings, each service extends it.
    root = _repo(tmp_path / "mono", {
        "ragft.yaml": SHARED,
        "services/pricing/ragft.yaml": PRICING.replace("ragft-settings.yaml", "ragft.yaml"),
    })
    status, out, _ = _check(root, monkeypatch, capsys, "ragft.yaml")
    assert status == 1
    assert re.search(r"^services/pricing/ragft\.yaml:\d+:\d+: KN001 \[info\]", out, re.M), out
    assert "\nragft.yaml:5:22: TH001" in "\n" + out, out


def test_extends_gets_a_did_you_mean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path / "mono", {
        "ragft-settings.yaml": SHARED,
        "svc/ragft.yaml": PRICING.replace("extend: ../../", "extends: ../"),
    })
    status, _, err = _check(root, monkeypatch, capsys)
    assert status == 2
    assert err == "svc/ragft.yaml:1:1: extends: unknown key 'extends'; did you mean 'extend'?\n"


def test_the_schema_knows_extend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from jsonschema import Draft7Validator

    monkeypatch.chdir(tmp_path)  # outside any project: only the format is printed
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["extend"]["description"]
    validator = Draft7Validator(schema)
    service = yaml.safe_load(PRICING)
    assert list(validator.iter_errors(service)) == []
    assert list(validator.iter_errors({**service, "extend": 3}))


@pytest.mark.network
@pytest.mark.slow
def test_pre_commit_checks_services_with_their_shared_settings(
        tmp_path: Path, hook_source: Dict[str, str]) -> None:  # noqa: F811
    env = _git_env()
    env["PRE_COMMIT_HOME"] = hook_source["home"]
    config = textwrap.dedent(f"""\
        repos:
          - repo: {hook_source["repo"]}
            rev: {hook_source["rev"]}
            hooks:
              - id: ragft-lint
        """)
    root = _repo(tmp_path / "mono", {
        ".pre-commit-config.yaml": config,
        # ruff's layout: the shared settings in the root declaration, which the hook watches.
        "ragft.yaml": SHARED,
        "services/pricing/ragft.yaml": PRICING.replace("ragft-settings.yaml", "ragft.yaml"),
        "services/brand/ragft.yaml": BRAND.replace("ragft-settings.yaml", "ragft.yaml"),
    }, env)

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--color=never",
                               *args], cwd=root, env=env, capture_output=True, text=True,
                              timeout=900)

    done = pre_commit("--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ragft.yaml:5:22: TH001" in done.stdout, done.stdout  # the shared file's line
    assert re.search(r"services/brand/ragft\.yaml:\d+:\d+: KN001 \[error\]", done.stdout)
    assert re.search(r"services/pricing/ragft\.yaml:\d+:\d+: KN001 \[info\]", done.stdout)

    # A change to the shared file alone is a change to every service that extends it.
    (root / "ragft.yaml").write_text(SHARED.replace("KN001: info", "KN001: warning"),
                                     encoding="utf-8")
    subprocess.run(["git", "add", "ragft.yaml"], cwd=root, env=env, check=True)
    done = pre_commit("--files", "ragft.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"services/pricing/ragft\.yaml:\d+:\d+: KN001 \[warning\]",
                     done.stdout), done.stdout
    assert re.search(r"services/brand/ragft\.yaml:\d+:\d+: KN001 \[error\]", done.stdout)
