"""Large-declaration benchmark: any declaration up to the 1 MB limit is judged within 2 s.

Writes a YAML and a TOML declaration of just under 1 MB (thousands of realistic systems, every
rule and `decide` at work on each) and times `ragft-lint check --no-evidence` on each, side by
side with a small declaration, in one run. Reports medians and the goal.

On Linux with more than one CPU, a large declaration is read and checked in two processes;
where `taskset` exists, the 1 MB cases are also timed pinned to one CPU (one process), for
information: the goal is for the default.

    pip install .
    python bench/large_declaration.py [--runs 5] [--against OTHER_ENV/bin/ragft-lint]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 2.0
LIMIT = 1_000_000

YAML_SYSTEM = """\
  bot-{i}:
    architecture: hybrid
    gaps: [knowledge, behavior]
    baseline_queries: {queries}
    knowledge: {{changes: weekly, citations: true, depth: reference, per_user_access: true}}
    rag: {{reranker: cross-encoder/x, retrieve_k: 20, context_k: 5, chunking: structural,
          acl_filtering: true, leakage_tested: true, index_refresh: daily}}
    fine_tune: {{goals: [style], training_examples: {examples}, base_model: llama-3.1-8b-instruct}}
    eval: {{examples: {evals}, labeled: true, adversarial: true, created_at: 2026-10-{day:02}}}
"""

TOML_SYSTEM = """\
[tool.ragft-lint.systems.bot-{i}]
architecture = "hybrid"
gaps = ["knowledge", "behavior"]
baseline_queries = {queries}
knowledge = {{changes = "weekly", citations = true, depth = "reference", per_user_access = true}}
rag = {{reranker = "cross-encoder/x", retrieve_k = 20, context_k = 5, acl_filtering = true}}
fine_tune = {{goals = ["style"], training_examples = {examples}}}
eval = {{examples = {evals}, labeled = true, adversarial = true, created_at = 2026-10-{day:02}}}
"""


def _facts(i: int) -> dict:
    """Facts that differ from system to system, so no work can be shared between systems."""
    return {"i": i, "queries": 50 + i % 97, "examples": 1000 + i, "evals": 200 + i % 301,
            "day": 1 + i % 28}


def fill(head: str, system: str) -> str:
    parts = [head]
    size = len(head)
    i = 0
    while True:
        chunk = system.format(**_facts(i))
        if size + len(chunk) > LIMIT - 1000:
            return "".join(parts)
        parts.append(chunk)
        size += len(chunk)
        i += 1


def project(root: Path, name: str, text: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / ".git").mkdir()
    target = folder / ("pyproject.toml" if text.startswith("[") else "ragft.yaml")
    target.write_text(text, encoding="utf-8")
    return folder


def timed(command: list, cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=600)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed in {cwd}: {done.stderr.decode()[:500]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", metavar="EXE",
                        help="another ragft-lint executable (a previous version, installed in "
                             "another environment) to time side by side on the 1 MB cases")
    args = parser.parse_args()
    ragft = shutil.which("ragft-lint")
    if ragft is None:
        sys.exit("ragft-lint is not installed in this environment (pip install .)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cases = {
            "small YAML": project(root, "small", "systems:\n" + YAML_SYSTEM.format(**_facts(0))),
            "1 MB YAML": project(root, "yaml", fill("systems:\n", YAML_SYSTEM)),
            "1 MB TOML": project(root, "toml", fill("", TOML_SYSTEM)),
        }
        sizes = {name: sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
                 for name, folder in cases.items()}
        command = [ragft, "check", "--no-evidence", "-q", "--as-of", "2026-11-23"]
        commands = {name: command for name in cases}
        taskset = shutil.which("taskset") if sys.platform.startswith("linux") else None
        if taskset:
            for name in ("1 MB YAML", "1 MB TOML"):
                pinned = f"{name}, 1 CPU"
                cases[pinned], sizes[pinned] = cases[name], sizes[name]
                commands[pinned] = [taskset, "-c", "0", *command]
        if args.against:
            for name in ("1 MB YAML", "1 MB TOML"):
                other = f"{name}, --against"
                cases[other], sizes[other] = cases[name], sizes[name]
                commands[other] = [args.against, *command[1:]]
        times: dict = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, folder in cases.items():  # interleaved, so drift hits every case alike
                times[name].append(timed(commands[name], folder))
    print(f"Python {sys.version.split()[0]}, {args.runs} runs each, interleaved; medians:")
    met = True
    for name, samples in times.items():
        median = statistics.median(samples)
        line = f"  {name:<18} {sizes[name]:>9,} bytes  {median:6.2f} s"
        if name.startswith("1 MB") and not name.endswith(("CPU", "--against")):
            ok = median <= GOAL_SECONDS
            met = met and ok
            line += f"  (goal <= {GOAL_SECONDS:.1f} s: {'met' if ok else 'NOT met'})"
        print(line)
    print("goal met" if met else "goal NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
