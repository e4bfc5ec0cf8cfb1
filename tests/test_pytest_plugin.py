"""The pytest plugin, run for real inside pytest sessions made by ``pytester``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

import pytest

from ragft_lint import check

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
MODULE = "ragft_lint.pytest_plugin"


def _installed() -> bool:
    """Whether pytest finds the plugin's ``pytest11`` entry point in this environment.

    Asked as pytest asks: of every distribution on the path, not only the first of each name.
    """
    from importlib import metadata

    return any(ep.group == "pytest11" and ep.value == MODULE
               for dist in metadata.distributions() for ep in dist.entry_points)


# An environment installed before the entry point existed loads the plugin by name instead;
# a fresh install (as in CI) runs every test below through the entry point.
LOAD: List[str] = [] if _installed() else ["-p", MODULE]

DECLARATION = """\
evidence: false
select: [KN001, EV007]
systems:
  faq-bot:
    architecture: prompt
  pricing-bot:
    architecture: fine-tune
    gaps: [knowledge]
    knowledge:
      changes: weekly
"""
# fnmatch reads "[error]" as a character class; "[[]" is a literal "[".
KN001_LINE = ("ragft.yaml:10:16: KN001 [[]error] architecture is fine-tune, but the knowledge "
              "changes weekly*")

USERS_TESTS = """\
def test_the_faq_bot_has_no_error(ragft_lint_report):
    assert not [f for f in ragft_lint_report.for_system("faq-bot")
                if str(f.severity) == "error"]


def test_kn001_fired_on_the_pricing_bot_only(ragft_lint_report):
    assert [(f.rule, f.system) for f in ragft_lint_report.findings if f.rule == "KN001"] == [
        ("KN001", "pricing-bot")]
"""


@pytest.fixture(scope="module", autouse=True)
def _reader_outlives_the_runs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Check a declaration once here, so every module that reading one needs is loaded.

    pytester's in-process runs forget the modules each run imported, but a compiled YAML parser
    is imported once per process and keeps making nodes of the classes it first saw; loaded
    before the runs, the reader and the parser stay consistent with each other.
    """
    folder = tmp_path_factory.mktemp("reader")
    (folder / ".git").mkdir()
    (folder / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")
    assert check(folder / "ragft.yaml").systems == ["faq-bot", "pricing-bot"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with a declaration of two systems (one sound, one not) and no test of its own."""
    (pytester.path / ".git").mkdir()  # the project root: discovery stops here
    declare(pytester, DECLARATION)
    return pytester


def declare(pytester: pytest.Pytester, text: str) -> None:
    (pytester.path / "ragft.yaml").write_text(text, encoding="utf-8")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*LOAD, "-p", "no:cacheprovider", *args)


def test_the_entry_point_is_declared() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["pytest11"] == {"ragft_lint": MODULE}


def test_inactive_unless_asked_adds_nothing_and_imports_nothing(project: pytest.Pytester) -> None:
    project.makepyfile(test_modules="""
        import sys

        def test_only_the_plugin_module_is_loaded():
            assert "ragft_lint.pytest_plugin" in sys.modules
            heavy = [m for m in sys.modules if m.startswith((
                "ragft_lint.engine", "ragft_lint.host", "ragft_lint.declaration",
                "ragft_lint.rules", "ragft_lint.errors", "yaml", "tomli"))]
            assert heavy == []
    """)
    result = project.runpytest_subprocess(*LOAD, "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*collected 1 item"])
    result.stdout.no_fnmatch_line("*ragft-lint::*")


def test_the_flag_adds_one_item_per_system(project: pytest.Pytester) -> None:
    result = run(project, "--ragft-lint", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*collected 2 items",
        "ragft-lint::faq-bot PASSED*",
        "ragft-lint::pricing-bot FAILED*",
    ])


@pytest.mark.parametrize("inifile", ["pytest.ini", "pyproject.toml"])
def test_the_ini_option_turns_it_on(project: pytest.Pytester, inifile: str) -> None:
    if inifile == "pytest.ini":
        project.makeini("[pytest]\nragft_lint = true\n")
    else:
        project.makepyprojecttoml("[tool.pytest.ini_options]\nragft_lint = true\n")
    result = run(project, "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["ragft-lint::faq-bot PASSED*"])


def test_the_ini_option_can_say_no(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nragft_lint = false\n")
    result = run(project)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["collected 0 items"])


def test_a_failing_item_shows_each_finding_with_its_place_and_fix(
        project: pytest.Pytester) -> None:
    result = run(project, "--ragft-lint")
    result.stdout.fnmatch_lines([
        "*_ ragft-lint: pricing-bot _*",
        "pricing-bot: 1 finding at or above fail_on (error)",
        KN001_LINE,
        "    fix: *",
        "FAILED ragft-lint::pricing-bot*",
    ])
    # A warning below fail_on does not fail its system, nor is it shown as a failure.
    result.stdout.no_fnmatch_line("*EV007*")
    result.stdout.no_fnmatch_line("*Traceback*")
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_fail_on_from_the_declaration_decides(project: pytest.Pytester) -> None:
    declare(project, "fail_on: warning\n" + DECLARATION)
    result = run(project, "--ragft-lint", "-v")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "faq-bot: 1 finding at or above fail_on (warning)",
        "ragft.yaml:6:19: EV007 [[]warning] *",
    ])


def test_a_waived_finding_does_not_fail(project: pytest.Pytester) -> None:
    declare(project, DECLARATION + (
        "    waivers:\n"
        "      KN001:\n"
        "        reason: the price list is frozen until the migration is done\n"))
    result = run(project, "--ragft-lint")
    result.assert_outcomes(passed=2)


def test_the_fixture_serves_users_own_tests_without_the_flag(project: pytest.Pytester) -> None:
    project.makepyfile(test_architecture=USERS_TESTS)
    result = run(project, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.no_fnmatch_line("*ragft-lint::*")


def test_the_fixture_and_the_items_together(project: pytest.Pytester) -> None:
    project.makepyfile(test_architecture=USERS_TESTS)
    result = run(project, "--ragft-lint", "-v")
    result.assert_outcomes(passed=3, failed=1)


def test_a_path_from_the_command_line_or_the_ini_file(pytester: pytest.Pytester) -> None:
    (pytester.path / ".git").mkdir()
    (pytester.path / "ai").mkdir()
    (pytester.path / "ai" / "ragft.yaml").write_text(DECLARATION, encoding="utf-8")

    result = run(pytester, "--ragft-lint", "--ragft-lint-path", "ai")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["ai/" + KN001_LINE])

    pytester.makeini("[pytest]\nragft_lint = true\nragft_lint_path = ai/ragft.yaml\n")
    run(pytester).assert_outcomes(passed=1, failed=1)


def test_a_wrong_declaration_is_a_collection_error_that_shows_where(
        project: pytest.Pytester) -> None:
    declare(project, DECLARATION.replace("architecture: prompt",
                                                         "architecture: promt"))
    result = run(project, "--ragft-lint")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR collecting ragft-lint*",
        "ragft.yaml:5:19: systems.faq-bot.architecture: expected one of prompt, rag, "
        "fine-tune, hybrid, found the string 'promt'*",
        "*Interrupted: 1 error during collection*",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*ragft_lint*.py*")  # no frame of ours in the report


def test_no_declaration_is_a_collection_error_that_says_where_it_looked(
        pytester: pytest.Pytester) -> None:
    (pytester.path / ".git").mkdir()
    result = run(pytester, "--ragft-lint")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["no declaration found: looked for ragft.yaml*ragft-lint init*"])


def test_the_fixture_with_a_wrong_declaration_fails_with_the_message_alone(
        project: pytest.Pytester) -> None:
    declare(project, "systems:\n  bot:\n    architecture: fin\n")
    project.makepyfile(test_architecture=USERS_TESTS)
    result = run(project)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_the_faq_bot_has_no_error*",
        "ragft.yaml:3:19: systems.bot.architecture: expected one of*",
    ])
    result.stdout.no_fnmatch_line("*During handling of the above exception*")
    result.stdout.no_fnmatch_line("*Traceback*")


def test_under_xdist(project: pytest.Pytester) -> None:
    project.makepyfile(test_architecture=USERS_TESTS)
    result = project.runpytest_subprocess(*LOAD, "-p", "no:cacheprovider", "--ragft-lint",
                                          "-n", "2", "-v")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines_random([
        "*PASSED ragft-lint::faq-bot*",
        "*FAILED ragft-lint::pricing-bot*",
        KN001_LINE,
    ])


def test_without_the_cache_provider_nothing_is_written(project: pytest.Pytester) -> None:
    before = sorted(p.name for p in project.path.iterdir())
    run(project, "--ragft-lint").assert_outcomes(passed=1, failed=1)
    assert sorted(p.name for p in project.path.iterdir()) == before


def test_the_options_have_their_own_group_in_the_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*LOAD, "--help")
    result.stdout.fnmatch_lines([
        "checking the AI systems' declaration (ragft-lint):",
        "*--ragft-lint *add one test per declared AI system*",
        "*--ragft-lint-path=PATH*",
    ])
    result.stdout.fnmatch_lines(["*ragft_lint (bool):*"])


# The fixture's for_system: waived findings left out unless asked for, and a typo caught.

WAIVED = DECLARATION + """\
    waivers:
      KN001: {reason: "the price list is frozen until the move to retrieval"}
"""


def test_for_system_leaves_waived_findings_out_unless_asked(project: pytest.Pytester) -> None:
    declare(project, WAIVED)
    project.makepyfile(test_waived="""
        def test_the_waived_finding_is_left_out(ragft_lint_report):
            assert [f.rule for f in ragft_lint_report.for_system("pricing-bot")] == []

        def test_it_is_there_when_asked_for(ragft_lint_report):
            found = ragft_lint_report.for_system("pricing-bot", include_waived=True)
            assert [(f.rule, f.waived) for f in found] == [("KN001", True)]
    """)
    result = run(project, "--ragft-lint", "-v")
    result.assert_outcomes(passed=4)  # the two systems' items, and the two tests


def test_for_system_of_an_unknown_system_names_the_systems(project: pytest.Pytester) -> None:
    project.makepyfile(test_typo="""
        import pytest

        def test_a_typo_is_an_error(ragft_lint_report):
            with pytest.raises(LookupError) as raised:
                ragft_lint_report.for_system("pricing-bto")
            assert str(raised.value) == (
                "ragft.yaml declares no system 'pricing-bto'; did you mean 'pricing-bot'? "
                "(its systems: 'faq-bot', 'pricing-bot')")

        def test_the_readme_example_fails_loudly_on_a_typo(ragft_lint_report):
            assert not [f for f in ragft_lint_report.for_system("faq-btt")
                        if str(f.severity) == "error"]
    """)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*UnknownSystemError: ragft.yaml declares no system*"])


def test_items_run_beside_a_plugin_that_wraps_function_calls(project: pytest.Pytester) -> None:
    # pytest-lsp's call wrapper ends without running an item that has no ``funcargs``: with
    # it loaded (as it is wherever it is installed), the items must still run and fail.
    pytest.importorskip("pytest_lsp", reason="pytest-lsp needs Python 3.10 or later")
    result = project.runpytest_subprocess(*LOAD, "-p", "pytest_lsp", "-p", "no:cacheprovider",
                                          "--ragft-lint", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["ragft-lint::pricing-bot FAILED*"])
