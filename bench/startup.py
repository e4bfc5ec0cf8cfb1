"""Start-up benchmark: what every commit pays for ``ragft-lint check``.

Times, side by side in one run and interleaved (each round in another order), against the
import floor (``python -c "import pluggy, ruamel.yaml"``: our two dependencies, which every run
must load), ``python -c pass`` and ``yamllint``:

- a cold ``ragft-lint check --no-evidence`` of a YAML declaration (a new file each run, so no
  cache can answer);
- ``ragft-lint check ragft.yaml``: a sound one-system RAG declaration (no evidence files, so
  nothing is measured) named on the command line, beside the ``.git`` folder of a real
  repository, as a pre-commit hook runs it;
- the same project's evidence files named, as pre-commit passes them: one, and 1,000
  (``evals/e0000.jsonl`` ...), each selecting the declaration above it.

It reports medians and the ratios against the goals: each check <= 1.2x the import floor (what
is above it is our own code), <= 0.8x yamllint, and 1,000 files <= 3x one.

Time a normal install, not an editable one (an editable install's path hook adds its own cost):

    pip install . yamllint
    python bench/startup.py [--runs 31] [--files 1000] [--against OTHER_ENV/bin/ragft-lint]
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

DECLARATION = """\
# run {n}
fail_on: warning
systems:
  support-bot-{n}:
    architecture: hybrid
    gaps: [knowledge, behavior]
    baseline_queries: 60
    knowledge: {{changes: weekly, citations: true, per_user_access: true, corpus_tokens: 4000000}}
    prompt: {{few_shot_examples: 6, baseline_score: 0.7, context_window_tokens: 128000}}
    rag:
      chunking: structural
      reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
      retrieve_k: 20
      context_k: 5
      index_refresh: daily
      acl_filtering: true
      leakage_tested: true
      retrieval_eval: {{path: evals/retrieval.jsonl, precision_at_5: 0.78, recall_at_5: 0.81}}
    fine_tune:
      goals: [style]
      training_examples: 1800
      trained_at: 2026-05-02
      score: 0.86
      regression_suite: evals/general.jsonl
      requests_per_month: 30000
      retrain_every: quarterly
    eval: {{examples: 180, labeled: true, adversarial: true, created_at: 2026-03-01}}
"""


# What any run must import: the plugin host's library and the YAML parser.
FLOOR = "import pluggy, ruamel.yaml"

# A sound RAG system with nothing to measure: declared numbers only, so a check finds nothing
# (the eval set's age is set from today) and reads no evidence file.
RAG_DECLARATION = """\
# run {n}
fail_on: warning
systems:
  support-bot:
    architecture: rag
    gaps: [knowledge]
    baseline_queries: 60
    knowledge: {{changes: weekly, citations: true, per_user_access: true, corpus_tokens: 4000000}}
    prompt: {{few_shot_examples: 6, baseline_score: 0.7, context_window_tokens: 128000}}
    rag:
      chunking: structural
      reranker: cross-encoder/ms-marco-MiniLM-L-6-v2
      retrieve_k: 20
      context_k: 5
      index_refresh: daily
      acl_filtering: true
      leakage_tested: true
      retrieval_eval: {{examples: 200, precision_at_5: 0.78, recall_at_5: 0.81}}
    eval: {{examples: 180, labeled: true, adversarial: true, created_at: {created}}}
"""

GOAL_FLOOR, GOAL_YAMLLINT, GOAL_FILES = 1.2, 0.8, 3.0


def timed(command: List[str], cwd: Optional[Path] = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - start


def _git_repository(folder: Path) -> None:
    """A real repository (``git init``), as a project using the hook has."""
    folder.mkdir()
    try:
        subprocess.run(["git", "init", "-q", str(folder)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"git init failed ({exc}): the named-file case needs a real repository")


def _sound(exe: str, command: List[str], cwd: Path) -> None:
    """A timed command must do what it is meant to: check, find nothing, exit 0."""
    done = subprocess.run([exe, *command], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0 or "no findings" not in done.stdout:
        shown = " ".join(command[:4]) + (" ..." if len(command) > 4 else "")
        sys.exit(f"{exe} {shown} in {cwd} exited {done.returncode}, not a clean check:\n"
                 f"{done.stdout}{done.stderr}")


def _installed(program: str) -> Optional[str]:
    """A program of this Python's environment, even when it is not activated; else on PATH."""
    here = os.path.dirname(sys.executable)
    return shutil.which(program, path=here) or shutil.which(program)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--files", type=int, default=1000,
                        help="how many evidence files the many-files case names (default 1000)")
    parser.add_argument("--against", metavar="EXE",
                        help="another ragft-lint executable (a previous version, installed in "
                             "another environment) to time side by side with this one")
    args = parser.parse_args()
    ragft, yamllint = _installed("ragft-lint"), _installed("yamllint")
    if ragft is None:
        sys.exit("ragft-lint is not installed in this environment (pip install .)")
    if yamllint is None:
        print("yamllint not found (pip install yamllint): comparing with python only")
    exes = {"": ragft}
    if args.against:
        exes["--against "] = args.against

    with tempfile.TemporaryDirectory() as tmp:
        # The first case's folders: a .git folder marks the root, each run a new declaration.
        (Path(tmp) / ".git").mkdir()
        # The named-file and evidence cases' project: a real repository.
        project = Path(tmp) / "project"
        _git_repository(project)
        created = datetime.date.today() - datetime.timedelta(days=30)
        declaration = project / "ragft.yaml"
        declaration.write_text(RAG_DECLARATION.format(n=0, created=created), encoding="utf-8")
        (project / "evals").mkdir()
        evidence = [f"evals/e{i:04d}.jsonl" for i in range(args.files)]
        for i, name in enumerate(evidence):
            (project / name).write_text(f'{{"input": "question {i}", "output": "answer"}}\n',
                                        encoding="utf-8")
        # What each executable runs in the project (the declaration and the evidence named).
        project_cases = {
            "check named, git": ["check", "ragft.yaml"],
            "check 1 file": ["check", evidence[0]],
            f"check {args.files} files": ["check", *evidence],
        }
        for exe in exes.values():
            for command in project_cases.values():
                _sound(exe, command, project)

        times: Dict[str, List[float]] = {}
        for n in range(args.runs + 2):
            folder = Path(tmp) / f"run{n}"
            folder.mkdir()
            target = folder / "ragft.yaml"
            target.write_text(DECLARATION.format(n=n), encoding="utf-8")
            declaration.write_text(RAG_DECLARATION.format(n=n, created=created),
                                   encoding="utf-8")
            cases: Dict[str, Tuple[List[str], Optional[Path]]] = {
                "python -c pass": ([sys.executable, "-c", "pass"], None),
                "import floor": ([sys.executable, "-c", FLOOR], None),
            }
            for label, exe in exes.items():
                cases[f"{label}check --no-evidence"] = (
                    [exe, "check", "--no-evidence", str(target)], None)
                for name, command in project_cases.items():
                    cases[f"{label}{name}"] = ([exe, *command], project)
            if yamllint:
                cases["yamllint"] = ([yamllint, str(target)], None)
            names = list(cases)
            turn = n % len(names)  # each round starts elsewhere: no case always runs first
            sample = {name: timed(*cases[name]) for name in names[turn:] + names[:turn]}
            if n < 2:
                continue  # warm-up: let the OS settle its file caches
            for name, seconds in sample.items():
                times.setdefault(name, []).append(seconds)

    medians = {name: statistics.median(ts) for name, ts in times.items()}
    order = ["python -c pass", "import floor", "yamllint"] + [
        f"{label}{name}" for label in exes
        for name in ["check --no-evidence", *project_cases]]
    print(f"Python {sys.version.split()[0]}, {args.runs} runs each, interleaved; medians:")
    for name in order:
        if name in medians:
            print(f"  {name:<34} {medians[name] * 1000:8.1f} ms")
    print(f"  (import floor: python -c {FLOOR!r})")
    floor = medians["import floor"]
    many = f"check {args.files} files"
    ok = True

    def ratio(what: str, value: float, goal: Optional[float]) -> None:
        nonlocal ok
        said = f"{value:.2f}x"
        if goal is not None:
            said += f" (goal <= {goal}x)"
            ok = ok and value <= goal
        print(f"  {what:<44} = {said}")

    for label in exes:
        goal = None if label else GOAL_FLOOR  # goals are this version's; the other is shown
        ratio(f"{label}check --no-evidence / import floor",
              medians[f"{label}check --no-evidence"] / floor, goal)
        ratio(f"{label}check named, git / import floor",
              medians[f"{label}check named, git"] / floor, goal)
        ratio(f"{label}{many} / 1 file", medians[f"{label}{many}"] /
              medians[f"{label}check 1 file"], None if label else GOAL_FILES)
        if "yamllint" in medians:
            ratio(f"{label}check --no-evidence / yamllint",
                  medians[f"{label}check --no-evidence"] / medians["yamllint"],
                  None if label else GOAL_YAMLLINT)
    if args.against:
        for name in ["check --no-evidence", *project_cases]:
            ratio(f"{name} / --against", medians[name] / medians[f"--against {name}"], None)
    print("goals met" if ok else "goals NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
