"""A process that outlives its runs (the language server) survives plugin code past its time
limit: the code is interrupted in its own thread, worker threads too, where no signal reaches;
a command-line run still ends with exit 3 (``guard``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

SCRIPT = """\
import sys, threading, time
from ragft_lint import guard
if sys.argv[1] == "survive":
    guard.survive()
told = []

def plugin(catches: int) -> None:
    try:
        with guard.plugin_code(0.3):
            while True:  # plugin code that never ends by itself
                try:
                    while True:
                        pass
                except Exception as exc:
                    told.append(type(exc).__name__)
                    if len(told) > catches:
                        raise
    except Exception as exc:
        told.append("ended: " + type(exc).__name__)

started = time.monotonic()
worker = threading.Thread(target=plugin, args=(int(sys.argv[2]),))
worker.start()
worker.join(20)
import json
print(json.dumps({"told": told, "seconds": time.monotonic() - started,
                  "alive": worker.is_alive()}))
"""


def _run(mode: str, catches: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, mode, str(catches)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("catches", [0, 1])
def test_survive_interrupts_the_worker_thread_and_the_process_goes_on(catches: int) -> None:
    done = _run("survive", catches)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    # Interrupted once per grace (1 s) while the code goes on catching it.
    assert seen["told"] == ["Late"] * catches + ["Late", "ended: Late"]
    assert not seen["alive"] and seen["seconds"] < 1.3 + 1.2 * catches + 2
    assert done.stderr.count("past its time limit of 0.3 s") == 1
    assert "it is being interrupted" in done.stderr


def test_without_survive_the_process_ends_with_exit_3() -> None:
    done = _run("fatal", 0)
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
                    while True:
                        pass
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
    assert run.stdout.strip() == "['Late'] False", run.stderr
