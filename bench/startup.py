"""Start-up benchmark: what every commit pays for ``ragft-lint check``.

Times, side by side in one run and interleaved, a cold ``ragft-lint check --no-evidence`` of a
YAML declaration (a new file each run, so no cache can answer), the import floor (``python -c
"import pluggy, ruamel.yaml"``: our two dependencies, which every run must load), ``python -c
pass`` and ``yamllint`` on the same file. It reports medians and the ratios against the goals:
<= 1.2x the import floor (what is above it is our own code) and <= 0.8x yamllint.

Time a normal install, not an editable one (an editable install's path hook adds its own cost):

    pip install . yamllint
    python bench/startup.py [--runs 31] [--against OTHER_ENV/bin/ragft-lint]
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


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--against", metavar="EXE",
                        help="another ragft-lint executable (a previous version, installed in "
                             "another environment) to time side by side with this one")
    args = parser.parse_args()
    ragft = shutil.which("ragft-lint")
    yamllint = shutil.which("yamllint")
    if ragft is None:
        sys.exit("ragft-lint is not installed in this environment (pip install -e .)")
    if yamllint is None:
        print("yamllint not found (pip install yamllint): comparing with python only")

    times: dict[str, list[float]] = {"python -c pass": [], "import floor": [],
                                     "ragft-lint check": [], "yamllint": []}
    if args.against:
        times["--against check"] = []
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ".git").mkdir()
        for n in range(args.runs + 2):
            folder = Path(tmp) / f"run{n}"
            folder.mkdir()
            target = folder / "ragft.yaml"
            target.write_text(DECLARATION.format(n=n), encoding="utf-8")
            sample = {
                "python -c pass": timed([sys.executable, "-c", "pass"]),
                "import floor": timed([sys.executable, "-c", FLOOR]),
                "ragft-lint check": timed([ragft, "check", "--no-evidence", str(target)]),
            }
            if yamllint:
                sample["yamllint"] = timed([yamllint, str(target)])
            if args.against:
                sample["--against check"] = timed([args.against, "check", "--no-evidence",
                                                   str(target)])
            if n < 2:
                continue  # warm-up: let the OS settle its file caches
            for name, seconds in sample.items():
                times[name].append(seconds)

    medians = {name: statistics.median(ts) for name, ts in times.items() if ts}
    print(f"Python {sys.version.split()[0]}, {args.runs} runs each, interleaved; medians:")
    for name, seconds in medians.items():
        print(f"  {name:<18} {seconds * 1000:7.1f} ms")
    print(f"  (import floor: python -c {FLOOR!r})")
    ours = medians["ragft-lint check"]
    ratio_floor = ours / medians["import floor"]
    print(f"  ragft-lint / import floor   = {ratio_floor:.2f}x (goal <= 1.2x)")
    ok = ratio_floor <= 1.2
    if "yamllint" in medians:
        ratio_yamllint = ours / medians["yamllint"]
        print(f"  ragft-lint / yamllint       = {ratio_yamllint:.2f}x (goal <= 0.8x)")
        ok = ok and ratio_yamllint <= 0.8
    if args.against:
        against = medians["--against check"]
        print(f"  --against / import floor    = {against / medians['import floor']:.2f}x")
        print(f"  ragft-lint / --against      = {ours / against:.2f}x")
    print("goals met" if ok else "goals NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
