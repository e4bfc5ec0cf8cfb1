"""The evidence readers and record layouts, on real files of every supported format."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from ragft_lint.evidence import layouts, readers, safety
from ragft_lint.evidence.collect import guess_format
from ragft_lint.evidence.measure import normalise, scan
from ragft_lint.evidence.measurements import Malformed


def read(path: Path, fmt: str) -> Tuple[List[Tuple[int, Any]], readers.Reader]:
    handle, identity = safety.open_regular(str(path))
    with handle:
        reader = readers.Reader(handle, fmt, identity.size, lambda done, total: None)
        items = list(reader.items())
    return items, reader


def bad(items: List[Tuple[int, Any]]) -> List[Tuple[int, str]]:
    return [(line, item.reason) for line, item in items if isinstance(item, Malformed)]


def good(items: List[Tuple[int, Any]]) -> List[Tuple[int, Any]]:
    return [(line, item) for line, item in items if not isinstance(item, Malformed)]


# -- JSON Lines -------------------------------------------------------------------------------


def test_jsonl_lines_blank_lines_crlf_bom_and_a_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\r\n\n   \n  {"a": 2}\n{"a": 3}  \r\n{"a": 4}')
    items, reader = read(path, "jsonl")
    assert items == [(1, {"a": 1}), (4, {"a": 2}), (5, {"a": 3}), (6, {"a": 4})]
    assert reader.complete


def test_jsonl_bad_lines_are_reported_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": \n2}\n[1, 2]\n"text"\n{"a": 1} {"b": 2}\n'
                     b'{"a": "\xff"}\n{"a": "tab\tinside"}\n{"a": 5}\n')
    items, reader = read(path, "jsonl")
    assert good(items) == [(1, {"a": 1}), (9, {"a": 5})]
    assert bad(items) == [
        (2, "not valid JSON: Expecting value (column 6)"),
        (3, "not valid JSON: Extra data (column 2)"),
        (4, "an array, not a record (a JSON object)"),
        (5, "a string, not a record (a JSON object)"),
        (6, "not valid JSON: Extra data (column 10)"),
        (7, "not valid UTF-8 (byte 8 of the line)"),
        (8, "not valid JSON: Invalid control character at (column 11)"),
    ]
    assert reader.complete


def test_jsonl_records_across_block_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    records = [{"n": n, "text": "x" * (n % 977)} for n in range(6000)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    size = path.stat().st_size
    assert size > 2 * readers.BLOCK_BYTES
    progress: List[Tuple[int, int]] = []
    with path.open("rb") as handle:
        reader = readers.Reader(handle, "jsonl", size, lambda *a: progress.append(a))
        assert list(reader.items()) == [(n + 1, r) for n, r in enumerate(records)]
    assert progress[-1] == (size, size) and len(progress) == 3


def test_jsonl_a_line_longer_than_the_limit_is_skipped_unread(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    huge = b'{"text": "' + b"y" * (readers.MAX_RECORD_BYTES + 10) + b'"}\n'
    path.write_bytes(b'{"a": 1}\n' + huge + b'{"a": 3}\n' + huge[:-1])
    items, _ = read(path, "jsonl")
    assert good(items) == [(1, {"a": 1}), (3, {"a": 3})]
    assert bad(items) == [(2, "longer than 8 MiB: not read"), (4, "longer than 8 MiB: not read")]


def test_jsonl_too_deep_is_malformed_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("[" * 200_000 + "]" * 200_000 + "\n" + '{"a": 1}\n')
    items, _ = read(path, "jsonl")
    assert good(items) == [(2, {"a": 1})]
    assert bad(items) == [(1, "not valid JSON: nested too deeply")]


# -- JSON arrays ------------------------------------------------------------------------------


def test_json_array_streams_its_records_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    records = [{"question": f"q{n}", "answer": "a" * (n * 7 % 5000)} for n in range(1500)]
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    assert path.stat().st_size > 2 * readers.BLOCK_BYTES
    items, reader = read(path, "json")
    assert [item for _, item in items] == records
    assert items[0][0] == 2 and items[1][0] == 6  # indent=1 puts each record on four lines
    assert reader.complete


@pytest.mark.parametrize(("text", "expected"), [
    ("", [(1, "empty file, not a JSON array of records")]),
    ('{"a": 1}\n', [(1, "not a JSON array of records (a JSON Lines file ends in .jsonl, or "
                       "declares format: jsonl)")]),
    ('[{"a": 1},\n {"a": 2},]', [(2, "not valid JSON: no value where a record should start")]),
    ('[{"a": 1}\n {"a": 2}]', [(2, "expected ',' or ']' after a record")]),
])
def test_json_array_that_cannot_be_read_on(tmp_path: Path, text: str, expected: Any) -> None:
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    items, reader = read(path, "json")
    assert bad(items) == expected
    assert not reader.complete


def test_json_array_odd_elements_and_trailing_data(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[]', encoding="utf-8")
    assert read(path, "json")[0] == []
    path.write_text('[{"a": 1}, 7]\n[]', encoding="utf-8")
    items, reader = read(path, "json")
    assert items[0] == (1, {"a": 1})
    assert bad(items) == [(1, "a number, not a record (a JSON object)"),
                          (2, "extra data after the array")]
    assert reader.complete


# -- CSV --------------------------------------------------------------------------------------


def test_csv_rows_by_header_with_quoted_newlines_and_wrong_widths(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b'\xef\xbb\xbfquestion,answer\r\n"two\nlines",yes\r\n\r\nonly one field\r\n'
                     b'a,b,c\r\nlast,row\r\n')
    items, reader = read(path, "csv")
    assert good(items) == [(2, {"question": "two\nlines", "answer": "yes"}),
                           (7, {"question": "last", "answer": "row"})]
    assert bad(items) == [(5, "1 fields where the header has 2"),
                          (6, "3 fields where the header has 2")]
    assert reader.complete


def test_csv_rows_that_are_not_utf8_are_reported_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"question,answer\nq,a\n" + b"caf\xe9,x\n" * 3 + "caf\u00e9,y\n".encode())
    items, reader = read(path, "csv")
    assert good(items) == [(2, {"question": "q", "answer": "a"}),
                           (6, {"question": "caf\u00e9", "answer": "y"})]
    assert bad(items) == [(3, "not valid UTF-8"), (4, "not valid UTF-8"), (5, "not valid UTF-8")]
    assert reader.complete


# -- Parquet ----------------------------------------------------------------------------------


def test_parquet_rows_with_nested_fields(tmp_path: Path) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    rows = [{"conversation": [{"text": f"q{n}"}, {"text": f"a{n}"}], "label": f"l{n}"}
            for n in range(5000)]
    path = tmp_path / "a.parquet"
    parquet.write_table(pyarrow.Table.from_pylist(rows), path, row_group_size=1000)
    items, reader = read(path, "parquet")
    assert items == [(n + 1, row) for n, row in enumerate(rows)]
    assert reader.unit == "row"
    path.write_bytes(b"PAR1 not really parquet")
    items, reader = read(path, "parquet")
    assert len(items) == 1 and items[0][1].reason.startswith("cannot be read as Parquet: ")
    assert not reader.complete


def test_guessed_formats() -> None:
    assert [guess_format(name) for name in
            ("a.jsonl", "B.JSONL", "a.ndjson", "a.json", "a.csv", "a.parquet", "a.txt", "jsonl")
            ] == ["jsonl", "jsonl", "jsonl", "json", "csv", "parquet", None, None]


# -- layouts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("record", "expected"), [
    ({"messages": [{"role": "system", "content": "be kind"}, {"role": "user", "content": "hi"},
                   {"role": "assistant", "content": "hello"}]}, ("hi", "hello")),
    ({"messages": [{"role": "user", "content": "one"}, {"role": "assistant", "content": "x"},
                   {"role": "user", "content": [{"type": "text", "text": "two"},
                                                {"type": "image_url", "image_url": {}}]}]},
     ("one\ntwo", None)),
    ({"instruction": "Translate", "input": "chat", "output": "cat"}, ("Translate\nchat", "cat")),
    ({"instruction": "Say hi", "input": "", "output": "hi"}, ("Say hi", "hi")),
    ({"prompt": "2+2=", "completion": 4}, ("2+2=", "4")),
    ({"question": "q", "answer": None}, ("q", None)),
    ({"query": "q", "reference": ["a", "b"]}, ("q", "a\nb")),
    ({"input": "i", "output": "o", "expected_output": "e"}, ("i", "o")),
    ({"input": "i", "expected_output": {"name": "f", "args": {"x": 1}}},
     ("i", '{"args": {"x": 1}, "name": "f"}')),
    ({"text": "no layout"}, (None, None)),
])
def test_recognised_layouts(record: Any, expected: Any) -> None:
    assert layouts.recognise(record) == expected


def test_dotted_paths_override_the_layout() -> None:
    record = {"conv": [{"text": "q"}, {"text": "a"}], "prompt": "p", "completion": "c"}
    assert layouts.extractor("conv.0.text", "conv.-1.text")(record) == ("q", "a")
    assert layouts.extractor("conv.0.text", None)(record) == ("q", "c")
    assert layouts.extractor(None, "conv.7.text")(record) == ("p", None)
    assert layouts.extractor("conv.x.text", "prompt.deeper")(record) == (None, None)


def test_normalise_case_and_every_kind_of_white_space() -> None:
    assert normalise("  How do I\treset my\u00a0PASSWORD?\n") == "how do i reset my password?"
    assert normalise("plain text") == "plain text"
    assert normalise("two  spaces") == "two spaces"
    assert normalise("\u3000") == ""


def test_scan_counts_records_without_input_and_without_output(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"question": "q1", "answer": "a"}\n{"question": "q2"}\n{"other": 1}\n'
                    '{"question": "  ", "answer": "a"}\n{"question": "Q1 ", "answer": "A"}\n')
    handle, identity = safety.open_regular(str(path))
    with handle:
        result = scan(readers.Reader(handle, "jsonl", identity.size, lambda d, t: None),
                      layouts.recognise, "a.jsonl", duplicates=True, index=True)
    facts = result.facts
    assert (facts.records, facts.without_input, facts.unlabeled, facts.duplicates) == (5, 2, 1, 1)
    assert facts.first_unlabeled == (2,) and facts.first_duplicates == ((5, 1),)
    assert result.inputs is not None and sorted(v for v in result.inputs.values()) == [[1, 2],
                                                                                      [2, 1]]


# -- safety -----------------------------------------------------------------------------------


def test_paths_leaving_the_root_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (tmp_path / "secret.jsonl").write_text("{}\n")
    with pytest.raises(safety.Refused, match="leads outside the project root"):
        safety.resolve(str(root), "../secret.jsonl", str(root))
    with pytest.raises(safety.Refused, match="absolute path"):
        safety.resolve(str(root), str(tmp_path / "secret.jsonl"), str(root))
    if hasattr(os, "symlink"):
        os.symlink(tmp_path / "secret.jsonl", root / "data" / "link.jsonl")
        with pytest.raises(safety.Refused, match="leads outside the project root"):
            safety.resolve(str(root), "data/link.jsonl", str(root))
    assert safety.resolve(str(root), "data/../data/x", str(root)) == \
        os.path.realpath(root / "data" / "x")


def test_devices_and_missing_files_are_refused_before_opening(tmp_path: Path) -> None:
    with pytest.raises(safety.Refused) as missing:
        safety.open_regular(str(tmp_path / "nothing"))
    assert missing.value.missing and missing.value.reason == "does not exist"
    if os.path.exists("/dev/null"):
        with pytest.raises(safety.Refused, match="is a device, not a regular file"):
            safety.open_regular("/dev/null")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        with pytest.raises(safety.Refused, match="named pipe"):
            safety.open_regular(str(tmp_path / "pipe"))
