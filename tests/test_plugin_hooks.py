"""The plugin hooks beyond rules: declaration keys, settings tables, output formats, and the
isolation of each plugin's failures in all of them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ragft_lint.cli import main
from test_host import make_distribution, only_site

KEYS = """\
    from ragft_lint import OutputFormat, Severity, Violation, hookimpl, rule, spec

    @rule("ORG010", "needs-owner", Severity.WARNING)
    def needs_owner(system, context):
        '''A system names no owning team.

        Why: someone must answer for it.
        Fix: add owner.team.
        '''
        if system.get("owner", "team") not in context.settings.get("teams", []):
            yield Violation("no known owning team", "set owner.team", ("architecture",))

    @hookimpl
    def ragft_lint_rules():
        return [needs_owner]

    @hookimpl
    def ragft_lint_system_keys():
        return {"owner": spec.Table({"team": spec.Str("the owning team"),
                                     "since": spec.Date()}, required=("team",))}

    @hookimpl
    def ragft_lint_settings():
        return spec.Table({"teams": spec.List(spec.Str())})

    def _count(reports, options):
        return f"{sum(len(r.findings) for r in reports)} findings\\n"

    @hookimpl
    def ragft_lint_output_formats():
        return {"count": OutputFormat("how many findings", _count)}
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in [m for m in sys.modules if m.startswith("org_")]:
        del sys.modules[name]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".git").mkdir()
    monkeypatch.chdir(folder)
    return folder


def declare(project: Path, text: str) -> None:
    (project / "ragft.yaml").write_text(text)


def test_plugin_keys_and_settings_are_validated_with_positions(site, project, monkeypatch,
                                                                capsys) -> None:
    make_distribution(site, "org-keys", "1.0.0", {"org": "org_keys"}, {"org_keys": KEYS})
    only_site(monkeypatch, site)
    declare(project, "plugins:\n  org:\n    teams: search\n"
                     "systems:\n  bot:\n    architecture: prompt\n"
                     "    owner: {teem: search}\n")
    assert main(["check", "--no-evidence"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert ("ragft.yaml:3:12: plugins.org.teams: expected a list of strings, "
            "found the string 'search'") in err
    assert any(line.startswith("ragft.yaml:7:13: systems.bot.owner.teem: unknown key 'teem'; "
                               "did you mean 'team'?") for line in err), err
    assert any("systems.bot.owner: missing required key 'team'" in line for line in err), err


def test_plugin_keys_reach_the_rules_and_settings_arrive_validated(site, project, monkeypatch,
                                                                    capsys) -> None:
    make_distribution(site, "org-keys", "1.0.0", {"org": "org_keys"}, {"org_keys": KEYS})
    only_site(monkeypatch, site)
    declare(project, "plugins:\n  org:\n    teams: [search]\n"
                     "systems:\n  a:\n    architecture: prompt\n    owner: {team: search}\n"
                     "  b:\n    architecture: prompt\n    owner: {team: ads, since: 2026-01-05}\n")
    assert main(["check", "--no-evidence", "--select", "ORG", "--fail-on", "warning"]) == 1
    out = capsys.readouterr().out
    assert "ragft.yaml:9:19: ORG010 [warning] no known owning team (b)" in out
    assert "(a)" not in out


def test_without_the_plugin_its_keys_are_unknown(project, capsys) -> None:
    declare(project, "systems:\n  a:\n    architecture: prompt\n    owner: {team: search}\n")
    assert main(["check", "--no-evidence"]) == 2
    assert "ragft.yaml:4:5: systems.a.owner: unknown key 'owner'" in capsys.readouterr().err


def test_plugin_output_format_and_schema(site, project, monkeypatch, capsys) -> None:
    make_distribution(site, "org-keys", "1.0.0", {"org": "org_keys"}, {"org_keys": KEYS})
    only_site(monkeypatch, site)
    declare(project, "systems:\n  a:\n    architecture: prompt\n")
    assert main(["check", "--no-evidence", "--format", "count", "--select", "ORG"]) == 0
    assert capsys.readouterr().out == "1 findings\n"
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    system = schema["properties"]["systems"]["additionalProperties"]
    assert system["properties"]["owner"]["required"] == ["team"]
    assert schema["properties"]["plugins"]["properties"]["org"]["properties"]["teams"][
        "type"] == "array"


def test_unknown_format_is_a_usage_error(project, capsys) -> None:
    declare(project, "systems:\n  a:\n    architecture: prompt\n")
    assert main(["check", "--format", "sarf"]) == 2
    err = capsys.readouterr().err
    assert "unknown output format 'sarf'; did you mean 'sarif'?" in err
    assert "Traceback" not in err


BROKEN_HOOKS = {
    "org_badkeys": """\
        from ragft_lint import hookimpl
        @hookimpl
        def ragft_lint_system_keys():
            raise RuntimeError("schema file missing")
    """,
    "org_wrongtype": """\
        from ragft_lint import hookimpl
        @hookimpl
        def ragft_lint_system_keys():
            return ["owner"]
        @hookimpl
        def ragft_lint_settings():
            return {"teams": "list"}
    """,
    "org_clash": """\
        from ragft_lint import hookimpl, spec
        @hookimpl
        def ragft_lint_system_keys():
            return {"eval": spec.Str()}
    """,
}


def test_broken_schema_hooks_are_named_and_the_rest_still_runs(site, project, monkeypatch,
                                                               capsys) -> None:
    make_distribution(site, "org-keys", "1.0.0", {"org": "org_keys"}, {"org_keys": KEYS})
    make_distribution(site, "bad-keys", "0.1.0", {"badkeys": "org_badkeys"},
                      {"org_badkeys": BROKEN_HOOKS["org_badkeys"]})
    make_distribution(site, "wrong-type", "0.2.0", {"wrongtype": "org_wrongtype"},
                      {"org_wrongtype": BROKEN_HOOKS["org_wrongtype"]})
    make_distribution(site, "clash", "0.3.0", {"clash": "org_clash"},
                      {"org_clash": BROKEN_HOOKS["org_clash"]})
    only_site(monkeypatch, site)
    declare(project, "systems:\n  a:\n    architecture: prompt\n    owner: {team: ads}\n"
                     "    eval: {examples: 10}\n")
    assert main(["check", "--no-evidence", "-q", "--select", "ORG,EV"]) == 3
    captured = capsys.readouterr()
    assert "ORG010 [warning] no known owning team (a)" in captured.out
    assert ("plugin 'badkeys' (distribution bad-keys 0.1.0) failed: ragft_lint_system_keys "
            "raised RuntimeError: schema file missing") in captured.err
    assert "plugin 'wrongtype' (distribution wrong-type 0.2.0) failed: ragft_lint_system_keys " \
           "returned list" in captured.err
    assert "plugin 'wrongtype' (distribution wrong-type 0.2.0) failed: ragft_lint_settings " \
           "returned dict" in captured.err
    assert "plugin 'clash' (distribution clash 0.3.0) failed: ragft_lint_system_keys: 'eval' " \
           "is a built-in key" in captured.err
    assert "Traceback" not in captured.err


def test_a_raising_output_format_is_the_plugins_failure(site, project, monkeypatch,
                                                        capsys) -> None:
    make_distribution(site, "org-fmt", "3.1.0", {"fmt": "org_fmt"}, {"org_fmt": """\
        from ragft_lint import OutputFormat, hookimpl
        def boom(reports, options):
            raise KeyError("column")
        @hookimpl
        def ragft_lint_output_formats():
            return {"boom": OutputFormat("fails", boom), "text": OutputFormat("clash", boom)}
    """})
    only_site(monkeypatch, site)
    declare(project, "systems:\n  a:\n    architecture: prompt\n")
    assert main(["check", "--no-evidence", "--format", "boom"]) == 3
    err = capsys.readouterr().err
    assert "plugin 'fmt' (distribution org-fmt 3.1.0) failed: output format 'boom' raised " \
           "KeyError" in err
    assert "output format 'text' is already defined" in err
    assert "Traceback" not in err
    # The built-in text format is untouched by the plugin's attempt to redefine it.
    assert main(["check", "--no-evidence", "--select", "KN"]) == 3
    assert "no findings" in capsys.readouterr().out


def test_a_slow_plugin_is_stopped_and_named(site, project, monkeypatch, capsys) -> None:
    make_distribution(site, "slow-import", "1.0.0", {"slowimport": "org_slowimport"},
                      {"org_slowimport": "import time\ntime.sleep(60)\n"})
    make_distribution(site, "slow-hook", "2.0.0", {"slowhook": "org_slowhook"}, {
        "org_slowhook": """\
            import time
            from ragft_lint import hookimpl
            @hookimpl
            def ragft_lint_rules():
                time.sleep(60)
                return []
        """})
    make_distribution(site, "org-keys", "1.0.0", {"org": "org_keys"}, {"org_keys": KEYS})
    only_site(monkeypatch, site)
    monkeypatch.setenv("RAGFT_LINT_PLUGIN_TIMEOUT", "0.5")
    declare(project, "systems:\n  a:\n    architecture: prompt\n")
    import time

    started = time.monotonic()
    assert main(["check", "--no-evidence", "-q", "--select", "ORG,KN"]) == 3
    assert time.monotonic() - started < 20
    captured = capsys.readouterr()
    assert "ORG010 [warning] no known owning team (a)" in captured.out
    assert ("plugin 'slowimport' (distribution slow-import 1.0.0) failed: Overrun: took longer "
            "than 0.5 s and was stopped") in captured.err
    assert ("plugin 'slowhook' (distribution slow-hook 2.0.0) failed: ragft_lint_rules raised "
            "Overrun: took longer than 0.5 s and was stopped") in captured.err


def test_a_slow_rule_is_stopped_and_named(site, project, monkeypatch, capsys) -> None:
    make_distribution(site, "slow-rule", "1.1.0", {"slowrule": "org_slowrule"}, {
        "org_slowrule": """\
            import time
            from ragft_lint import Severity, hookimpl, rule

            @rule("SLOW001", "slow-check", Severity.INFO)
            def slow(system, context):
                '''Takes its time.'''
                time.sleep(60)
                yield from ()

            @hookimpl
            def ragft_lint_rules():
                return [slow]
        """})
    only_site(monkeypatch, site)
    monkeypatch.setenv("RAGFT_LINT_PLUGIN_TIMEOUT", "0.5")
    declare(project, "systems:\n  a:\n    architecture: fine-tune\n    knowledge: "
                     "{changes: weekly}\n")
    assert main(["check", "--no-evidence", "-q", "--select", "SLOW,KN001"]) == 3
    captured = capsys.readouterr()
    assert "KN001 [error]" in captured.out
    assert ("plugin 'slowrule' (distribution slow-rule 1.1.0) failed: rule SLOW001 raised "
            "Overrun: took longer than 0.5 s and was stopped") in captured.err
