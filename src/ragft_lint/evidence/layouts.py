"""Where a record keeps what the model is given (its input) and what it should answer.

Without configuration the common layouts are recognised, in this order:

- chat ``messages``: the user turns are the input, the final turn the output when the
  assistant speaks it (a record that ends on a user turn has no expected output);
- ``instruction`` (with an optional ``input`` appended) / ``output``;
- ``prompt`` / ``completion``;
- ``question`` / ``answer``;
- ``query`` / ``reference``;
- ``input`` / ``output``, or ``input`` / ``expected_output``.

An evidence file's ``input`` and ``output`` settings name the fields instead, as dotted paths
into the record (``conversation.0.text``; a number indexes a list, ``-1`` is its last item).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

Path = Tuple[str, ...]
Pair = Tuple[Optional[str], Optional[str]]
Extract = Callable[[Dict[str, Any]], Pair]

# Layouts other than chat and instruction: (input key, output keys), tried in this order.
_PAIRS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("prompt", ("completion",)),
    ("question", ("answer",)),
    ("query", ("reference",)),
    ("input", ("output", "expected_output")),
)


def text_of(value: Any) -> Optional[str]:
    """The text of a field: strings as they are, parts of a message joined, numbers written."""
    kind = value.__class__
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return None
    if kind is list:
        parts = [_part(part) for part in value]
        joined = "\n".join(part for part in parts if part)
        return joined or None
    if kind is dict:
        text = _part(value)
        if text is not None:
            return text
        import json

        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _part(value: Any) -> Optional[str]:
    """The text of one part of a message: a string, or a part such as ``{"type": "text",
    "text": ...}``; parts that hold no text (an image, a tool call) have none."""
    if value.__class__ is dict:
        for key in ("text", "content", "value"):
            if key in value:
                return text_of(value[key])
        return None
    return text_of(value)


def dig(record: Any, path: Path) -> Any:
    """The value at a dotted path inside a record, or None where the path leads nowhere."""
    node = record
    for part in path:
        if isinstance(node, dict):
            if part not in node:
                return None
            node = node[part]
        elif isinstance(node, list):
            try:
                node = node[int(part)]
            except (ValueError, IndexError):
                return None
        else:
            return None
    return node


def recognise(record: Dict[str, Any]) -> Pair:
    """The input and expected output of a record in one of the common layouts."""
    messages = record.get("messages")
    if messages.__class__ is list:
        return _chat(messages)
    if "instruction" in record:
        instruction = text_of(record["instruction"])
        extra = text_of(record.get("input"))
        given = f"{instruction}\n{extra}" if instruction and extra else instruction or extra
        return given, text_of(record.get("output"))
    for given, answers in _PAIRS:
        if given in record:
            for answer in answers:
                if answer in record:
                    return text_of(record[given]), text_of(record[answer])
            return text_of(record[given]), None
    return None, None


def _chat(messages: List[Any]) -> Pair:
    users = [m.get("content") for m in messages
             if m.__class__ is dict and m.get("role") == "user"]
    given: Optional[str]
    if len(users) == 1 and users[0].__class__ is str:  # the usual case, once per record
        given = users[0]
    else:
        given = "\n".join(u for u in map(text_of, users) if u) or None
    last = messages[-1] if messages else None
    answer = None
    if last.__class__ is dict and last.get("role") == "assistant":
        answer = last.get("content")
        if answer.__class__ is not str:
            answer = text_of(answer)
    return given, answer


def extractor(input_path: Optional[str], output_path: Optional[str]) -> Extract:
    """The function that takes input and output out of a record, for these settings."""
    if input_path is None and output_path is None:
        return recognise
    given_path = tuple(input_path.split(".")) if input_path else None
    answer_path = tuple(output_path.split(".")) if output_path else None

    def extract(record: Dict[str, Any]) -> Pair:
        given, answer = recognise(record) if given_path is None or answer_path is None \
            else (None, None)
        if given_path is not None:
            given = text_of(dig(record, given_path))
        if answer_path is not None:
            answer = text_of(dig(record, answer_path))
        return given, answer

    return extract
