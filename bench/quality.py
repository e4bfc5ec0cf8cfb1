"""Measured-quality benchmark: what reading a large retrieval run and a large result file costs.

Generates, in a temporary folder, a TREC run of 100,000 queries ranked 10 deep with its qrels,
and an eval tool's result file of 50,000 cases (promptfoo's JSON, or the plain JSON Lines form
with ``--plain``), and a declaration naming both. Then, interleaved run after run, it times:

- in this process, reading the result file with ``read_results`` against reading the same file
  with ``json.loads`` (line by line for JSON Lines, whole for a JSON document), and scoring the
  run with ``measure_run`` against splitting each of its lines and its qrels' (the yardsticks);
- ``ragft-lint check --no-cache`` of the project (everything read and scored);
- a ``ragft-lint check`` answered by the evidence cache, and a ``--no-evidence`` check of the
  same project.

It prints medians and the ratios against the goals: result file <= 1.5x json.loads, cached
check <= 1.3x --no-evidence. Then, side by side, it times two readers against their reference,
each in a process of its own and interleaved, with each process's peak memory:

- the TREC run read and scored by ``measure_run`` and by pytrec_eval (``parse_qrel``,
  ``parse_run``, ``evaluate``, as its users do); both figures must agree; goal <= 1.5x
  pytrec_eval (it needs the ``test`` extra);
- a promptfoo JSON Lines file of ``--cases`` rows read by ``read_results`` and by a plain
  ``json.loads`` loop; goals <= 1.5x and under 150 MB.

Run it from an installed (not editable) copy to time what users run:

    pip install .
    python bench/quality.py [--runs 5] [--queries 100000] [--cases 50000] [--plain]
    python bench/quality.py --trec-only | --promptfoo-lines | --promptfoo-json   (one alone)
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
from typing import Callable, Dict, List

DECLARATION = """\
systems:
  search-bot:
    architecture: rag
    rag:
      retrieval_eval:
        path: {{path: runs/run.trec, qrels: runs/qrels.txt}}
  tone-bot:
    architecture: fine-tune
    fine_tune:
      results: {results}
"""
GOALS = {"results": 1.5, "cached": 1.3, "trec": 1.5}
# One process each: read the TREC run and its qrels, score them, print P@5, queries, peak MB.
TREC_OURS = """\
import resource, sys
from ragft_lint.evidence.retrieval import measure_run
facts = measure_run(sys.argv[1], sys.argv[2], "trec", "run.trec")
print(f"{facts.precision_at_5.value:.4f} {facts.judged} "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
"""
TREC_PYTREC_EVAL = """\
import resource, sys
import pytrec_eval
with open(sys.argv[2]) as handle:
    qrel = pytrec_eval.parse_qrel(handle)
with open(sys.argv[1]) as handle:
    run = pytrec_eval.parse_run(handle)
measures = {"P_5", "recall_5", "success_5", "recip_rank"}
values = pytrec_eval.RelevanceEvaluator(qrel, measures).evaluate(run)
print(f"{sum(v['P_5'] for v in values.values()) / len(values):.4f} {len(values)} "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
"""


def generate(folder: Path, queries: int, cases: int, plain: bool) -> Dict[str, Path]:
    rng = random.Random(20261201)
    (folder / ".git").mkdir(parents=True)  # the project root (no repository)
    (folder / "runs").mkdir()
    (folder / "results").mkdir()
    run, qrels = folder / "runs" / "run.trec", folder / "runs" / "qrels.txt"
    with run.open("w", encoding="utf-8") as out_run, qrels.open("w", encoding="utf-8") as out_q:
        for q in range(queries):
            docs = rng.sample(range(1000), 10)
            for rank, doc in enumerate(docs, 1):
                out_run.write(f"q{q} Q0 d{doc} {rank} {20 - rank}.{rng.randint(0, 99)} bm25\n")
            for doc in rng.sample(docs, 2) + [rng.randint(1000, 2000)]:
                out_q.write(f"q{q} 0 d{doc} 1\n")
    if plain:
        results = folder / "results" / "ft.jsonl"
        results.write_text("".join(json.dumps({"id": f"case-{n}", "score": rng.random() < 0.8})
                                   .replace("true", "1").replace("false", "0") + "\n"
                                   for n in range(cases)), encoding="utf-8")
    else:
        results = folder / "results" / "ft.json"
        rows = [{"testIdx": n, "promptIdx": 0, "success": rng.random() < 0.8, "score": 1.0,
                 "vars": {"id": f"case-{n}", "question": f"What is case {n}?"},
                 "response": {"output": f"The answer to case {n}."},
                 "gradingResult": {"pass": True, "score": 1.0, "reason": "matched"}}
                for n in range(cases)]
        for row in rows:
            row["score"] = 1.0 if row["success"] else 0.0
        results.write_text(json.dumps({"evalId": "eval-bench", "results": {
            "version": 3, "timestamp": "2026-12-01T00:00:00Z", "results": rows,
            "stats": {"successes": 0, "failures": 0}}}), encoding="utf-8")
    (folder / "ragft.yaml").write_text(DECLARATION.format(
        results=results.relative_to(folder).as_posix()), encoding="utf-8")
    past = time.time() - 3600  # the cache keeps nothing measured from files modified just now
    for path in (run, qrels, results):
        os.utime(path, (past, past))
    print(f"run: {run.stat().st_size / 1e6:.0f} MB, qrels: {qrels.stat().st_size / 1e6:.0f} MB, "
          f"results ({'plain JSON Lines' if plain else 'promptfoo JSON'}): "
          f"{results.stat().st_size / 1e6:.0f} MB", flush=True)
    return {"run": run, "qrels": qrels, "results": results}


def loads_lines(path: Path) -> None:
    with path.open("rb") as handle:
        if path.suffix == ".jsonl":
            for line in handle:
                json.loads(line)
        else:
            json.loads(handle.read())


def split_lines(*paths: Path) -> None:
    for path in paths:
        with path.open("rb") as handle:
            for line in handle:
                line.split()


def in_process(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def timed(command: List[str], env: Dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   check=False)
    return time.perf_counter() - start


def trec_against_pytrec_eval(run: Path, qrels: Path, runs: int) -> bool:
    """Times scoring the TREC run in a process of its own, ours and pytrec_eval's, interleaved;
    prints the medians, the figures and peak memory; true when the goal is met."""
    commands = {"measure_run": [sys.executable, "-c", TREC_OURS, str(run), str(qrels)],
                "pytrec_eval": [sys.executable, "-c", TREC_PYTREC_EVAL, str(run), str(qrels)]}
    times: Dict[str, List[float]] = {name: [] for name in commands}
    printed: Dict[str, str] = {}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            times[name].append(time.perf_counter() - start)
            if done.returncode:
                sys.exit(f"{name} failed:\n{done.stderr}")
            printed[name] = done.stdout.strip()
    print(f"\nTREC run, one process each, {runs} runs, interleaved; medians:")
    for name, values in times.items():
        p5, queries, peak = printed[name].split()
        print(f"  {name:<16} {statistics.median(values) * 1000:9.0f} ms   P@5 {p5} over "
              f"{queries} queries, peak {peak} MB")
    ratio = statistics.median(times["measure_run"]) / statistics.median(times["pytrec_eval"])
    ok = ratio <= GOALS["trec"] and printed["measure_run"].split()[:2] == printed[
        "pytrec_eval"].split()[:2]
    print(f"  {'measure_run / pytrec_eval':<27} = {ratio:6.2f} (goal <= {GOALS['trec']}, same "
          f"figure) {'met' if ok else 'NOT met'}")
    return ok
# promptfoo's JSON Lines rows as 0.121 writes them (``-o results.jsonl``), about 1.6 kB each.
PROMPTFOO_ROW = {
    "cost": 0, "error": None, "gradingResult": {
        "pass": True, "score": 1, "reason": "All assertions passed",
        "namedScores": {"accuracy": 1}, "namedScoreWeights": {"accuracy": 1},
        "tokensUsed": {"total": 0, "prompt": 0, "completion": 0, "cached": 0},
        "componentResults": [{"pass": True, "score": 1, "reason": "Assertion passed",
                              "assertion": {"type": "contains", "value": "Paris",
                                            "metric": "accuracy"}}],
        "assertion": None},
    "id": "", "latencyMs": 0, "namedScores": {"accuracy": 1}, "failureReason": 0,
    "prompt": {"raw": "", "label": "Answer: {{question}}"}, "promptId": "c0ffee",
    "promptIdx": 0, "provider": {"id": "openai:gpt-4o-mini", "label": "baseline"},
    "response": {"output": "", "tokenUsage": {"total": 42, "prompt": 30, "completion": 12},
                 "cached": False},
    "score": 1, "success": True,
    "testCase": {"vars": {}, "assert": [{"type": "contains", "value": "Paris",
                                         "metric": "accuracy"}],
                 "options": {}, "metadata": {}},
    "testIdx": 0, "vars": {}, "metadata": {"sessionIds": []},
}
READ_CHILD = """\
import json, resource, sys, time
start = time.perf_counter()
if sys.argv[1] == "ragft-lint":
    from ragft_lint.evidence.results import opener_inside, read_results
    scores = read_results(sys.argv[3], opener_inside(sys.argv[2]))
    figure = scores.mean
elif sys.argv[1] == "json.load":
    with open(sys.argv[2] + "/" + sys.argv[3], "rb") as handle:
        rows = json.load(handle)["results"]["results"]
    figure = sum(row["success"] is True for row in rows) / len(rows)
else:
    passed = rows = 0
    with open(sys.argv[2] + "/" + sys.argv[3], "rb") as handle:
        for line in handle:
            row = json.loads(line)
            passed += row["success"] is True
            rows += 1
    figure = passed / rows
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": took, "peak_kb": peak, "figure": figure}))
"""


def promptfoo_lines(runs: int, cases: int, document: bool = False) -> bool:
    """A promptfoo JSON Lines file of ``cases`` rows read by ``read_results`` and by a plain
    ``json.loads`` loop, each in its own process, interleaved: the medians of the reading time
    and of the peak resident memory (``ru_maxrss``, the interpreter included). Goals: reading
    within 1.5x the loop, and under 150 MB. With ``document``, the same rows as one
    ``results.json`` document, against a plain ``json.load`` of it."""
    rng = random.Random(20261207)
    name = "results.json" if document else "results.jsonl"
    plain = "json.load" if document else "json.loads"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        with path.open("w", encoding="utf-8") as out:
            if document:
                out.write('{"evalId":"eval-bench","results":{"version":3,"timestamp":"2026-12-07",'
                          '"prompts":[{"raw":"Answer: {{question}}","label":"Answer: {{question}}",'
                          '"provider":"openai:gpt-4o-mini"}],"results":[')
            for n in range(cases):
                passed = rng.random() < 0.8
                question = f"What is the capital named in case {n}? " * 3
                row = {**PROMPTFOO_ROW, "id": f"row-{n}", "testIdx": n, "success": passed,
                       "score": 1 if passed else 0, "latencyMs": rng.randint(50, 900),
                       "vars": {"id": f"case-{n}", "question": question},
                       "prompt": {"raw": f"Answer: {question}", "label": "Answer: {{question}}"},
                       "response": {**PROMPTFOO_ROW["response"],  # type: ignore[dict-item]
                                    "output": f"The answer to case {n} is Paris. " * 10}}
                text = json.dumps(row, separators=(",", ":"))
                out.write(("," if n else "") + text if document else text + "\n")
            if document:
                out.write('],"stats":{"successes":0,"failures":0}},"config":{"prompts":[]}}')
        print(f"promptfoo {'JSON document' if document else 'JSON Lines'}: {cases} rows, "
              f"{path.stat().st_size / 1e6:.0f} MB", flush=True)
        found: Dict[str, List[Dict[str, float]]] = {"ragft-lint": [], plain: []}
        for _ in range(runs):
            for reader in found:
                done = subprocess.run([sys.executable, "-c", READ_CHILD, reader, tmp, name],
                                      capture_output=True, text=True, check=True)
                found[reader].append(json.loads(done.stdout))
    medians = {name: {key: statistics.median(r[key] for r in results)
                      for key in ("seconds", "peak_kb")} for name, results in found.items()}
    figures = {name: results[0]["figure"] for name, results in found.items()}
    for name, median in medians.items():
        print(f"  {name:<12} {median['seconds'] * 1000:7.0f} ms  peak "
              f"{median['peak_kb'] / 1024:6.0f} MB  pass rate {figures[name]:.4f}")
    ratio = medians["ragft-lint"]["seconds"] / medians[plain]["seconds"]
    peak = medians["ragft-lint"]["peak_kb"] / 1024
    fast, small = ratio <= GOALS["results"], peak < 150
    print(f"  read / {plain} = {ratio:.2f} (goal <= {GOALS['results']}) "
          f"{'met' if fast else 'NOT met'}; peak {peak:.0f} MB (goal < 150) "
          f"{'met' if small else 'NOT met'}")
    return fast and small and figures["ragft-lint"] == figures[plain]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--plain", action="store_true", help="a plain JSON Lines result file")
    parser.add_argument("--trec-only", action="store_true",
                        help="only the TREC run against pytrec_eval")
    parser.add_argument("--promptfoo-lines", action="store_true",
                        help="only a promptfoo JSON Lines file: read against json.loads")
    parser.add_argument("--promptfoo-json", action="store_true",
                        help="only a promptfoo results.json document: read against json.load")
    args = parser.parse_args()
    if args.promptfoo_lines:
        return 0 if promptfoo_lines(args.runs, args.cases) else 1
    if args.promptfoo_json:
        return 0 if promptfoo_lines(args.runs, args.cases, document=True) else 1
    ragft = shutil.which("ragft-lint")
    if ragft is None:
        sys.exit("ragft-lint is not installed in this environment (pip install .)")
    from ragft_lint.evidence.results import opener_inside, read_results
    from ragft_lint.evidence.retrieval import measure_run

    env = dict(os.environ)
    env.pop("RAGFT_LINT_CACHE_DIR", None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate(folder, args.queries, args.cases, args.plain)
        if args.trec_only:
            return 0 if trec_against_pytrec_eval(files["run"], files["qrels"], args.runs) else 1
        trec_met = trec_against_pytrec_eval(files["run"], files["qrels"], args.runs)
        promptfoo_met = promptfoo_lines(args.runs, args.cases)
        relative = files["results"].relative_to(folder).as_posix()
        opener = opener_inside(str(folder))
        check = [ragft, "check", "--format", "json", str(folder)]
        steps: Dict[str, Callable[[], float]] = {
            "read_results": lambda: in_process(lambda: read_results(relative, opener)),
            "json.loads": lambda: in_process(lambda: loads_lines(files["results"])),
            "measure_run": lambda: in_process(lambda: measure_run(
                str(files["run"]), str(files["qrels"]), "trec", "run.trec")),
            "split lines": lambda: in_process(lambda: split_lines(files["run"], files["qrels"])),
            "cold check": lambda: timed([*check, "--no-cache"], env),
            "cached check": lambda: timed(check, env),
            "--no-evidence": lambda: timed([*check, "--no-evidence"], env),
        }
        subprocess.run(check, stdout=subprocess.DEVNULL, env=env, check=False)  # fills the cache
        scores = read_results(relative, opener)
        print(f"{scores.tool}: {len(scores.scores)} scored cases, mean {scores.mean:.3f}",
              flush=True)
        times: Dict[str, List[float]] = {name: [] for name in steps}
        for run in range(args.runs):
            for name, step in steps.items():
                times[name].append(step())
            print(f"run {run + 1}/{args.runs} done", flush=True)

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.runs} runs each, "
          "interleaved; medians:")
    for name, seconds in medians.items():
        print(f"  {name:<16} {seconds * 1000:9.0f} ms")
    ratios = {"results": medians["read_results"] / medians["json.loads"],
              "cached": medians["cached check"] / medians["--no-evidence"]}
    labels = {"results": "read_results / json.loads", "cached": "cached / --no-evidence"}
    print(f"  {'measure_run / split lines':<27} = "
          f"{medians['measure_run'] / medians['split lines']:6.2f} (no goal)")
    met = True
    for key, value in ratios.items():
        ok = value <= GOALS[key]
        met = met and ok
        print(f"  {labels[key]:<27} = {value:6.2f} (goal <= {GOALS[key]}) "
              f"{'met' if ok else 'NOT met'}")
    return 0 if met and trec_met and promptfoo_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
