"""Bad evidence of every kind: a DA finding at the key that names the file (or, for a path
that leaves the project, a declaration error with file, line and column), no traceback,
nothing written, and the run ends. Each case runs in a child process under a time limit, so a
hang (a FIFO opened for reading waits for a writer for ever) fails the test instead of
stalling the suite."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, NamedTuple, Optional

import pytest

DECLARATION = """\
systems:
  bot:
    architecture: fine-tune
    gaps: [behavior]
    fine_tune:
      goals: [format]
      training_data: data/train.jsonl
    eval:
      path: {eval_path}
      labeled: true
"""

GOOD_TRAINING = "".join(
    json.dumps({"input": f"question {n}", "output": f"answer {n}"}) + "\n" for n in range(30))


def good_line(n: int) -> bytes:
    return (json.dumps({"input": f"eval question {n}", "output": "yes"}) + "\n").encode()


class Case(NamedTuple):
    eval_path: str  # as declared
    make: Callable[[Path], None]  # lays the evidence out under the project root
    rule: str  # the rule expected at the eval.path key ("" for a declaration error)
    says: str  # a part of its message
    skip: Optional[str] = None  # why the case cannot run here, when it cannot


def write(relative: str, data: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return make


def fifo(root: Path) -> None:
    (root / "evals").mkdir()
    os.mkfifo(root / "evals" / "eval.jsonl")


def folder(root: Path) -> None:
    (root / "evals" / "eval.jsonl").mkdir(parents=True)


def unix_socket(root: Path) -> None:
    (root / "evals").mkdir()
    here = os.getcwd()
    os.chdir(root / "evals")  # a relative name: socket paths are limited to ~100 bytes
    try:
        server = socket.socket(socket.AF_UNIX)
        server.bind("eval.jsonl")
        server.close()  # the socket file stays
    finally:
        os.chdir(here)


def device(root: Path) -> None:
    (root / "evals").mkdir()
    os.mknod(root / "evals" / "eval.jsonl", stat.S_IFCHR | 0o600, os.makedev(1, 3))


def link_out(root: Path) -> None:
    outside = root.parent / "secret.jsonl"
    outside.write_bytes(good_line(0))
    (root / "evals").mkdir()
    os.symlink(outside, root / "evals" / "eval.jsonl")


def link_to_device(root: Path) -> None:
    (root / "evals").mkdir()
    os.symlink("/dev/zero", root / "evals" / "eval.jsonl")


def _can_mknod() -> bool:
    return hasattr(os, "mknod") and hasattr(os, "geteuid") and os.geteuid() == 0


def _binary() -> bytes:
    return bytes(range(256)) * 64


def _invalid_utf8_midway() -> bytes:
    return b"".join(good_line(n) for n in range(10)) + b'{"input": "caf\xe9"}\n' + \
        b"".join(good_line(n) for n in range(10, 20))


def _line_of_megabytes() -> bytes:
    huge = json.dumps({"input": "x" * (9 << 20), "output": "y"}).encode() + b"\n"
    return good_line(0) + huge + good_line(1)


def _csv_field_over_the_limit() -> bytes:
    return b"input,output\nfirst,yes\n" + b'"' + b"x" * 200_000 + b'",no\nlast,yes\n'


def _nul_bytes() -> bytes:
    return good_line(0) + b'{"input": "a\x00b", "output": "c"}\n' + b"\x00" * 100 + b"\n"


def _deep_record() -> bytes:
    return good_line(0) + b"[" * 100_000 + b"]" * 100_000 + b"\n"


def _broken_array() -> bytes:
    return b'[{"input": "a", "output": "b"},\n {"input": "c", "output": \n'


no_fifo = None if hasattr(os, "mkfifo") else "no FIFOs on this platform"
no_unix = None if hasattr(socket, "AF_UNIX") else "no UNIX sockets on this platform"
no_link = None if hasattr(os, "symlink") else "no symbolic links on this platform"
no_mknod = None if _can_mknod() else "creating a device needs root"

CASES: Dict[str, Case] = {
    "missing": Case("evals/eval.jsonl", lambda root: None, "DA001", "does not exist"),
    "fifo": Case("evals/eval.jsonl", fifo, "DA001", "named pipe (FIFO)", no_fifo),
    "folder": Case("evals/eval.jsonl", folder, "DA001", "is a folder"),
    "socket": Case("evals/eval.jsonl", unix_socket, "DA001", "socket", no_unix),
    "device": Case("evals/eval.jsonl", device, "DA001", "device", no_mknod),
    "link-out-of-the-project": Case("evals/eval.jsonl", link_out, "",
                                    "leads outside the project root", no_link),
    "link-to-a-device": Case("evals/eval.jsonl", link_to_device, "",
                             "leads outside the project root", no_link),
    "path-out-of-the-project": Case("../secret.jsonl", lambda root: None, "",
                                    "leads outside the project root"),
    "binary": Case("evals/eval.jsonl", write("evals/eval.jsonl", _binary()), "DA006",
                   "evals/eval.jsonl:1: not valid JSON"),
    "invalid-utf8-midway": Case("evals/eval.jsonl",
                                write("evals/eval.jsonl", _invalid_utf8_midway()), "DA006",
                                "evals/eval.jsonl:11: not valid UTF-8"),
    "a-line-of-megabytes": Case("evals/eval.jsonl",
                                write("evals/eval.jsonl", _line_of_megabytes()), "DA006",
                                "evals/eval.jsonl:2: longer than 8 MiB: not read"),
    "csv-field-over-the-csv-limit": Case(
        "evals/eval.csv", write("evals/eval.csv", _csv_field_over_the_limit()), "DA006",
        "evals/eval.csv:3: field larger than field limit"),
    "nul-bytes": Case("evals/eval.jsonl", write("evals/eval.jsonl", _nul_bytes()), "DA006",
                      "evals/eval.jsonl:2: not valid JSON: Invalid control character"),
    "nested-too-deeply": Case("evals/eval.jsonl", write("evals/eval.jsonl", _deep_record()),
                              "DA006", "evals/eval.jsonl:2: not valid JSON: nested too deeply"),
    "json-array-broken-midway": Case("evals/eval.json",
                                     write("evals/eval.json", _broken_array()), "DA006",
                                     "reading stopped"),
    "utf16": Case("evals/eval.jsonl",
                  write("evals/eval.jsonl", good_line(0).decode().encode("utf-16")), "DA006",
                  "evals/eval.jsonl:1: not valid UTF-8"),
}


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ragft_lint", "check", "--format", "json", "--no-cache",
         "--as-of", "2026-11-23", *args],
        cwd=root, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, NO_COLOR="1"))


def tree(root: Path) -> list:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_bad_evidence(case_id: str, tmp_path: Path) -> None:
    case = CASES[case_id]
    if case.skip:
        pytest.skip(case.skip)
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "train.jsonl").write_text(GOOD_TRAINING)
    (root / "ragft.yaml").write_text(DECLARATION.format(eval_path=case.eval_path))
    case.make(root)
    before = tree(root)
    done = run(root)
    assert "Traceback" not in done.stderr
    assert tree(root) == before, "nothing is written"
    if not case.rule:  # refused with the declaration, at the key
        assert done.returncode == 2, done.stdout + done.stderr
        first = done.stderr.splitlines()[0]
        assert first.startswith("ragft.yaml:9:13: systems.bot.eval.path: "), first
        assert case.says in first
        return
    assert done.returncode in (0, 1), done.stderr
    findings = json.loads(done.stdout)["findings"]
    mine = [f for f in findings if f["rule"] == case.rule]
    assert mine, [f["rule"] for f in findings]
    [finding] = mine
    assert finding["key"] == "systems.bot.eval.path"
    assert (finding["line"], finding["column"]) == (9, 13)
    assert case.says in finding["message"], finding["message"]
    assert len(finding["message"]) < 600, "a finding echoes too much of the evidence"
    # The training data next to it was still measured.
    assert not [f for f in findings if f["key"].startswith("systems.bot.fine_tune.training")
                and f["rule"] in ("DA001", "DA006")]
