"""Real projects for the evidence tests: files on disk, and git repositories with dated commits."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from ragft_lint import check
from ragft_lint.engine import Report

AS_OF = datetime.date(2026, 11, 23)


def chat(question: str, answer: Optional[str] = "Sure.") -> Dict[str, Any]:
    """A training record in the chat layout."""
    messages = [{"role": "system", "content": "You are the support assistant."},
                {"role": "user", "content": question}]
    if answer is not None:
        messages.append({"role": "assistant", "content": answer})
    return {"messages": messages}


def jsonl(records: Iterable[Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


class Project:
    """A project folder: a declaration, the evidence files it names, and optionally git."""

    def __init__(self, root: Path, git: bool = False) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git_env = {
            **os.environ,
            "HOME": str(root.parent),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Ada",
            "GIT_AUTHOR_EMAIL": "ada@example.org",
            "GIT_COMMITTER_NAME": "Ada",
            "GIT_COMMITTER_EMAIL": "ada@example.org",
        }
        if git:
            self.git("init", "-q")
        else:
            (root / ".git").mkdir(exist_ok=True)  # marks the project root, is no repository

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def declare(self, text: str) -> Path:
        return self.write("ragft.yaml", textwrap.dedent(text))

    def check(self, **options: Any) -> Report:
        options.setdefault("as_of", AS_OF)
        options.setdefault("cache", False)
        return check(self.root / "ragft.yaml", **options)

    def git(self, *arguments: str, env: Optional[Dict[str, str]] = None) -> str:
        result = subprocess.run(["git", *arguments], cwd=self.root, env=env or self.git_env,
                                capture_output=True, text=True, check=True)
        return result.stdout

    def commit(self, day: datetime.date, message: str = "change") -> None:
        """Commit everything now in the folder, dated ``day`` (author and committer)."""
        stamp = f"{day.isoformat()}T12:00:00+0000"
        env = {**self.git_env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        self.git("add", "-A", env=env)
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)


def rules_fired(report: Report, rule_id: str) -> List[Any]:
    return [f for f in report.findings if f.rule == rule_id]
