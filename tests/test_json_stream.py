"""A JSON document read as a stream: the elements of one array at a time, bounded."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ragft_lint.evidence.measurements import Malformed
from ragft_lint.evidence.results import NotReadable, opener_inside, read_results
from ragft_lint.evidence.results.json_files import loads
from ragft_lint.evidence.results.json_stream import EACH, Document

ROWS = ("results", "results")
PROMPTS = ("results", "prompts")

# Strings that trouble a scanner: quotes, backslashes and brackets inside, and text beyond ASCII.
texts = st.text(alphabet=st.sampled_from(list('ab"\\[]{},: \n\té€😀\u2028')), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-10**20, 10**20) | texts | st.floats(
    allow_nan=False, allow_infinity=False)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(texts, inner, max_size=4), max_leaves=20)
documents = st.fixed_dictionaries(
    {"results": st.fixed_dictionaries({"results": st.lists(values, max_size=6),
                                       "prompts": values},
                                      optional={"stats": values})},
    optional={"evalId": texts, "config": values, "shareableUrl": values})


def streamed(raw: bytes, chunk: int, limit: int = 8 << 20,
             ) -> Tuple[List[Any], List[Any], Document]:
    stream = Document(io.BytesIO(raw), [ROWS], [PROMPTS], chunk=chunk, limit=limit)
    rows: List[Any] = []
    prompts: List[Any] = []
    for path, number, value in stream:
        if path == ROWS:
            assert number == len(rows) + 1
            rows.append(value)
        else:
            prompts.append(value)
    return rows, prompts, stream


def layouts(document: Any) -> List[bytes]:
    """The document as tools write it: compact, indented, non-ASCII kept, with a BOM."""
    return [json.dumps(document).encode(), json.dumps(document, indent=2).encode(),
            b"\xef\xbb\xbf" + json.dumps(document, ensure_ascii=False, separators=(",", ":"))
            .encode()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.integers(1, 9))
def test_streamed_elements_are_those_of_the_whole_document(document: Any, chunk: int) -> None:
    for raw in layouts(document):
        rows, prompts, stream = streamed(raw, chunk)
        whole = json.loads(raw.decode("utf-8-sig"))
        assert rows == whole["results"]["results"]
        assert prompts == [whole["results"]["prompts"]]
        assert stream.found[ROWS] == "array"


@settings(max_examples=150, deadline=None)
@given(documents, st.integers(1, 200), st.integers(1, 7))
def test_a_broken_document_gives_the_reason_whole_reading_gives(document: Any, cut: int,
                                                               chunk: int) -> None:
    raw = json.dumps(document, indent=1).encode()
    for broken in (raw[:max(0, len(raw) - cut)], raw[:len(raw) // 2] + b"}" + raw[len(raw) // 2:]):
        try:
            json.loads(broken)
        except ValueError:
            pass
        else:
            continue
        with pytest.raises(NotReadable) as raised:
            streamed(broken, chunk)
        with pytest.raises(NotReadable) as whole:
            loads(broken)
        said, expected = str(raised.value), str(whole.value)
        assert said.startswith("is not valid")
        if broken is not raw and expected.endswith("(the file is cut off)") and broken.strip():
            assert said.endswith("(the file is cut off)")


@pytest.mark.parametrize("raw, expected", [
    (b"", "Expecting value at line 1 column 1 (the file is cut off)"),
    (b'{"results": {"results": [1, 2', "at line 1 column 30 (the file is cut off)"),
    (b'{"results": {"results": [1, 2]}}\n{}', "Extra data at line 2 column 1"),
    (b'{"results": {"results": [1,\n 2 3]}}', "Expecting ',' delimiter at line 2 column 4"),
    (b'{"results": {"results": [], "x": "open', "Unterminated string"),
    (b'{"results": {"results": [{"a": "\xff"}]}}', "is not valid UTF-8 (byte 33)"),
])
def test_a_malformed_document_says_where(raw: bytes, expected: str) -> None:
    for chunk in (1, 4, 1 << 16):
        with pytest.raises(NotReadable) as raised:
            streamed(raw, chunk)
        assert expected in str(raised.value)


def test_an_element_over_the_bound_is_refused_and_the_rest_read() -> None:
    big = {"text": "x\\\"]}" * 400, "nested": [[{"a": 1}]] * 50}
    document = {"results": {"results": [{"id": 1}, big, "y" * 5000, 10 ** 3000, {"id": 2}],
                            "prompts": [], "config": big}}
    for chunk in (3, 64, 1 << 16):
        rows, _, _ = streamed(json.dumps(document).encode(), chunk, limit=1024)
        assert rows[0] == {"id": 1} and rows[-1] == {"id": 2}
        assert [type(row) for row in rows[1:4]] == [Malformed] * 3
        assert all("longer than" in row.reason for row in rows[1:4])


def test_a_broken_element_within_the_bound_is_not_taken_for_a_long_one() -> None:
    raw = b'{"results": {"results": [{"a": tru}, ' + b'"' + b"y" * 4000 + b'"]}}'
    with pytest.raises(NotReadable, match="Expecting value at line 1 column 32"):
        streamed(raw, 16, limit=1024)


def test_a_value_that_is_not_an_array_is_told() -> None:
    _, _, stream = streamed(b'{"results": {"results": {"a": [1]}}}', 4)
    assert stream.found == {(): "object", ("results",): "object", ROWS: "object"}
    _, _, stream = streamed(b'[{"results": {"results": []}}]', 4)
    assert stream.found == {}


PROMPTFOO_ROW = {"gradingResult": {"pass": True, "score": 1, "reason": "ok",
                                   "componentResults": []},
                 "promptIdx": 0, "provider": {"id": "openai:gpt-4o-mini", "label": "base"},
                 "response": {"output": "The answer is Paris. " * 20}, "namedScores": {}}


def promptfoo_file(path: Path, rows: int, prompts_last: bool = False) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"evalId": "eval-1", "results": {"version": 3,')
        header = '"prompts": [{"raw": "Q: {{q}}", "label": "Ask"}]'
        if not prompts_last:
            out.write(header + ",")
        out.write('"results": [')
        for n in range(rows):
            row = {**PROMPTFOO_ROW, "testIdx": n, "success": n % 5 != 0, "score": n % 3,
                   "vars": {"id": f"case-{n}", "q": f"What is case {n}?"}}
            out.write(("," if n else "") + json.dumps(row))
        out.write("]" + ("," + header if prompts_last else "") + '}, "config": {}}')


@pytest.mark.parametrize("prompts_last", [False, True])
def test_a_promptfoo_document_names_its_prompt_from_the_header(tmp_path: Path,
                                                               prompts_last: bool) -> None:
    promptfoo_file(tmp_path / "results.json", 10, prompts_last)
    scores = read_results("results.json", opener_inside(str(tmp_path)), prompt="Ask")
    assert scores.mean == 0.8 and len(scores.scores) == 10


def test_a_deepeval_run_is_read_from_where_it_is_held(tmp_path: Path) -> None:
    def test(name: str, success: bool) -> Any:
        return {"name": name, "success": success, "metricsData": [
            {"name": "Exact Match", "score": 1.0 if success else 0.0, "success": success}]}

    nested = [test("a", True), test("b", False), test("c", True)]
    (tmp_path / "run.json").write_text(json.dumps(
        {"testCases": [test("x", False)], "testRunData": {"testCases": nested}}))
    scores = read_results("run.json", opener_inside(str(tmp_path)), fmt="deepeval")
    assert scores.scores == {"a": 1.0, "b": 0.0, "c": 1.0}
    (tmp_path / "run.json").write_text(json.dumps({"testRunData": {"testCases": {}}}))
    with pytest.raises(NotReadable, match="has no `testCases` list"):
        read_results("run.json", opener_inside(str(tmp_path)), fmt="deepeval")


CHILD = """\
import json, resource, sys
from ragft_lint.evidence.results import opener_inside, read_results
scores = read_results("results.json", opener_inside(sys.argv[1]), metric=sys.argv[2])
# The peak of this process's own memory since it started: ru_maxrss keeps the peak of the
# process it was forked from (a large test worker), VmHWM starts again at exec.
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
peak = min(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(json.dumps({"figure": scores.mean, "cases": len(scores.scores), "peak_kb": peak}))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")
def test_a_50000_row_promptfoo_document_is_read_in_bounded_memory(tmp_path: Path) -> None:
    promptfoo_file(tmp_path / "results.json", 50_000)
    found = {}
    for metric in ("pass", "score"):  # read first: a child forked later inherits a large peak
        done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), metric],
                              capture_output=True, text=True, check=True)
        found[metric] = json.loads(done.stdout)
    whole = json.loads((tmp_path / "results.json").read_bytes())["results"]["results"]
    expected = {"pass": sum(row["success"] for row in whole) / len(whole),
                "score": sum(row["score"] for row in whole) / len(whole)}
    for metric, read in found.items():
        assert read["cases"] == 50_000
        assert read["figure"] == pytest.approx(expected[metric], abs=1e-12)
        assert read["peak_kb"] / 1024 < 150, read


# Arrays inside every element of an array (``EACH``), as inspect_ai's ``reductions`` hold them.
nested_documents = st.fixed_dictionaries(
    {"reductions": st.lists(st.fixed_dictionaries(
        {"scorer": texts, "samples": st.lists(values, max_size=4)},
        optional={"reducer": values}) | values, max_size=4)},
    optional={"samples": st.lists(values, max_size=3), "status": texts, "eval": values})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nested_documents, st.integers(1, 9))
def test_arrays_in_each_element_are_streamed_in_their_place(document: Any, chunk: int) -> None:
    reduced = ("reductions", EACH, "samples")
    scorer = ("reductions", EACH, "scorer")
    for raw in layouts(document):
        stream = Document(io.BytesIO(raw), [reduced, ("samples",)], [scorer, ("status",)],
                          chunk=chunk)
        elements: List[Any] = []  # per element of reductions: its scorer and samples
        samples: List[Any] = []
        for path, number, value in stream:
            if path == ("reductions",):
                assert value is EACH and number == len(elements) + 1
                elements.append({})
            elif path == scorer:
                elements[-1]["scorer"] = value
            elif path == reduced:
                held = elements[-1].setdefault("samples", [])
                assert number == len(held) + 1
                held.append(value)
            elif path == ("samples",):
                samples.append(value)
        whole = json.loads(raw.decode("utf-8-sig"))
        assert len(elements) == len(whole["reductions"])
        for got, element in zip(elements, whole["reductions"]):
            if isinstance(element, dict):
                held = element.get("samples")
                assert got.get("scorer") == element.get("scorer")
                assert got.get("samples", []) == (held if isinstance(held, list) else [])
            else:
                assert got == {}
        assert samples == whole.get("samples", [])


def test_an_object_key_that_reads_as_each_is_not_an_array_element() -> None:
    raw = json.dumps({"reductions": {"*": {"samples": [1, 2]}}}).encode()
    stream = Document(io.BytesIO(raw), [("reductions", EACH, "samples")])
    assert list(stream) == []
    assert ("reductions", EACH, "samples") not in stream.found


def inspect_log(samples: List[Any], reductions: Any = None, header_last: bool = False) -> bytes:
    header = {"version": 2, "status": "success",
              "eval": {"task": "qa", "config": {"epochs": 1}},
              "results": {"total_samples": len(samples), "completed_samples": len(samples),
                          "scores": [{"name": "match", "scorer": "match",
                                      "metrics": {"accuracy": {"value": 0.0}}}]}}
    body: dict = {"samples": samples}
    if reductions is not None:
        body["reductions"] = reductions
    return json.dumps({**body, **header} if header_last else {**header, **body}).encode()


@pytest.mark.parametrize("header_last", [False, True])
def test_an_inspect_log_is_read_as_a_stream_wherever_its_header_stands(
        tmp_path: Path, header_last: bool) -> None:
    samples = [{"id": n, "epoch": 1, "scores": {"match": {"value": "C" if n % 4 else "I"}}}
               for n in range(1, 41)]
    (tmp_path / "log.json").write_bytes(inspect_log(samples, header_last=header_last))
    scores = read_results("log.json", opener_inside(str(tmp_path)), fmt="inspect_ai")
    assert len(scores.scores) == 40 and scores.mean == pytest.approx(30 / 40)
    assert scores.tasks == ("qa",)


def test_an_inspect_logs_reductions_after_its_samples_are_what_it_scores(tmp_path: Path) -> None:
    samples = [{"id": n, "epoch": epoch, "scores": {"match": {"value": "C" if epoch == 1 else "I"}}}
               for n in (1, 2) for epoch in (1, 2)]
    reductions = [{"reducer": "max", "samples": [{"sample_id": 1, "value": 1.0},
                                                   {"sample_id": 2, "value": 0.0}],
                   "scorer": "match"}]  # the scorer named after its samples: they wait for it
    (tmp_path / "log.json").write_bytes(inspect_log(samples, reductions))
    scores = read_results("log.json", opener_inside(str(tmp_path)), fmt="inspect_ai")
    assert scores.scores == {"1": 1.0, "2": 0.0}


def test_an_unfinished_inspect_log_is_refused_after_streaming(tmp_path: Path) -> None:
    raw = inspect_log([{"id": 1, "scores": {"match": {"value": "C"}}}]).replace(
        b'"status": "success"', b'"status": "started"')
    (tmp_path / "log.json").write_bytes(raw)
    with pytest.raises(NotReadable, match=r"did not finish \(status 'started'\)"):
        read_results("log.json", opener_inside(str(tmp_path)), fmt="inspect_ai")


INSPECT_CHILD = """\
import json, resource, sys
from ragft_lint.evidence.results import opener_inside, read_results
scores = read_results("log.json", opener_inside(sys.argv[1]), fmt="inspect_ai")
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
peak = min(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(json.dumps({"figure": scores.mean, "cases": len(scores.scores), "peak_kb": peak}))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")
def test_a_large_inspect_log_is_read_in_bounded_memory(tmp_path: Path) -> None:
    # 20,000 samples, each with a transcript as inspect_ai logs them: about 95 MB, which
    # read whole takes several times that.
    transcript = [{"role": "user", "content": "question " * 200},
                  {"role": "assistant", "content": "answer " * 400}]
    with (tmp_path / "log.json").open("w", encoding="utf-8") as out:
        out.write('{"version": 2, "status": "success", "eval": {"task": "qa"}, "samples": [')
        for n in range(20_000):
            out.write(("," if n else "") + json.dumps(
                {"id": n, "epoch": 1, "messages": transcript,
                 "scores": {"match": {"value": "C" if n % 5 else "I"}}}))
        out.write("]}")
    assert (tmp_path / "log.json").stat().st_size > 90 << 20
    done = subprocess.run([sys.executable, "-c", INSPECT_CHILD, str(tmp_path)],
                          capture_output=True, text=True, check=True)
    read = json.loads(done.stdout)
    assert read["cases"] == 20_000 and read["figure"] == pytest.approx(0.8)
    assert read["peak_kb"] / 1024 < 100, read
