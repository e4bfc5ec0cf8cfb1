"""The plugin host: finding entry points without importing, loading one plugin at a time."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from helpers import fired
from ragft_lint import host as host_module
from ragft_lint.cli import main


def make_distribution(site: Path, dist: str, version: str, entry_points: dict[str, str],
                      modules: dict[str, str]) -> None:
    """Lay out an installed distribution the way an installer does: modules and a dist-info."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = ["[console_scripts]", "other = x:y", "", "[ragft_lint]"]
    lines += [f"{name} = {value}" for name, value in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for name, source in modules.items():
        (site / f"{name}.py").write_text(textwrap.dedent(source))


def only_site(monkeypatch: pytest.MonkeyPatch, site: Path) -> None:
    """Let the host find the distributions of this test's site folder only."""
    real = host_module.find_entry_points
    monkeypatch.setattr(host_module, "find_entry_points", lambda: real(path=[str(site)]))


GOOD = """\
    from ragft_lint import Severity, Violation, hookimpl, rule

    @rule("ORG001", "approved-base-models", Severity.ERROR)
    def approved(system, context):
        '''Fine-tunes only on approved base models.

        Why: legal review.
        Fix: pick an approved model.
        '''
        allowed = context.settings.get("allowed", [])
        model = system.get("fine_tune", "base_model")
        if model is not None and model not in allowed:
            yield Violation(f"base model {model} is not approved", "use an approved model",
                            ("fine_tune", "base_model"))

    @hookimpl
    def ragft_lint_rules():
        return [approved]
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in [m for m in sys.modules if m.startswith("org_")]:
        del sys.modules[name]


def test_finding_reads_metadata_only(site: Path) -> None:
    make_distribution(site, "org-rules", "1.2.0", {"org": "org_never_imported:plugin"}, {})
    (found,) = host_module.find_entry_points(path=[str(site)])
    assert (found.name, found.value, found.distribution, found.version) == (
        "org", "org_never_imported:plugin", "org-rules", "1.2.0")
    assert "org_never_imported" not in sys.modules


def test_plugin_rules_run_with_their_settings(site: Path, run_yaml, monkeypatch) -> None:
    make_distribution(site, "org-rules", "1.2.0", {"org": "org_good"}, {"org_good": GOOD})
    only_site(monkeypatch, site)
    report = run_yaml("""\
        plugins:
          org: {allowed: [llama-3.1-8b-instruct]}
        systems:
          bot:
            architecture: fine-tune
            fine_tune: {base_model: gpt-x}
        """)
    (finding,) = fired(report, "ORG001")
    assert finding.key == "systems.bot.fine_tune.base_model"
    assert report.plugin_failures == []


def test_a_broken_plugin_is_named_and_the_others_still_run(site: Path, tmp_path: Path,
                                                            monkeypatch, capsys) -> None:
    make_distribution(site, "org-rules", "1.2.0", {"org": "org_good"}, {"org_good": GOOD})
    make_distribution(site, "broken-rules", "0.3.1", {"broken": "org_broken"},
                      {"org_broken": "raise ImportError('no module named torch')\n"})
    make_distribution(site, "raising-rules", "2.0.0", {"raising": "org_raising"}, {
        "org_raising": """\
            from ragft_lint import hookimpl
            @hookimpl
            def ragft_lint_rules():
                raise ValueError("bad config")
        """})
    make_distribution(site, "unknown-hook", "1.0.0", {"typo": "org_typo"}, {
        "org_typo": """\
            from ragft_lint import hookimpl
            @hookimpl
            def ragft_lint_rulez():
                return []
        """})
    only_site(monkeypatch, site)
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    (project / "ragft.yaml").write_text(
        "systems:\n  bot:\n    architecture: fine-tune\n    fine_tune: {base_model: gpt-x}\n")
    monkeypatch.chdir(project)
    assert main(["check", "-q", "--select", "ORG,EV001"]) == 3
    captured = capsys.readouterr()
    assert "ORG001 [error] base model gpt-x is not approved" in captured.out
    assert "EV001 [error]" in captured.out
    assert ("plugin 'broken' (distribution broken-rules 0.3.1) failed: "
            "ImportError: no module named torch") in captured.err
    assert ("plugin 'raising' (distribution raising-rules 2.0.0) failed: ragft_lint_rules "
            "raised ValueError: bad config") in captured.err
    assert "plugin 'typo' (distribution unknown-hook 1.0.0) failed" in captured.err
    assert "Traceback" not in captured.err
