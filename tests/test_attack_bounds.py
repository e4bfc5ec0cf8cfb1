"""Memory bounds against hostile result files: inspect_ai ``.eval`` archives whose members
decompress to JSON that takes gigabytes once parsed, and logs of very many samples. Each is
read in a child process under an address-space limit, so a reader that holds too much ends in
MemoryError there rather than in the test run."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Dict, Iterable, Tuple

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="RLIMIT_AS and ru_maxrss in bytes are Linux's")

HEADER = json.dumps({"version": 2, "status": "success", "eval": {"task": "t"}}).encode()

# Reads the log named on the command line under a 1 GiB address space; prints what was read.
READ = textwrap.dedent("""\
    import json, os, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    def peak():  # this program's own peak (ru_maxrss would count the parent's before exec)
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) << 10

    from ragft_lint.evidence.results import opener_inside, read_results
    folder, name = os.path.split(sys.argv[1])
    result = read_results(name, opener_inside(folder))
    print(json.dumps({"scores": len(result.scores), "malformed": result.malformed,
                      "reasons": [m.reason for m in result.first_malformed],
                      "peak": peak()}))
""")


def eval_log(path: Path, members: Iterable[Tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        for name, data in members:
            zipped.writestr(name, data)
    return path


def sample(case: str, **more: object) -> bytes:
    return json.dumps({"id": case, "epoch": 1, "scores": {"s": {"value": "C"}},
                       **more}).encode()


def read_in_child(path: Path, timeout: float) -> Dict[str, object]:
    done = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True,
                          text=True, timeout=timeout)
    assert "MemoryError" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 0, done.stderr[-2000:]
    read: Dict[str, object] = json.loads(done.stdout)
    return read


def test_an_amplifying_eval_log_is_refused_per_sample_without_running_out(
        tmp_path: Path) -> None:
    # Four members of about 60 MiB of ``{},`` each (under the 64 MiB a member may decompress
    # to): a few hundred kilobytes on disk, gigabytes once parsed.
    empty = b"[" + b"{}," * (20 << 20) + b"{}]"
    members = [("header.json", HEADER), ("samples/ok_epoch_1.json", sample("ok"))]
    members += [(f"samples/bomb{n}_epoch_1.json", empty) for n in range(4)]
    path = eval_log(tmp_path / "bomb.eval", members)
    assert path.stat().st_size < 2 << 20
    read = read_in_child(path, timeout=120)
    assert read["scores"] == 1, read  # the sample that is fine is still read
    assert read["malformed"] == 4, read
    reasons = read["reasons"]
    assert isinstance(reasons, list)
    assert all("too large to read" in reason for reason in reasons), reasons


@pytest.mark.slow
def test_a_log_of_fifty_thousand_samples_is_read_one_sample_at_a_time(tmp_path: Path) -> None:
    # Each sample carries a transcript, as inspect_ai's do: kept parsed, fifty thousand of
    # them would take several hundred megabytes.
    messages = [{"role": "user", "content": f"message {n}", "source": "input"}
                for n in range(40)]
    members = ((f"samples/{n}_epoch_1.json", sample(str(n), messages=messages))
               for n in range(50_000))
    path = eval_log(tmp_path / "many.eval", itertools.chain([("header.json", HEADER)], members))
    read = read_in_child(path, timeout=240)
    assert read["scores"] == 50_000 and read["malformed"] == 0, read
    peak = read["peak"]
    assert isinstance(peak, int) and peak < 150 << 20, f"peak {peak >> 20} MiB"


def run_script(script: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                          text=True, timeout=timeout)


def test_a_thread_python_does_not_know_of_stops_the_forking() -> None:
    # A thread started below ``threading`` (as a C library starts its pool) is one that a
    # fork would copy the locks of, and that ``threading.active_count`` does not count.
    done = run_script("""\
        import _thread, os, threading, time
        from ragft_lint import parallel
        if len(os.sched_getaffinity(0)) < 2:
            print("one cpu"); raise SystemExit
        alone = parallel.can_fork()
        _thread.start_new_thread(time.sleep, (30,))
        time.sleep(0.1)
        print(alone, threading.active_count(), parallel.can_fork())
    """, timeout=60)
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() == "one cpu":
        pytest.skip("forking is used only with more than one CPU")
    assert done.stdout.split() == ["True", "1", "False"]


def test_a_child_that_hangs_is_killed_and_its_share_done_here() -> None:
    done = run_script("""\
        import os, time
        from ragft_lint import parallel
        parallel.MIN_WAIT_SECONDS = 0.5
        if not parallel.can_fork():
            print("no fork"); raise SystemExit
        parent = os.getpid()

        def theirs():
            if os.getpid() != parent:
                time.sleep(1000)  # a child that never delivers
            return "done here"

        started = time.monotonic()
        print(parallel.side_by_side([lambda: "mine", theirs]), time.monotonic() - started)
    """, timeout=30)
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() == "no fork":
        pytest.skip("this machine does not fork for parallel work")
    results, took = done.stdout.rsplit(" ", 1)
    assert results == "['mine', 'done here']"
    assert float(took) < 10
