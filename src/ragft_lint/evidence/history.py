"""What git says: how often the knowledge sources change, and when the eval file was added.

git runs as a subprocess with a fixed argument list (no shell), no terminal prompt, no pager,
a time limit, and a bounded number of commits; it never looks above the project root for a
repository. When git is missing, times out, or the project is not a repository, the first
failure is turned into one note for the user and no further git command runs.
"""

from __future__ import annotations

import datetime
import os
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from .facts import History

TIMEOUT_SECONDS = 10.0
MAX_COMMITS = 5000
WINDOW_DAYS = 365
# The paces history can show, with the length of one period in days. Realtime is not among
# them: commits are not a feed, and static is what no change looks like.
PACES: Tuple[Tuple[str, int], ...] = (
    ("daily", 1), ("weekly", 7), ("monthly", 30), ("quarterly", 91),
)
MIN_PERIODS_WITH_CHANGES = 3

UNMEASURED = "the history of knowledge.sources and the eval file's first commit were not measured"


class Git:
    """Runs read-only git commands in one folder of the project."""

    def __init__(self, folder: str, root: str, note: Callable[[str], None]) -> None:
        self.folder = folder
        self.root = root
        self.note = note
        self.broken = False

    def run(self, arguments: Sequence[str]) -> Optional[str]:
        """The standard output of ``git <arguments>``, or None (after one note) on failure."""
        if self.broken:
            return None
        env = dict(os.environ)
        env.update({
            "LC_ALL": "C",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_PAGER": "cat",
            # Never a repository above the project: a project outside git is outside git.
            "GIT_CEILING_DIRECTORIES": os.path.dirname(os.path.abspath(self.root)),
        })
        command = ["git", "-c", "core.quotepath=off", "-c", "log.showSignature=false",
                   *arguments]
        import subprocess  # only when git is needed: every commit's check pays for imports

        try:
            result = subprocess.run(
                command, cwd=self.folder, env=env, stdin=subprocess.DEVNULL,
                capture_output=True, timeout=TIMEOUT_SECONDS, check=False,
            )
        except FileNotFoundError:
            return self._fail(f"git is not installed: {UNMEASURED}")
        except subprocess.TimeoutExpired:
            return self._fail(f"git took longer than {TIMEOUT_SECONDS:.0f} s: {UNMEASURED}")
        except OSError as exc:
            return self._fail(f"git could not be run ({exc.strerror or exc}): {UNMEASURED}")
        if result.returncode != 0:
            error = result.stderr.decode("utf-8", "replace").strip()
            if "not a git repository" in error.lower():
                return self._fail(f"not a git repository: {UNMEASURED}")
            first = (error.splitlines() or [f"exit status {result.returncode}"])[0][:200]
            return self._fail(f"git failed ({first}): {UNMEASURED}")
        return result.stdout.decode("utf-8", "replace")

    def _fail(self, message: str) -> Optional[str]:
        self.broken = True
        self.note(message)
        return None

    def change_days(self, patterns: Iterable[str], as_of: datetime.date) -> Optional[List[str]]:
        """The commit dates (``YYYY-MM-DD``, newest first) of changes to files matching
        ``patterns`` in the year up to ``as_of``; None when git could not tell."""
        since = as_of - datetime.timedelta(days=WINDOW_DAYS + 1)
        until = as_of + datetime.timedelta(days=1)
        output = self.run([
            "log", "--no-merges", f"--max-count={MAX_COMMITS}", "--format=%cd",
            "--date=short", f"--since={since.isoformat()}", f"--until={until.isoformat()}",
            "--", *(f":(glob){pattern}" for pattern in patterns),
        ])
        return None if output is None else output.split()

    def first_commit(self, path: str) -> Optional[datetime.date]:
        """The day the file at ``path`` was first committed (renames followed), or None."""
        output = self.run(["log", "--follow", "--diff-filter=A", "--format=%cd",
                           "--date=short", "--", path])
        if not output:
            return None
        days = [_day(word) for word in output.split()]
        known = [day for day in days if day is not None]
        return min(known) if known else None


def _day(text: str) -> Optional[datetime.date]:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def pace(days: Iterable[str], as_of: datetime.date) -> History:
    """The fastest pace of change that the commit days sustain over the year up to ``as_of``.

    The first day with a commit in the year is where observation starts (a folder created
    then was not changed then), so it does not count as a change. A pace is claimed when at
    least half of its whole periods since then, and at least three of them, saw a change.
    """
    start = as_of - datetime.timedelta(days=WINDOW_DAYS)
    parsed = [_day(word) for word in days]
    dated = [d for d in parsed if d is not None and start < d <= as_of]
    commits = len(dated)
    changed = sorted(set(dated))
    if len(changed) < 2:
        return History(None, 0, 0, commits)
    first, changes = changed[0], changed[1:]
    observed = (as_of - first).days
    for name, length in PACES:
        periods = observed // length
        if periods < MIN_PERIODS_WITH_CHANGES:
            continue
        covered = len({(as_of - day).days // length for day in changes
                       if (as_of - day).days // length < periods})
        if covered >= MIN_PERIODS_WITH_CHANGES and covered * 2 >= periods:
            return History(name, covered, periods, commits)
    return History(None, 0, 0, commits)
