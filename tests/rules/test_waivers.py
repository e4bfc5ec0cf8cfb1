from __future__ import annotations

import json

from helpers import fired
from ragft_lint.cli import main

FINE_TUNE_WEEKLY = """\
systems:
  bot:
    architecture: fine-tune
    knowledge:
      changes: weekly
    eval:
      examples: 200
    waivers:
      KN001:
        reason: "retraining is automated and runs nightly"
        {expires}
"""


def test_waived_finding_does_not_fail_but_stays_visible(run_yaml) -> None:
    report = run_yaml(FINE_TUNE_WEEKLY.format(expires=""), select=["KN001", "WV"])
    (finding,) = fired(report, "KN001")
    assert finding.waived and finding.waiver_reason == "retraining is automated and runs nightly"
    assert not report.failed and report.exit_status == 0
    assert report.summary == {"error": 0, "warning": 0, "info": 0, "waived": 1}
    assert fired(report, "WV001") == fired(report, "WV002") == []


def test_waiver_valid_on_its_expiry_day(run_yaml) -> None:
    report = run_yaml(FINE_TUNE_WEEKLY.format(expires="expires: 2026-11-23"), select=["KN", "WV"])
    assert fired(report, "KN001")[0].waived
    assert fired(report, "WV001") == []


def test_expired_waiver_no_longer_waives(run_yaml) -> None:
    report = run_yaml(FINE_TUNE_WEEKLY.format(expires="expires: 2026-11-22"), select=["KN", "WV"])
    (kn001,) = fired(report, "KN001")
    assert not kn001.waived
    (wv001,) = fired(report, "WV001")
    assert wv001.key == "systems.bot.waivers.KN001.expires"
    assert wv001.location.line == 11
    assert "2026-11-22" in wv001.message
    assert report.failed


def test_unused_waiver_is_reported_only_when_its_rule_ran(run_yaml) -> None:
    text = FINE_TUNE_WEEKLY.format(expires="").replace("changes: weekly", "changes: static")
    report = run_yaml(text, select=["KN", "WV"])
    (wv002,) = fired(report, "WV002")
    assert wv002.key == "systems.bot.waivers.KN001"
    assert str(wv002.severity) == "info"
    report = run_yaml(text, select=["EV", "WV"])
    assert fired(report, "WV002") == []


def test_json_lists_waived_findings_with_their_reason(run_yaml, tmp_path, monkeypatch,
                                                      capsys) -> None:
    run_yaml(FINE_TUNE_WEEKLY.format(expires=""))
    monkeypatch.chdir(tmp_path / "project")
    assert main(["check", "--format", "json", "--select", "KN001", "--no-evidence"]) == 0
    (item,) = json.loads(capsys.readouterr().out)["findings"]
    assert item["waived"] is True
    assert item["waiver_reason"] == "retraining is automated and runs nightly"
