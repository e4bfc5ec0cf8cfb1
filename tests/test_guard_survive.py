"""A process that outlives its runs (the language server) survives plugin code past its time
limit: in a worker thread, where no signal reaches it, the overrun is said once and the call
fails (``Overrun``) when the code returns; nothing is raised into a running thread. A
command-line run still ends with exit 3 (``guard``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = """\
import json, sys, threading, time
from ragft_lint import guard
if sys.argv[1] == "survive":
    guard.survive()
told = []

def plugin(seconds: float) -> None:
    try:
        with guard.plugin_code(0.3):
            ends = time.monotonic() + seconds
            while time.monotonic() < ends:  # plugin code, busy past its limit and the grace
                pass
        told.append("returned")
    except Exception as exc:
        told.append(type(exc).__name__ + ": " + str(exc))

started = time.monotonic()
worker = threading.Thread(target=plugin, args=(float(sys.argv[2]),))
worker.start()
worker.join(20)
print(json.dumps({"told": told, "seconds": time.monotonic() - started}))
"""


def _run(mode: str, seconds: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, mode, str(seconds)],
                          capture_output=True, text=True, timeout=60)


def test_survive_fails_the_late_call_and_the_process_goes_on() -> None:
    done = _run("survive", 2.0)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["told"] == ["Overrun: took longer than 0.3 s and was stopped"]
    assert seen["seconds"] >= 2.0
    assert done.stderr.count("past its time limit of 0.3 s") == 1  # said once
    assert "its call fails when it returns" in done.stderr


def test_survive_leaves_a_call_within_its_grace_alone() -> None:
    done = _run("survive", 0.5)  # past 0.3 s but within the 1 s grace
    assert json.loads(done.stdout)["told"] == ["returned"]
    assert done.stderr == ""


def test_without_survive_the_process_ends_with_exit_3() -> None:
    done = _run("fatal", 5.0)
    assert done.returncode == 3
    assert done.stdout == ""
    assert "the run was ended" in done.stderr


def test_a_call_that_ends_disarms_only_itself() -> None:
    """Two threads' calls: the one that ends first must not take the other's watch away."""
    script = textwrap.dedent("""\
        import threading, time
        from ragft_lint import guard
        guard.survive()
        done = []
        def short():
            with guard.plugin_code(5):
                time.sleep(0.05)
        def long():
            try:
                with guard.plugin_code(0.3):
                    time.sleep(2)
                done.append("returned")
            except Exception as exc:
                done.append(type(exc).__name__)
        slow = threading.Thread(target=long)
        slow.start()
        time.sleep(0.05)
        quick = threading.Thread(target=short)
        quick.start(); quick.join()
        slow.join(10)
        print(done, slow.is_alive())
        """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert run.stdout.strip() == "['Overrun'] False", run.stderr
