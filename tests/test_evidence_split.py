"""A large JSON Lines file measured in byte ranges, side by side, gives what one process gives.

The cuts fall anywhere: beside duplicates of records in earlier ranges, malformed lines,
lines that are not UTF-8, a record spread over several lines, a line too long to read, a
byte order mark that is only one at the start of the file, and a last line without its
newline. The forked measurements run for real (Linux); only the thresholds are lowered, so
that a file of a few kilobytes is cut like one of hundreds of megabytes.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from evidence_project import Project, chat, jsonl
from ragft_lint import parallel
from ragft_lint.cli import main
from ragft_lint.evidence import measure, readers, split
from ragft_lint.evidence.layouts import extractor

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


def tricky_training_set(rng: random.Random, records: int = 400) -> bytes:
    """Chat records with repeats near and far, and every kind of line that is not one."""
    questions = [f"How do I reset item {n}?" for n in range(records // 3)]
    lines: List[bytes] = []
    for _ in range(records):
        roll = rng.random()
        if roll < 0.04:
            lines.append(b'{"messages": [oops\n')
        elif roll < 0.06:
            lines.append(b'{"messages": "caf\xe9"}\n')  # Latin-1, not UTF-8
        elif roll < 0.08:
            lines.append(b"\n")
        elif roll < 0.10:
            lines.append(b"[1, 2]\n")
        elif roll < 0.11:
            lines.append(json.dumps(chat("spread out"), indent=1).encode() + b"\n")
        elif roll < 0.12:
            lines.append(b"\xef\xbb\xbf" + json.dumps(chat("mark")).encode() + b"\n")
        elif roll < 0.13:
            lines.append(b'{"text": "' + b"x" * 3000 + b'"}\n')  # longer than the limit below
        else:
            question = rng.choice(questions)
            answer = None if rng.random() < 0.05 else rng.choice(["Sure.", "No.", "  SURE. "])
            end = b"\r\n" if rng.random() < 0.1 else b"\n"
            lines.append(json.dumps(chat(question, answer)).encode() + end)
    return b"\xef\xbb\xbf" + b"".join(lines) + json.dumps(chat("no newline")).encode()


def eval_index(rng: random.Random) -> measure.InputIndex:
    records = [chat(f"How do I reset item {n}?") for n in rng.sample(range(130), 20)]
    reader = readers.Reader(io.BytesIO(jsonl(records).encode()), "jsonl", 0, lambda d, t: None)
    inputs = measure.scan(reader, extractor(None, None), "eval.jsonl", index=True).inputs
    assert inputs
    return inputs


def whole(data: bytes, **options: Any) -> measure.Scan:
    reader = readers.Reader(io.BytesIO(data), "jsonl", len(data), lambda d, t: None)
    return measure.scan(reader, extractor(None, None), "train.jsonl", **options)


def in_ranges(path: Path, cuts: List[Tuple[int, int]], **options: Any) -> measure.Scan:
    """The parts of ``cuts`` measured here, and joined, as ``split.scan`` joins them."""
    return measure.join(parts_of(path, cuts, **options), "train.jsonl", "line")


def parts_of(path: Path, cuts: List[Tuple[int, int]], **options: Any) -> List[measure.Part]:
    with path.open("rb") as handle:
        fd = handle.fileno()
        parts = []
        for start, end in cuts:
            reader = readers.Reader(split._Range(fd, start, end), "jsonl", 0,  # type: ignore[arg-type]
                                    lambda d, t: None, start_of_file=start == 0)
            part = measure.tally(reader, extractor(None, None), **options)
            if part.seen is not None and start % 2:  # both forms a part's examples take
                from array import array

                part = part._replace(seen=(array("q", part.seen),
                                           array("q", part.seen.values())))
            parts.append(part)
    return parts


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_RECORD_BYTES", 2048)
    monkeypatch.setattr(readers, "BLOCK_BYTES", 1024)


@pytest.mark.parametrize("seed", range(6))
def test_any_cuts_on_line_boundaries_join_into_the_one_piece_scan(
        tmp_path: Path, small_limits: None, seed: int) -> None:
    rng = random.Random(seed)
    data = tricky_training_set(rng)
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)
    against = eval_index(rng)
    expected = whole(data, duplicates=True, against=against)
    assert expected.facts.duplicates > 10 and expected.facts.malformed > 10
    assert expected.matches
    with path.open("rb") as handle:
        for count in (2, 3, 7, 40):
            cuts = split.ranges(handle.fileno(), len(data), count)
            assert cuts[0][0] == 0 and cuts[-1][1] == len(data)
            assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:]))
            assert all(data[start - 1:start] == b"\n" for start, _ in cuts[1:])
            assert in_ranges(path, cuts, duplicates=True, against=against) == expected
            parts = parts_of(path, cuts, duplicates=True, against=against)
            # Repeats of records in earlier ranges, and bad lines past the first range.
            assert sum(part.facts.duplicates for part in parts) < expected.facts.duplicates
            assert any(part.facts.malformed for part in parts[1:])
    # An eval set measured in pieces gives the same index of its inputs.
    assert in_ranges(path, split.ranges(os.open(path, os.O_RDONLY), len(data), 5),
                     index=True) == whole(data, index=True)


def test_a_cut_inside_a_long_line_moves_to_its_end(tmp_path: Path) -> None:
    data = b'{"a": 1}\n' + b'{"b": "' + b"y" * 10_000 + b'"}\n' + b'{"c": 3}\n'
    path = tmp_path / "long.jsonl"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        cuts = split.ranges(fd, len(data), 4)
    finally:
        os.close(fd)
    # The three cuts all fall inside the long line: one range ends with it, one is left.
    assert cuts == [(0, len(data) - 9), (len(data) - 9, len(data))]


# -- through the command line, in real processes ---------------------------------------------


def project(tmp_path: Path) -> Project:
    rng = random.Random(7)
    made = Project(tmp_path / "p")
    made.declare("""\
        systems:
          tuned-bot:
            architecture: fine-tune
            fine_tune:
              training_data: data/train.jsonl
              training_examples: 300
            eval:
              path: evals/eval.jsonl
              examples: 20
              labeled: true
    """)
    (made.root / "data").mkdir()
    (made.root / "data" / "train.jsonl").write_bytes(tricky_training_set(rng, 3000))
    made.write("evals/eval.jsonl", jsonl(chat(f"How do I reset item {n}?")
                                         for n in rng.sample(range(1000), 20)))
    return made


def json_report(made: Project, capsys: pytest.CaptureFixture[str]) -> str:
    status = main(["check", "--format", "json", "--no-cache", "--as-of", "2026-11-23",
                   str(made.root / "ragft.yaml")])
    out = capsys.readouterr().out
    assert status == 1, out
    return out


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch, small_limits: None) -> None:
    """Split even small files, into six ranges."""
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "cores", lambda: 6)
    monkeypatch.setattr(split, "MIN_BYTES", 0)
    monkeypatch.setattr(split, "MIN_RANGE_BYTES", 1)


def tracing(monkeypatch: pytest.MonkeyPatch, log: Path, fail_in_children: bool = False) -> None:
    real_tally = split.tally
    parent = os.getpid()

    def traced(reader: Any, extract: Any, **options: Any) -> measure.Part:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        if fail_in_children and os.getpid() != parent:
            os._exit(3)
        return real_tally(reader, extract, **options)

    monkeypatch.setattr(split, "tally", traced)


@linux
def test_split_and_unsplit_scans_give_byte_identical_json(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        small_limits: None) -> None:
    made = project(tmp_path)
    one_piece = json_report(made, capsys)
    findings = {f["rule"] for f in json.loads(one_piece)["findings"]}
    assert {"DA003", "DA006", "EV006"} <= findings  # duplicates, bad lines, shared inputs

    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(split, "MIN_BYTES", 0)
    monkeypatch.setattr(split, "MIN_RANGE_BYTES", 1)
    for cores in (2, 3, 6):
        monkeypatch.setattr(parallel, "cores", lambda cores=cores: cores)
        log = tmp_path / f"pids-{cores}.txt"
        tracing(monkeypatch, log)
        assert json_report(made, capsys) == one_piece
        pids = log.read_text(encoding="utf-8").split()
        # Both files, the training set and the eval set, each by this process and one child
        # for each of its other ranges.
        assert len(pids) == 2 * cores and pids.count(str(os.getpid())) == 2
        assert len(set(pids)) == 2 * cores - 1


@linux
def test_a_failing_child_means_this_process_measures_its_range(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        forking: None) -> None:
    made = project(tmp_path)
    with monkeypatch.context() as unsplit:
        unsplit.setattr(split, "MIN_BYTES", 1 << 40)
        one_piece = json_report(made, capsys)
    log = tmp_path / "pids.txt"
    tracing(monkeypatch, log, fail_in_children=True)
    assert json_report(made, capsys) == one_piece
    pids = log.read_text(encoding="utf-8").split()
    here = pids.count(str(os.getpid()))
    # For each of the two files: its own range, then the five the children lost.
    assert (here, len(pids) - here) == (12, 10)


def test_small_files_and_no_safe_fork_stay_in_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "cores", lambda: 4)
    assert split._processes(split.MIN_BYTES - 1) == 1
    assert split._processes(split.MIN_BYTES) == 2  # each range holds MIN_RANGE_BYTES
    assert split._processes(100 * split.MIN_BYTES) == 4
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert split._processes(100 * split.MIN_BYTES) == 1
