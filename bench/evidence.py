"""Evidence benchmark: what measuring a large training set costs, side by side in one run.

Generates, in a temporary folder, a chat-format JSON Lines training set of 500,000 examples
(about 190 MB, with a few duplicates) and one of its first 250,000, a 10,000-example eval set
(a few of its inputs also in the training set), and a declaration for each. Then, interleaved
run after run, it times:

- ``LC_ALL=C sort -u`` of the 500k training file (the yardstick);
- a cold ``ragft-lint check --no-cache`` of the 500k and of the 250k project (counting,
  duplicates, train/eval overlap; the files are in the OS page cache for both tools);
- a ``ragft-lint check`` answered by the evidence cache, and a ``--no-evidence`` check of the
  same project;

and measures the peak memory (``getrusage`` of a child process) of the 500k cold scan. It
prints medians and the ratios against the goals: cold 500k <= 0.5x sort -u, 500k/250k <= 2.2x,
cached <= 1.3x --no-evidence, peak memory <= 150 MB.

    pip install -e .
    python bench/evidence.py [--runs 3] [--examples 500000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

VOCABULARY = (
    "account address agent answer app battery bill billing booking box broken cable call cancel "
    "card change charge charger check code colour complaint contract cost courier credit "
    "customer damaged data date day deadline delay delivery deposit device discount email error "
    "exchange express fee file firmware form free gift guarantee help home hours instalment "
    "invoice item label language late limit link login lost manual message missing mobile model "
    "money month night number offer order outage package parcel password payment phone photo "
    "plan points policy postcode price problem product profile promo receipt refund region "
    "register renewal repair replacement reset return router schedule screen service setting "
    "shipping signal size slow sms speed store subscription support tablet tax ticket time "
    "tracking transfer update upgrade usage verification voucher wallet warranty week wifi "
    "window"
)
WORDS = VOCABULARY.split()
OPENERS = ("How do I", "Why is my", "Can I", "What happens to my", "Where is my", "Is it possible "
           "to", "I need help with my", "When will my", "Who do I contact about my")
SYSTEM = "You are the support assistant of Larkspur Mobile: brief, warm, exact."
DECLARATION = """\
systems:
  bench-bot:
    architecture: fine-tune
    fine_tune:
      training_data: data/train.jsonl
      training_examples: {train}
    eval:
      path: evals/eval.jsonl
      examples: {eval}
      labeled: true
"""
GOALS = {"cold": 0.5, "linear": 2.2, "cached": 1.3, "memory_mb": 150.0}


def question(rng: random.Random) -> str:
    words = " ".join(rng.choices(WORDS, k=rng.randint(5, 12)))
    return f"{rng.choice(OPENERS)} {words}?"


def answer(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(11, 22))).capitalize() + "."


def generate(folder: Path, examples: int, evals: int) -> Dict[str, Path]:
    """Write the training sets (full and first half), the eval set and two declarations."""
    rng = random.Random(20261123)
    full, half = folder / "full", folder / "half"
    for project in (full, half):
        (project / "data").mkdir(parents=True)
        (project / "evals").mkdir()
        (project / ".git").mkdir()  # the project root (no repository: no history measured)
    shared: List[str] = []
    duplicates = 0
    with (full / "data" / "train.jsonl").open("w", encoding="utf-8") as out_full, \
            (half / "data" / "train.jsonl").open("w", encoding="utf-8") as out_half:
        previous: List[str] = []
        for n in range(examples):
            if previous and rng.random() < 0.004:  # an exact copy of a recent example
                line = rng.choice(previous)
                duplicates += 1
            else:
                given = question(rng)
                record = {"messages": [{"role": "system", "content": SYSTEM},
                                       {"role": "user", "content": given},
                                       {"role": "assistant", "content": answer(rng)}]}
                line = json.dumps(record) + "\n"
                if len(shared) < 25 and rng.random() < 0.001:
                    shared.append(given)
                previous = (previous + [line])[-100:]
            out_full.write(line)
            if n < examples // 2:
                out_half.write(line)
    eval_lines = []
    for n in range(evals):
        given = shared[n].upper() if n < len(shared) else question(rng) + f" (case {n})"
        eval_lines.append(json.dumps({"input": given, "expected_output": answer(rng)}) + "\n")
    for project, count in ((full, examples), (half, examples // 2)):
        (project / "evals" / "eval.jsonl").write_text("".join(eval_lines), encoding="utf-8")
        (project / "ragft.yaml").write_text(DECLARATION.format(train=count, eval=evals))
        # The evidence cache stores nothing measured from files modified in the last seconds.
        past = time.time() - 3600
        for path in project.rglob("*.jsonl"):
            os.utime(path, (past, past))
    print(f"generated {examples} training examples ({duplicates} duplicated), {evals} eval "
          f"examples ({len(shared)} shared with training)", flush=True)
    return {"full": full, "half": half}


def timed(command: List[str], env: Dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   check=False)
    return time.perf_counter() - start


def peak_memory_mb(command: List[str], env: Dict[str, str]) -> float:
    """The peak resident memory of ``command``, read with getrusage in a child process."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True,
                            text=True, env=env, check=True)
    value = int(result.stdout.split()[-1])
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--examples", type=int, default=500_000)
    parser.add_argument("--evals", type=int, default=10_000)
    args = parser.parse_args()
    ragft = shutil.which("ragft-lint")
    sort = shutil.which("sort")
    if ragft is None:
        sys.exit("ragft-lint is not installed in this environment (pip install -e .)")
    if sort is None:
        sys.exit("sort is not installed")
    env = {**os.environ, "LC_ALL": "C"}
    env.pop("RAGFT_LINT_CACHE_DIR", None)

    with tempfile.TemporaryDirectory() as tmp:
        projects = generate(Path(tmp), args.examples, args.evals)
        full, half = projects["full"], projects["half"]
        train = full / "data" / "train.jsonl"
        print(f"training file: {train.stat().st_size / 1e6:.0f} MB", flush=True)
        check = [ragft, "check", "--format", "json"]
        commands = {
            "sort -u (500k)": [sort, "-u", "-o", os.devnull, str(train)],
            "cold check (500k)": [*check, "--no-cache", str(full)],
            "cold check (250k)": [*check, "--no-cache", str(half)],
            "cached check (500k)": [*check, str(full)],
            "--no-evidence (500k)": [*check, "--no-evidence", str(full)],
        }
        subprocess.run(commands["cached check (500k)"], stdout=subprocess.DEVNULL, env=env,
                       check=False)  # fills the cache, and the OS page cache
        subprocess.run(commands["sort -u (500k)"], env=env, check=False)
        times: Dict[str, List[float]] = {name: [] for name in commands}
        for run in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
            print(f"run {run + 1}/{args.runs} done", flush=True)
        memory = peak_memory_mb(commands["cold check (500k)"], env)
        findings = json.loads(subprocess.run(commands["cold check (500k)"], capture_output=True,
                                             text=True, env=env, check=False).stdout)

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.runs} runs each, "
          "interleaved; medians:")
    for name, seconds in medians.items():
        print(f"  {name:<22} {seconds * 1000:9.0f} ms")
    print(f"  {'peak memory, cold 500k':<22} {memory:9.0f} MB")
    ratios = {
        "cold": medians["cold check (500k)"] / medians["sort -u (500k)"],
        "linear": medians["cold check (500k)"] / medians["cold check (250k)"],
        "cached": medians["cached check (500k)"] / medians["--no-evidence (500k)"],
        "memory_mb": memory,
    }
    labels = {"cold": "cold 500k / sort -u", "linear": "cold 500k / cold 250k",
              "cached": "cached / --no-evidence", "memory_mb": "peak memory (MB)"}
    met = True
    for key, value in ratios.items():
        ok = value <= GOALS[key]
        met = met and ok
        print(f"  {labels[key]:<24} = {value:6.2f} (goal <= {GOALS[key]}) "
              f"{'met' if ok else 'NOT met'}")
    rules = sorted({f["rule"] for f in findings["findings"]})
    print(f"findings of the cold 500k check: {', '.join(rules) or 'none'}")
    print("goals met" if met else "goals NOT all met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
