"""``ragft-lint init`` on a real pseudo-terminal and from a pipe, into either declaration file."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from ragft_lint.decide import decide
from ragft_lint.declaration import load
from ragft_lint.declaration.schema import ARCHITECTURES

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

QUESTIONS = 16  # asked whatever the answers; follow-up questions come where answers lead
SUPPORT_QUESTIONS = 20  # the support bot's answers lead to four follow-ups

# One answer per question, in order, for a support assistant over weekly-changing policies.
SUPPORT_BOT = [
    "support bot",        # name
    "knowledge, behaviour",  # gaps
    "60",                 # baseline queries
    "weekly",             # how often the facts change
    "reference",          # depth
    "4M",                 # corpus tokens
    "128k",               # context window
    "yes",                # citations
    "yes",                # per-user access
    "yes",                # ... so: does retrieval filter by the user's permissions?
    "yes",                # ... and is that tested for leaks?
    "180",                # labelled eval examples
    "0.8",                # ... so: the score it must reach to ship
    "1,800",              # training examples
    "6",                  # few-shot examples tried
    "70%",                # baseline score
    "qwen3-8b",           # ... so: the model it was measured on
    "style",              # fine-tune goals (no reasoning: no question on its conventions)
    "30k",                # requests per month
    "hybrid",             # architecture
]

SUPPORT_FACTS = {
    "architecture": "hybrid",
    "gaps": ["knowledge", "behavior"],
    "baseline_queries": 60,
    "knowledge": {"changes": "weekly", "depth": "reference", "corpus_tokens": 4_000_000,
                  "citations": True, "per_user_access": True},
    "prompt": {"few_shot_examples": 6, "context_window_tokens": 128_000,
               "baseline_score": 0.7, "baseline_model": "qwen3-8b"},
    "fine_tune": {"goals": ["style"], "training_examples": 1800, "requests_per_month": 30_000},
    "eval": {"examples": 180, "labeled": True, "target_score": 0.8},
    "rag": {"acl_filtering": True, "leakage_tested": True},
}


def init(folder: Path, answers: Optional[List[str]], *options: str,
         text: Optional[str] = None) -> subprocess.CompletedProcess[str]:
    """Run ``ragft-lint init`` with its answers piped in, one per line."""
    given = text if text is not None else "".join(a + "\n" for a in answers or [])
    return subprocess.run([sys.executable, "-m", "ragft_lint", "init", *options],
                          input=given, capture_output=True, text=True, cwd=folder,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = tmp_path / "support"
    (project / ".git").mkdir(parents=True)
    return project


def facts(path: Path, name: str) -> Dict[str, Any]:
    declaration = load(path)
    return declaration.systems[name].facts


class TestFromAPipe:
    def test_every_answer_lands_in_the_declaration_and_decide_has_its_say(
            self, folder: Path) -> None:
        done = init(folder, SUPPORT_BOT)
        assert done.returncode == 0, done.stderr
        assert facts(folder / "ragft.yaml", "support bot") == SUPPORT_FACTS
        assert "wrote ragft.yaml (system 'support bot', architecture hybrid)" in done.stderr
        assert done.stdout.startswith("support bot (declared hybrid)\n")
        assert "  consensus: hybrid\n" in done.stdout
        assert "ragft.yaml:" in done.stdout  # each step says where its fact was declared
        assert "(" not in done.stderr.split("\n")[0][:10]  # no question was printed
        assert "?" not in done.stderr

    def test_empty_lines_take_the_defaults_and_the_end_of_the_input_answers_nothing(
            self, folder: Path) -> None:
        done = init(folder, ["", "behavior", "", "static"])
        assert done.returncode == 0, done.stderr
        written = facts(folder / "ragft.yaml", "support")  # the folder's name by default
        decision = decide(load(folder / "ragft.yaml"))["support"]
        # The architecture defaults to what decide recommends from the other answers.
        assert written["architecture"] == decision.consensus == "prompt"
        # The questions after the last line were not answered: none of them is a fact.
        assert written == {"architecture": "prompt", "gaps": ["behavior"],
                           "knowledge": {"changes": "static"}}

    def test_no_input_at_all_still_writes_a_declaration_that_loads(self, folder: Path) -> None:
        done = init(folder, None, text="")
        assert done.returncode == 0, done.stderr
        written = facts(folder / "ragft.yaml", "support")
        assert written["architecture"] in ARCHITECTURES
        assert "gaps" not in written  # not tried yet: nothing is claimed

    def test_a_wrong_answer_stops_with_its_number_and_writes_nothing(
            self, folder: Path) -> None:
        answers = SUPPORT_BOT[:3] + ["wekly"]
        done = init(folder, answers)
        assert done.returncode == 2
        assert ("ragft-lint: answer 4 (How often do the facts it must know change?): 'wekly' "
                "is not one of realtime, daily, weekly, monthly, quarterly, yearly, static, "
                "unknown; did you mean 'weekly'?") in done.stderr
        assert "Traceback" not in done.stderr
        assert list(folder.iterdir()) == [folder / ".git"]

    @pytest.mark.parametrize(("index", "answer", "message"), [
        (2, "lots", "'lots' is not a whole number"),
        (6, "-5", "'-5' is not a whole number of at least 0"),
        (15, "1.5", "'1.5' is not between 0 and 1"),
        (12, "2", "'2' is not between 0 and 1"),
        (7, "maybe", "'maybe': answer yes or no"),
        (17, "speed", "'speed' is not one of format, style"),
        (19, "lora", "'lora' is not one of prompt, rag, fine-tune, hybrid"),
    ])
    def test_each_kind_of_answer_is_checked(self, folder: Path, index: int, answer: str,
                                            message: str) -> None:
        answers = list(SUPPORT_BOT)
        answers[index] = answer
        done = init(folder, answers)
        assert done.returncode == 2
        assert f"answer {index + 1} (" in done.stderr and message in done.stderr
        assert not (folder / "ragft.yaml").exists()

    @pytest.mark.parametrize("name", ["yes", "1", "bot: two", "assistant \"β\"", "#tag"])
    def test_names_that_need_quoting_read_back_as_given(self, folder: Path, name: str) -> None:
        done = init(folder, [name])
        assert done.returncode == 0, done.stderr
        assert list(load(folder / "ragft.yaml").systems) == [name]
        (folder / "ragft.yaml").unlink()
        (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
        done = init(folder, [name], "--pyproject")
        assert done.returncode == 0, done.stderr
        assert list(load(folder / "pyproject.toml").systems) == [name]


class TestExistingDeclarations:
    def test_an_existing_declaration_is_kept_unless_forced(self, folder: Path) -> None:
        original = "systems:\n  old:\n    architecture: rag\n"
        (folder / "ragft.yaml").write_text(original, encoding="utf-8")
        done = init(folder, SUPPORT_BOT)
        assert done.returncode == 2
        assert "ragft.yaml already exists; use --force to replace it" in done.stderr
        assert (folder / "ragft.yaml").read_text(encoding="utf-8") == original
        done = init(folder, SUPPORT_BOT, "--force")
        assert done.returncode == 0, done.stderr
        assert list(load(folder / "ragft.yaml").systems) == ["support bot"]

    def test_force_replaces_the_yaml_file_under_its_own_name(self, folder: Path) -> None:
        (folder / ".ragft.yml").write_text("systems: {}\n", encoding="utf-8")
        done = init(folder, ["bot"], "--force")
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in folder.iterdir()) == [".git", ".ragft.yml"]
        assert list(load(folder).systems) == ["bot"]

    def test_a_second_declaration_is_never_written(self, folder: Path) -> None:
        pyproject = "[tool.ragft-lint.systems.old]\narchitecture = 'rag'\n"
        (folder / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        done = init(folder, ["bot"], "--force")
        assert done.returncode == 2
        assert "pyproject.toml already holds the declaration" in done.stderr
        assert "--pyproject --force" in done.stderr
        assert not (folder / "ragft.yaml").exists()

        (folder / "ragft.yaml").write_text("systems: {}\n", encoding="utf-8")
        (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
        done = init(folder, ["bot"], "--pyproject", "--force")
        assert done.returncode == 2
        assert "ragft.yaml already holds the declaration" in done.stderr
        assert (folder / "pyproject.toml").read_text(encoding="utf-8") == "[project]\nname = 'x'\n"

    def test_pyproject_needs_a_pyproject(self, folder: Path) -> None:
        done = init(folder, ["bot"], "--pyproject")
        assert done.returncode == 2
        assert "no pyproject.toml: --pyproject adds a [tool.ragft-lint] table" in done.stderr
        assert list(folder.iterdir()) == [folder / ".git"]

    def test_another_folder_can_be_named(self, folder: Path) -> None:
        inner = folder / "services" / "bot"
        inner.mkdir(parents=True)
        done = init(folder, ["bot"], "services/bot")
        assert done.returncode == 0, done.stderr
        assert list(load(inner / "ragft.yaml").systems) == ["bot"]
        assert init(folder, ["bot"], "nowhere").returncode == 2


PYPROJECT = (
    "# The project's own settings; comments and layout must survive.\r\n"
    "[project]\r\n"
    "name    = \"support\"   # aligned on purpose\r\n"
    "dependencies = [\r\n"
    "  'pluggy',  # a trailing comma follows\r\n"
    "]\r\n"
    "\r\n"
    "[tool.black]\r\n"
    "line-length = 88"  # no newline at the end of the file
)


class TestPyproject:
    def test_the_table_is_appended_and_every_existing_byte_kept(self, folder: Path) -> None:
        path = folder / "pyproject.toml"
        path.write_bytes(PYPROJECT.encode("utf-8"))
        done = init(folder, SUPPORT_BOT, "--pyproject")
        assert done.returncode == 0, done.stderr
        after = path.read_bytes()
        assert after.startswith(PYPROJECT.encode("utf-8"))
        added = after[len(PYPROJECT.encode("utf-8")):].decode("utf-8")
        assert added.startswith("\r\n\r\n[tool.ragft-lint]\r\n")
        assert "\n" not in added.replace("\r\n", "")  # the file's own line endings
        assert facts(path, "support bot") == SUPPORT_FACTS
        parsed = tomllib.loads(after.decode("utf-8"))
        assert parsed["project"]["name"] == "support"
        assert parsed["tool"]["black"] == {"line-length": 88}

    def test_an_existing_table_is_kept_unless_forced(self, folder: Path) -> None:
        path = folder / "pyproject.toml"
        before = "[project]\nname = 'x'\n"
        path.write_text(before, encoding="utf-8")
        assert init(folder, ["first"], "--pyproject").returncode == 0
        written = path.read_bytes()
        done = init(folder, ["second"], "--pyproject")
        assert done.returncode == 2
        assert "already has a [tool.ragft-lint] table; use --force" in done.stderr
        assert path.read_bytes() == written
        after = "\n# kept\n[tool.other]\nkey = 1  # also kept\n"
        path.write_text(written.decode("utf-8") + after, encoding="utf-8")
        done = init(folder, ["second"], "--pyproject", "--force")
        assert done.returncode == 0, done.stderr
        text = path.read_text(encoding="utf-8")
        assert text.startswith(before) and text.endswith(after)
        assert list(load(path).systems) == ["second"]
        assert text.count("[tool.ragft-lint]") == 1 and "first" not in text

    def test_a_table_that_cannot_be_added_is_shown_instead(self, folder: Path) -> None:
        path = folder / "pyproject.toml"
        path.write_text("tool = {black = {line-length = 88}}\n", encoding="utf-8")
        done = init(folder, ["bot"], "--pyproject")
        assert done.returncode == 2
        assert "cannot be added to the file as it stands" in done.stderr
        assert "add this table by hand:\n\n[tool.ragft-lint]\n" in done.stderr
        assert path.read_text(encoding="utf-8") == "tool = {black = {line-length = 88}}\n"

    def test_a_broken_pyproject_is_reported_where_it_is_broken(self, folder: Path) -> None:
        (folder / "pyproject.toml").write_text("[project\nname = 'x'\n[tool.ragft-lint]\n",
                                                encoding="utf-8")
        done = init(folder, ["bot"], "--pyproject")
        assert done.returncode == 2
        assert done.stderr.startswith("pyproject.toml:1:")


class Terminal:
    """A child process on a real pseudo-terminal: what it printed, and what was typed."""

    def __init__(self, folder: Path, *options: str) -> None:
        import pty

        self.master, follower = pty.openpty()
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ragft_lint", "init", *options], cwd=folder, env=env,
            stdin=follower, stdout=follower, stderr=follower, close_fds=True)
        os.close(follower)
        self.output = ""

    def read(self, until: str, timeout: float = 30) -> bool:
        """Read until ``until`` appears in the output, the child ends, or time runs out."""
        import select

        deadline = time.monotonic() + timeout
        while until not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                if self.process.poll() is not None:
                    break
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:  # the child has closed the terminal
                break
            if not data:
                break
            self.output += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return until in self.output

    def type(self, line: str) -> None:
        os.write(self.master, line.encode("utf-8") + b"\r")

    def finish(self) -> int:
        self.read("\0", timeout=30)  # everything until the child is done
        os.close(self.master)
        return self.process.wait(timeout=30)


class Session:
    def __init__(self, status: int, output: str) -> None:
        self.status = status
        self.output = output


def terminal(folder: Path, answers: List[str], *options: str) -> Session:
    """Answer each question as it is asked on the terminal."""
    screen = Terminal(folder, *options)
    for answer in answers:
        if not screen.read("]: "):
            break
        # Everything so far is consumed, so the next question's prompt is waited for anew.
        screen.output = screen.output.replace("]: ", "]:\u00a0")
        screen.type(answer)
    status = screen.finish()
    return Session(status, screen.output.replace("]:\u00a0", "]: "))


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
class TestOnATerminal:
    def test_each_question_is_asked_with_its_default(self, folder: Path) -> None:
        session = terminal(folder, SUPPORT_BOT)
        assert session.status == 0, session.output
        assert facts(folder / "ragft.yaml", "support bot") == SUPPORT_FACTS
        out = session.output
        assert "Press Enter to take the answer in [brackets]" in out
        assert f"1/{QUESTIONS} What is the AI system called?\n  a name [support]: " in out
        assert (f"4/{QUESTIONS} How often do the facts it must know change?\n  realtime, daily, "
                "weekly, monthly, quarterly, yearly, static, or unknown [unknown]: weekly") in out
        # Before the last question, decide's view of the answers so far, and its default.
        assert ("From these answers, decide says: failure-mode tree: hybrid, five gates: "
                "hybrid, checklist: rag.") in out
        assert f"{QUESTIONS}/{QUESTIONS} Which architecture do you choose?\n" \
               "  prompt, rag, " \
               "fine-tune, hybrid [hybrid]: " in out
        # The count shown never moves: follow-ups carry their question's number and a letter.
        assert f"9a/{QUESTIONS} Does retrieval filter the documents" in out
        assert f"9b/{QUESTIONS} Do tests show that a user cannot retrieve" in out
        import re
        shown = re.findall(r"^\d+[a-z]?/(\d+) ", out, re.MULTILINE)
        assert len(shown) == SUPPORT_QUESTIONS and set(shown) == {str(QUESTIONS)}
        assert "wrote ragft.yaml (system 'support bot', architecture hybrid)" in out
        assert "  consensus: hybrid\n" in out

    def test_a_wrong_answer_is_asked_again(self, folder: Path) -> None:
        answers = ["", "knowlege", "knowledge"] + [""] * (QUESTIONS - 2)
        session = terminal(folder, answers)
        assert session.status == 0, session.output
        assert ("'knowlege' is not one of knowledge, reasoning, behavior, none; did you mean "
                "'knowledge'?\n2/16 What did the unmodified base model get wrong") in session.output
        written = facts(folder / "ragft.yaml", "support")
        assert written["gaps"] == ["knowledge"]
        # decide's recommendation, taken by Enter: with the corpus size unknown every framework
        # leaves prompt (long context) or rag open, and the simplest of them is proposed.
        assert written["architecture"] == "prompt"

    def test_the_end_of_input_on_a_terminal_cancels(self, folder: Path) -> None:
        screen = Terminal(folder)
        assert screen.read("]: ")
        os.write(screen.master, b"\x04")  # Ctrl-D
        status = screen.finish()
        assert status == 130
        assert "init cancelled; nothing was written" in screen.output
        assert list(folder.iterdir()) == [folder / ".git"]

    def test_the_refusal_comes_before_any_question(self, folder: Path) -> None:
        (folder / "ragft.yaml").write_text("systems: {}\n", encoding="utf-8")
        done = terminal(folder, [])
        assert done.status == 2
        assert "already exists" in done.output and "?" not in done.output


def _imported(module: str, tree: ast.Module) -> List[str]:
    """Every module ``tree`` imports, with relative imports resolved against ``module``."""
    package = module.split(".")
    names: List[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level] if node.level else []
            stem = ".".join(base + ([node.module] if node.module else []))
            names.append(stem)
            # ``from .. import cli`` names the module in the imported name.
            names.extend(f"{stem}.{alias.name}" for alias in node.names)
    return names


def test_init_shares_nothing_with_the_command_line_but_the_console() -> None:
    package = Path(__file__).parents[1] / "src" / "ragft_lint" / "init"
    modules = sorted(package.glob("*.py"))
    assert {m.name for m in modules} >= {"__init__.py", "command.py", "questions.py",
                                         "writers.py", "pyproject.py"}
    for path in modules:
        module = "ragft_lint.init" if path.stem == "__init__" else f"ragft_lint.init.{path.stem}"
        # A package's own relative imports start from the package, a module's from its parent.
        anchor = f"{module}.__init__" if path.stem == "__init__" else module
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        cli = [name for name in _imported(anchor, tree)
               if name == "ragft_lint.cli" or name.startswith("ragft_lint.cli.")]
        assert not cli, f"{path.name} imports {cli}"


# Users who see different documents: the follow-ups on ACL filtering and leakage tests, and a
# sound design's declaration passes its own check. Answers are given by question name, so the
# test holds whatever other questions are added.

class _ByName:
    """An asker that answers each question by its name (an empty answer takes the default)."""

    def __init__(self, answers: Dict[str, str]) -> None:
        self.answers = answers
        self.asked: List[str] = []

    def say(self, text: str) -> None:
        pass

    def ask(self, number: int, total: int, question: Any, default: str) -> Any:
        self.asked.append(question.name)
        return question.parse(self.answers.get(question.name) or default)


SOUND_RAG = {"name": "hr-bot", "gaps": "knowledge", "baseline_queries": "60",
             "changes": "weekly", "depth": "reference", "corpus_tokens": "4M",
             "context_window_tokens": "128k", "citations": "yes", "per_user_access": "yes",
             "acl_filtering": "yes", "leakage_tested": "yes", "eval_examples": "200",
             "architecture": "rag"}


def _interview(tmp_path: Path, answers: Dict[str, str]) -> Any:
    from ragft_lint.init.command import interview
    from ragft_lint.session import Session

    asker = _ByName(answers)
    return asker, interview(asker, tmp_path, Session())  # type: ignore[arg-type]


def test_per_user_access_leads_to_acl_and_leakage_questions(tmp_path: Path) -> None:
    asker, _ = _interview(tmp_path, SOUND_RAG)
    at = asker.asked.index("per_user_access")
    assert asker.asked[at + 1:at + 3] == ["acl_filtering", "leakage_tested"]
    asker, _ = _interview(tmp_path, {**SOUND_RAG, "per_user_access": "no"})
    assert "acl_filtering" not in asker.asked and "leakage_tested" not in asker.asked


def test_a_sound_design_written_by_init_passes_its_own_check(tmp_path: Path) -> None:
    from ragft_lint import check
    from ragft_lint.init.writers import declaration_data, to_yaml

    _, answers = _interview(tmp_path, SOUND_RAG)
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(to_yaml(declaration_data(answers)), encoding="utf-8")
    report = check(tmp_path / "ragft.yaml", evidence=False)
    assert [f for f in report.findings if str(f.severity) == "error"] == []
    assert not report.failed
    assert {"RG005", "RG006"}.isdisjoint(f.rule for f in report.findings)
