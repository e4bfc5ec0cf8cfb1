"""Evidence benchmark: what measuring a large training set costs, side by side in one run.

Generates, in a temporary folder, a chat-format JSON Lines training set of 500,000 examples
(about 190 MB, with a few duplicates) and one of its first 250,000, a 10,000-example eval set
(a few of its inputs also in the training set), and a declaration for each. Then, interleaved
run after run, it times:

- ``LC_ALL=C sort -u`` of the 500k training file (the yardstick: one pass of a C program);
- the pandas one-liner an ML engineer would write for the same duplicate count
  (``read_json(lines=True)``, then ``duplicated()`` on each example's input and output with
  case and white space normalised), when pandas is installed;
- a cold ``ragft-lint check --no-cache`` of the 500k and of the 250k project (counting,
  duplicates, train/eval overlap; the files are in the OS page cache for every tool);
- a ``ragft-lint check`` answered by the evidence cache, and a ``--no-evidence`` check of the
  same project;
- with ``--against OTHER_ENV/bin/ragft-lint``, the cold 500k check of that other install too;

and measures the peak memory of the 500k cold scan: the largest sum, sampled every few
milliseconds, of the resident memory of the process and of the processes it forked (they
measure byte ranges at the same time, so their memory adds up). It prints medians and the
ratios against the goals: cold 500k <= 1.5x sort -u, <= 0.15x the pandas one-liner,
500k/250k <= 2.2x, cached <= 1.3x --no-evidence, peak memory <= 150 MB.

    pip install . pandas
    python bench/evidence.py [--runs 3] [--examples 500000] [--against OTHER/bin/ragft-lint]
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
GOALS = {"cold": 1.5, "pandas": 0.15, "linear": 2.2, "cached": 1.3, "memory_mb": 150.0}
# The duplicate count as an ML engineer would get it with pandas, in one line: the same count
# (examples equal once case and white space are normalised), for this file's chat layout.
PANDAS = ("import sys, pandas as pd; n = lambda t: ' '.join(t.lower().split()); "
          "print(pd.read_json(sys.argv[1], lines=True)['messages'].map("
          "lambda m: n(m[1]['content']) + '\\0' + n(m[-1]['content'])).duplicated().sum())")


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
    """The peak resident memory of ``command`` and of the processes it forked, together.

    Sampled from /proc every 5 ms (Linux); elsewhere the peak of the largest process alone,
    from getrusage, which is a lower bound where the tool runs processes side by side.
    """
    if not Path("/proc/self/status").exists():
        probe = ("import resource, subprocess, sys\n"
                 "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
                 "stderr=subprocess.DEVNULL)\n"
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
        result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True,
                                text=True, env=env, check=True)
        value = int(result.stdout.split()[-1])
        return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_kb(process.pid))
        time.sleep(0.005)
    return peak / 1024


def _tree_rss_kb(pid: int) -> int:
    """The resident memory (kB) of ``pid`` and its descendants, 0 for those already gone."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pending.extend(int(child) for child in children)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--examples", type=int, default=500_000)
    parser.add_argument("--evals", type=int, default=10_000)
    parser.add_argument("--against", metavar="EXE",
                        help="another ragft-lint executable (a previous version, installed in "
                             "another environment) whose cold 500k check is timed beside")
    parser.add_argument("--no-pandas", action="store_true",
                        help="leave out the pandas one-liner (the slowest of the commands)")
    args = parser.parse_args()
    ragft = shutil.which("ragft-lint")
    sort = shutil.which("sort")
    if ragft is None:
        sys.exit("ragft-lint is not installed in this environment (pip install .)")
    if sort is None:
        sys.exit("sort is not installed")
    env = {**os.environ, "LC_ALL": "C"}
    env.pop("RAGFT_LINT_CACHE_DIR", None)
    pandas = not args.no_pandas and subprocess.run(
        [sys.executable, "-c", "import pandas"], capture_output=True, check=False).returncode == 0
    if not pandas and not args.no_pandas:
        print("pandas not found (pip install pandas): leaving out the pandas one-liner")

    with tempfile.TemporaryDirectory() as tmp:
        projects = generate(Path(tmp), args.examples, args.evals)
        full, half = projects["full"], projects["half"]
        train = full / "data" / "train.jsonl"
        print(f"training file: {train.stat().st_size / 1e6:.0f} MB", flush=True)
        check = [ragft, "check", "--format", "json"]
        commands = {
            "sort -u (500k)": ["sh", "-c", f"{sort} -u \"$1\" | wc -l", "sort", str(train)],
            "cold check (500k)": [*check, "--no-cache", str(full)],
            "cold check (250k)": [*check, "--no-cache", str(half)],
            "cached check (500k)": [*check, str(full)],
            "--no-evidence (500k)": [*check, "--no-evidence", str(full)],
        }
        if pandas:
            commands["pandas one-liner (500k)"] = [sys.executable, "-c", PANDAS, str(train)]
        if args.against:
            commands["--against cold (500k)"] = [args.against, "check", "--format", "json",
                                                 "--no-cache", str(full)]
        subprocess.run(commands["cached check (500k)"], stdout=subprocess.DEVNULL, env=env,
                       check=False)  # fills the cache, and the OS page cache
        subprocess.run(commands["sort -u (500k)"], stdout=subprocess.DEVNULL, env=env,
                       check=False)
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
        print(f"  {name:<26} {seconds * 1000:9.0f} ms")
    print(f"  {'peak memory, cold 500k':<26} {memory:9.0f} MB")
    cold = medians["cold check (500k)"]
    ratios = {
        "cold": cold / medians["sort -u (500k)"],
        "linear": cold / medians["cold check (250k)"],
        "cached": medians["cached check (500k)"] / medians["--no-evidence (500k)"],
        "memory_mb": memory,
    }
    if pandas:
        ratios["pandas"] = cold / medians["pandas one-liner (500k)"]
    labels = {"cold": "cold 500k / sort -u", "pandas": "cold 500k / pandas",
              "linear": "cold 500k / cold 250k", "cached": "cached / --no-evidence",
              "memory_mb": "peak memory (MB)"}
    met = True
    for key, value in ratios.items():
        ok = value <= GOALS[key]
        met = met and ok
        print(f"  {labels[key]:<24} = {value:6.2f} (goal <= {GOALS[key]}) "
              f"{'met' if ok else 'NOT met'}")
    if args.against:
        print(f"  {'cold 500k / --against':<24} = {cold / medians['--against cold (500k)']:6.2f}")
    rules = sorted({f["rule"] for f in findings["findings"]})
    print(f"findings of the cold 500k check: {', '.join(rules) or 'none'}")
    print("goals met" if met else "goals NOT all met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
