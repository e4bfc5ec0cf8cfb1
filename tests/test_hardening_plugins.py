"""Plugins that go wrong in every way: each is named with its distribution and version, exit
3, the built-in rules and a good plugin's rules are still reported, the output stays what it
says it is (JSON here), no traceback. Each case installs real distributions (a dist-info with
entry points on the child's path) and runs the command line in a child process under a time
limit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, NamedTuple

import pytest

from test_host import GOOD, make_distribution

# The children find the distributions made here through PYTHONPATH.
pytestmark = pytest.mark.plugins


class Case(NamedTuple):
    module: str  # the failing plugin's source
    says: str  # what its failure says, after "failed: "


RULE = """\
    from ragft_lint import Severity, Violation, hookimpl, rule

    @rule("BAD001", "bad-rule", Severity.INFO)
    def bad(system, context):
        '''A rule that misbehaves.

        Why: a test.
        Fix: none.
        '''
        {body}

    @hookimpl
    def ragft_lint_rules():
        return [bad]
"""


def hook(body: str) -> str:
    return f"""\
    from ragft_lint import hookimpl

    @hookimpl
    def ragft_lint_rules():
        {body}
"""


CASES: Dict[str, Case] = {
    "import-error": Case("raise ImportError('no module named torch')\n",
                         "ImportError: no module named torch"),
    "syntax-error": Case("def broken(:\n", "SyntaxError"),
    "exits-at-import": Case("import sys\nsys.exit(4)\n", "SystemExit: 4"),
    "slow-import": Case("import time\ntime.sleep(60)\n", "Overrun: took longer than 0.5 s"),
    # It has a rule, so that the BAD of --select names one (an unknown prefix is exit 2).
    "prints-at-import": Case(textwrap.dedent(RULE.format(body="return iter(())"))
                             + "print('hello')\n", ""),
    "hook-raises": Case(hook("raise ValueError('bad config')"),
                        "ragft_lint_rules raised ValueError: bad config"),
    "hook-returns-a-number": Case(hook("return 42"),
                                  "ragft_lint_rules returned int, not a list of rules"),
    "hook-returns-strings": Case(hook("return ['BAD001']"),
                                 "ragft_lint_rules returned str, not a ragft_lint.Rule"),
    "hook-generator-raises": Case(hook("yield from (1 / 0 for _ in range(1))"),
                                  "ragft_lint_rules raised ZeroDivisionError"),
    "slow-hook": Case(hook("import time; time.sleep(60)"),
                      "ragft_lint_rules raised Overrun: took longer than 0.5 s"),
    "rule-raises": Case(RULE.replace("{body}", "raise KeyError('owner')"),
                        "rule BAD001 raised KeyError: 'owner'"),
    "rule-exits": Case(RULE.replace("{body}", "raise SystemExit(2)"),
                       "rule BAD001 raised SystemExit: 2"),
    "rule-yields-text": Case(RULE.replace("{body}", "yield 'not a violation'"),
                             "rule BAD001 yielded str, not a Violation"),
    "rule-returns-a-number": Case(RULE.replace("{body}", "return 7"),
                                  "rule BAD001 raised TypeError"),
    "slow-rule": Case(RULE.replace("{body}", "import time; time.sleep(60); yield from ()"),
                      "rule BAD001 raised Overrun: took longer than 0.5 s"),
    "rule-prints": Case(RULE.replace("{body}", "print('debugging'); yield from ()"), ""),
}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_bad_plugin(case_id: str, tmp_path: Path) -> None:
    case = CASES[case_id]
    site = tmp_path / "site"
    make_distribution(site, "org-rules", "1.2.0", {"org": "org_good"}, {"org_good": GOOD})
    make_distribution(site, "bad-plugin", "0.3.1", {"bad": "org_bad"}, {"org_bad": case.module})
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "ragft.yaml").write_text(
        "systems:\n  bot:\n    architecture: fine-tune\n    fine_tune: {base_model: gpt-x}\n")
    env = dict(os.environ, PYTHONPATH=str(site), RAGFT_LINT_PLUGIN_TIMEOUT="0.5",
               NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-m", "ragft_lint", "check", "--format", "json", "--no-evidence",
         "--select", "ORG,BAD,EV001"],
        cwd=project, capture_output=True, text=True, timeout=60, env=env)
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)  # whatever the plugin printed, the output is JSON
    rules = {f["rule"] for f in report["findings"]}
    assert {"ORG001", "EV001"} <= rules, done.stderr
    if not case.says:  # a plugin that only talks is no failure
        assert done.returncode == 1, done.stderr
        return
    assert done.returncode == 3, done.stderr
    assert f"plugin 'bad' (distribution bad-plugin 0.3.1) failed: {case.says}" in done.stderr
    assert "org-rules" not in done.stderr


SLOW_FORMAT = """\
    import time
    from ragft_lint import OutputFormat, hookimpl

    def render(reports, options):
        print("rendering")
        time.sleep(60)
        return "never\\n"

    def chatty(reports, options):
        print("a word from the plugin")
        return "the report\\n"

    @hookimpl
    def ragft_lint_output_formats():
        return {"slow": OutputFormat("takes its time", render),
                "chatty": OutputFormat("prints while rendering", chatty)}
"""


@pytest.mark.parametrize("fmt", ["slow", "chatty"])
def test_a_plugin_format_is_bounded_and_its_prints_stay_out(fmt: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_distribution(site, "org-formats", "1.0.0", {"fmt": "org_formats"},
                      {"org_formats": SLOW_FORMAT})
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "ragft.yaml").write_text("systems:\n  bot:\n    architecture: prompt\n")
    env = dict(os.environ, PYTHONPATH=str(site), RAGFT_LINT_PLUGIN_TIMEOUT="0.5")
    done = subprocess.run(
        [sys.executable, "-m", "ragft_lint", "check", "--format", fmt, "--no-evidence"],
        cwd=project, capture_output=True, text=True, timeout=60, env=env)
    assert "Traceback" not in done.stderr
    if fmt == "slow":
        assert done.returncode == 3
        assert done.stdout == ""
        assert ("plugin 'fmt' (distribution org-formats 1.0.0) failed: output format 'slow' "
                "raised Overrun: took longer than 0.5 s") in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert done.stdout == "the report\n"
        assert "a word from the plugin" in done.stderr
