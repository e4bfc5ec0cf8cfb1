"""What git says: how often the knowledge sources change, and when the eval file was added.

git runs through ``gitcmd`` (nothing the repository configures runs, nothing is fetched, only
the project root's own repository is read) with a time limit and a bounded number of commits.
When git is missing, times out, fails, the project is not a repository, or its ``.git`` leads
outside the project, the first failure is turned into one note for the user and no further git
command runs.

A shallow clone (CI checks out one commit by default) holds only the newest part of the history,
and its oldest commits look as if they had added every file. Every figure drawn from history is
then unknown wherever the cut could change it, never a guess from the part that is there: the
pace of ``knowledge.sources`` when the cut falls inside the year it is measured over, and the
eval file's first commit when git sees it added by a commit at the cut. One note says so, and
how to fetch the whole history.
"""

from __future__ import annotations

import datetime
import os
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .measurements import History

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
CUT = ("the git history is cut (a shallow clone): what it would show (the pace of "
       "knowledge.sources for DA005, the day the eval file was first committed for EV003) is "
       "unknown; fetch the whole history (`fetch-depth: 0` for actions/checkout in GitHub "
       "Actions, or `git fetch --unshallow`)")
# At most this many cut points are looked at (a clone has one per branch fetched shallow).
MAX_BOUNDARIES = 1000


class Git:
    """Runs read-only git commands in one folder of the project."""

    def __init__(self, folder: str, root: str, note: Callable[[str, str], None]) -> None:
        self.folder = folder
        self.root = root
        self.note = note
        self.broken = False
        # The commits at which a shallow clone's history stops, with their days; None until
        # asked, empty for a whole history.
        self._boundary: Optional[Dict[str, Optional[datetime.date]]] = None

    def run(self, arguments: Sequence[str]) -> Optional[str]:
        """The standard output of ``git <arguments>``, or None (after one note) on failure."""
        if self.broken:
            return None
        from .. import gitcmd

        done = gitcmd.run(arguments, self.root, self.folder, TIMEOUT_SECONDS)
        if done.output is None:
            self.broken = True
            if done.refused:
                self.note("git-refused", f"{done.problem}; {UNMEASURED}")
            else:
                self.note("git-failed", f"{done.problem}: {UNMEASURED}")
            return None
        return done.output.decode("utf-8", "replace")

    def boundary(self) -> Dict[str, Optional[datetime.date]]:
        """The commits at which the history stops (a shallow clone), with their days; empty
        when the history is whole, or when git cannot tell (it has said why)."""
        if self._boundary is None:
            self._boundary = {}
            output = self.run(["rev-parse", "--is-shallow-repository", "--git-path", "shallow"])
            lines = (output or "").splitlines()
            if len(lines) >= 2 and lines[0].strip() == "true":
                self._boundary = self._cut_points(os.path.join(self.folder, lines[1].strip()))
        return self._boundary

    def _cut_points(self, shallow_file: str) -> Dict[str, Optional[datetime.date]]:
        try:
            with open(shallow_file, encoding="ascii", errors="replace") as handle:
                hashes = [w for w in handle.read(MAX_BOUNDARIES * 80).split()][:MAX_BOUNDARIES]
        except OSError:
            hashes = []
        if not hashes:  # shallow, but git keeps its cut elsewhere: all of it is in doubt
            return {"": None}
        output = self.run(["log", "--no-walk", "--format=%H %cd", "--date=short", *hashes])
        points: Dict[str, Optional[datetime.date]] = dict.fromkeys(hashes)
        for line in (output or "").splitlines():
            commit, _, day = line.partition(" ")
            points[commit] = _day(day)
        return points

    def _cut(self) -> None:
        self.note("history-cut", CUT)

    def change_days(self, patterns: Iterable[str], as_of: datetime.date) -> Optional[List[str]]:
        """The commit dates (``YYYY-MM-DD``, newest first) of changes to files matching
        ``patterns`` in the year up to ``as_of``; None when git could not tell, or when the
        history is cut inside that year."""
        since = as_of - datetime.timedelta(days=WINDOW_DAYS + 1)
        until = as_of + datetime.timedelta(days=1)
        cut = self.boundary()
        if cut and any(day is None or day > since for day in cut.values()):
            self._cut()
            return None
        output = self.run([
            "log", "--no-merges", f"--max-count={MAX_COMMITS}", "--format=%cd",
            "--date=short", f"--since={since.isoformat()}", f"--until={until.isoformat()}",
            "--", *(f":(glob){pattern}" for pattern in patterns),
        ])
        return None if output is None else output.split()

    def first_commit(self, path: str) -> Optional[datetime.date]:
        """The day the file at ``path`` was first committed (renames followed), or None."""
        output = self.run(["log", "--follow", "--diff-filter=A", "--format=%H %cd",
                           "--date=short", "--", path])
        if not output:
            return None
        added = []
        for line in output.splitlines():
            commit, _, word = line.partition(" ")
            day = _day(word)
            if day is not None:
                added.append((day, commit))
        if not added:
            return None
        day, commit = min(added)
        cut = self.boundary()
        if commit in cut or "" in cut:  # at the cut every file looks added: the day is unknown
            self._cut()
            return None
        return day


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
