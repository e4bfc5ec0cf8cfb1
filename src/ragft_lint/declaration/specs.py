"""The building blocks of the declaration format: one node type per kind of value.

Each node is a ``Spec``. ``check`` validates a parsed value against it (collecting every
problem, never stopping at the first) and returns the normalised value; ``json_schema``
describes the same node for editors and validators, so the two cannot disagree. The format
itself is assembled from these in ``schema``; plugins use them through ``ragft_lint.spec``.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict, Optional, Sequence

from ..suggest import hint
from .document import KeyPath

# Called for every problem: (path of the value, message, at_key) -- at_key points at the key
# rather than at the value, for problems with the key itself.
Complain = Callable[[KeyPath, str, bool], None]

EVIDENCE_FORMATS = ("jsonl", "json", "csv", "parquet")
# The forms of a retrieval run (measured-quality.md, "Retrieval runs").
RETRIEVAL_FORMATS = ("jsonl", "trec", "beir")
# Which judged queries a retrieval figure averages: those in the run too (trec_eval's default),
# or all of them, the ones missing from the run as 0 (trec_eval -c).
RETRIEVAL_QUERIES = ("judged", "all")


class Words:
    """The user's words for containers: TOML says table and array, YAML mapping and list."""

    def __init__(self, fmt: str) -> None:
        self.table = "table" if fmt == "toml" else "mapping"
        self.array = "array" if fmt == "toml" else "list"


def describe(value: Any, words: Words) -> str:
    """Say what a value is, in the user's terms, for 'found ...' in messages."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"a {words.table}"
    if isinstance(value, list):
        return f"an {words.array}" if words.array == "array" else f"a {words.array}"
    if isinstance(value, datetime.datetime):
        return f"the date-time {value.isoformat()}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, datetime.time):
        return f"the time {value.isoformat()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, int):
        text = str(value) if value.bit_length() < 200 else "a very large integer"
        return text
    return repr(value)


class Spec:
    """A node of the format."""

    description = ""

    def __init__(self, description: str = "") -> None:
        self.description = description

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def expected(self, words: Words) -> str:
        raise NotImplementedError

    def _wrong(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> None:
        complain(path, f"expected {self.expected(words)}, found {describe(value, words)}", False)

    def _with_doc(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.description:
            schema["description"] = self.description
        return schema


class Str(Spec):
    def expected(self, words: Words) -> str:
        return "a string"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if not isinstance(value, str) or not value:
            self._wrong(value, path, complain, words)
            return None
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": "string", "minLength": 1})


class Bool(Spec):
    def expected(self, words: Words) -> str:
        return "true or false"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if not isinstance(value, bool):  # YAML 1.1's yes/no/on/off are text in YAML 1.2
            meant = {"yes": "true", "y": "true", "on": "true", "no": "false", "n": "false",
                     "off": "false"}.get(value.lower()) if isinstance(value, str) else None
            said = f"; did you mean {meant}?" if meant else ""
            complain(path, f"expected {self.expected(words)}, found {describe(value, words)}{said}",
                     False)
            return None
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": "boolean"})


# The largest count or ratio a declaration may give: the largest whole number a float (and so
# every JSON reader) holds exactly, far beyond any real count; the rules' arithmetic stays finite.
LARGEST = 2 ** 53


class Count(Spec):
    def expected(self, words: Words) -> str:
        return f"a whole number from 0 to {LARGEST}"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LARGEST:
            self._wrong(value, path, complain, words)
            return None
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": "integer", "minimum": 0, "maximum": LARGEST})


class Score(Spec):
    def expected(self, words: Words) -> str:
        return "a number from 0 to 1"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            self._wrong(value, path, complain, words)
            return None
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": "number", "minimum": 0, "maximum": 1})


class Ratio(Spec):
    """A positive number (a share that may exceed 1, such as a context-fit ratio)."""

    def expected(self, words: Words) -> str:
        return f"a number above 0, up to {LARGEST}"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not 0 < value <= LARGEST):
            self._wrong(value, path, complain, words)
            return None
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": "number", "exclusiveMinimum": 0, "maximum": LARGEST})


class Date(Spec):
    def expected(self, words: Words) -> str:
        return "a date (YYYY-MM-DD)"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                pass
        self._wrong(value, path, complain, words)
        return None

    def json_schema(self) -> dict[str, Any]:
        # No "type": a TOML date reaches validators as a date, not a string; "format" still
        # checks the strings YAML and JSON give.
        return self._with_doc({
            "format": "date",
            "not": {"type": ["number", "boolean", "array", "object", "null"]},
        })


class Enum(Spec):
    def __init__(self, words: Sequence[str], description: str = "") -> None:
        self.words = tuple(words)
        self.description = description

    def expected(self, words: Words) -> str:
        return "one of " + ", ".join(self.words)

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if isinstance(value, str) and value in self.words:
            return value
        message = f"expected {self.expected(words)}, found {describe(value, words)}"
        complain(path, message + hint(value, self.words), False)
        return None

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"enum": list(self.words)})


# Words people write for "there is none" where a name or false is expected. Taken as a name
# they would pass for a model called "none"; they are refused, with the word to write instead.
NONE_WORDS = ("none", "no", "off", "null", "false")


class BoolOrStrict(Bool):
    """``true``, ``false``, or ``strict`` (``evidence``: read it, and fail the run on any
    figure that could not be measured)."""

    def expected(self, words: Words) -> str:
        return "true, false or strict"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        return value if value == "strict" else super().check(value, path, complain, words)

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"enum": [True, False, "strict"]})


class StrOrFalse(Spec):
    """A name, or ``false`` to say there is none (e.g. ``reranker``)."""

    def expected(self, words: Words) -> str:
        return "a name or false"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if isinstance(value, str) and value.strip().lower() in NONE_WORDS:
            complain(path, f"{describe(value, words)} would be read as a name; to say there is "
                           "none, write false (unquoted)", False)
            return None
        if value is False or (isinstance(value, str) and value.strip()):
            return value
        if value is None:
            complain(path, f"expected {self.expected(words)}, found an empty value; to say there "
                           "is none, write false", False)
            return None
        self._wrong(value, path, complain, words)
        return None

    def json_schema(self) -> dict[str, Any]:
        # The words for "none" are left out here too, so editors flag them as the linter does.
        words = "|".join("".join(f"[{c.upper()}{c}]" for c in word) for word in NONE_WORDS)
        name = {"type": "string", "minLength": 1, "not": {"pattern": f"^\\s*({words})\\s*$"}}
        return self._with_doc({"oneOf": [name, {"const": False}]})


class List(Spec):
    def __init__(self, item: Spec, description: str = "") -> None:
        self.item = item
        self.description = description

    def expected(self, words: Words) -> str:
        return f"{'an' if words.array == 'array' else 'a'} {words.array} of {self._items(words)}"

    def _items(self, words: Words) -> str:
        if isinstance(self.item, Enum):
            return "words from " + ", ".join(self.item.words)
        return self.item.expected(words).replace("a ", "", 1) + "s"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            self._wrong(value, path, complain, words)
            return None
        out = []
        for index, item in enumerate(value):
            checked = self.item.check(item, path + (index,), complain, words)
            if checked is not None:
                out.append(checked)
        return out

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": "array", "items": self.item.json_schema()})


class Table(Spec):
    """A table with known keys; unknown keys are problems, with a 'did you mean'.

    An empty value (``knowledge:`` with nothing under it in YAML) is an empty table, so the
    JSON Schema of every table allows null as well.
    """

    def __init__(
        self,
        fields: Dict[str, Spec],
        required: Sequence[str] = (),
        description: str = "",
        open_keys: Sequence[str] = (),
    ) -> None:
        self.fields = fields
        self.required = tuple(required)
        self.description = description
        # Keys whose contents belong to someone else (plugins) and are passed on unchecked.
        self.open_keys = tuple(open_keys)

    def expected(self, words: Words) -> str:
        return f"a {words.table}"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self._wrong(value, path, complain, words)
            return None
        out: dict[str, Any] = {}
        for key, item in value.items():
            spec = self.fields.get(key)
            if spec is None:
                if key in self.open_keys:
                    out[key] = item
                    continue
                known = sorted(self.fields)
                complain(
                    path + (key,),
                    f"unknown key {key!r}{hint(key, known) or '; allowed: ' + ', '.join(known)}",
                    True,
                )
                continue
            checked = spec.check(item, path + (key,), complain, words)
            if checked is not None:
                out[key] = checked
        for key in self.required:
            if key not in value:
                complain(path, f"missing required key {key!r}", True)
        return out

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": ["object", "null"],
            "properties": {k: s.json_schema() for k, s in self.fields.items()},
            "additionalProperties": False,
        }
        for key in self.open_keys:
            schema["properties"].setdefault(key, {})
        if self.required:
            schema["required"] = list(self.required)
        return self._with_doc(schema)


class Map(Spec):
    """A table whose keys the user chooses (system names, rule ids)."""

    def __init__(
        self,
        value: Spec,
        description: str = "",
        key_check: Optional[Callable[[str], Optional[str]]] = None,
        key_pattern: Optional[str] = None,
    ) -> None:
        self.value = value
        self.description = description
        self.key_check = key_check
        self.key_pattern = key_pattern

    def expected(self, words: Words) -> str:
        return f"a {words.table}"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._wrong(value, path, complain, words)
            return None
        out: dict[str, Any] = {}
        for key, item in value.items():
            if self.key_check is not None:
                problem = self.key_check(key)
                if problem:
                    complain(path + (key,), problem, True)
                    continue
            checked = self.value.check(item, path + (key,), complain, words)
            if checked is not None:
                out[key] = checked
        return out

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": ["object", "null"], "additionalProperties": self.value.json_schema()
        }
        if self.key_pattern:
            schema["propertyNames"] = {"pattern": self.key_pattern}
        return self._with_doc(schema)


class AnyTable(Spec):
    """A table passed on unchecked (a plugin's own settings)."""

    def expected(self, words: Words) -> str:
        return f"a {words.table}"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._wrong(value, path, complain, words)
            return None
        return value

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc({"type": ["object", "null"]})


class PluginSettings(Spec):
    """``plugins``: one table per plugin, checked with that plugin's own spec where it has one."""

    def __init__(self, specs: Dict[str, Spec], description: str = "") -> None:
        self.specs = specs
        self.description = description
        self.fallback = AnyTable()

    def expected(self, words: Words) -> str:
        return f"a {words.table}"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._wrong(value, path, complain, words)
            return None
        out: dict[str, Any] = {}
        for key, item in value.items():
            spec = self.specs.get(key, self.fallback)
            checked = spec.check(item, path + (key,), complain, words)
            if checked is not None:
                out[key] = checked
        return out

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": ["object", "null"],
            "properties": {k: s.json_schema() for k, s in sorted(self.specs.items())},
            "additionalProperties": self.fallback.json_schema(),
        }
        return self._with_doc(schema)


class EvidenceFile(Spec):
    """A path to an evidence file, or a table saying how to read it; normalised to a table.

    ``how`` replaces the keys that say how to read the file (by default its format and the
    fields holding the model's input and output), for files that are read another way.
    """

    def __init__(self, description: str = "", how: Optional[Dict[str, Spec]] = None) -> None:
        self.description = description
        fields: Dict[str, Spec] = {"path": Str("the file, relative to the declaring file")}
        fields.update(how if how is not None else {
            "format": Enum(EVIDENCE_FORMATS, "how to read it; guessed from the name"),
            "input": Str("dotted path to the field the model is given"),
            "output": Str("dotted path to the field the model should answer"),
        })
        self.table = Table(fields, required=("path",))

    def expected(self, words: Words) -> str:
        return f"a path or a {words.table} with a path"

    def check(self, value: Any, path: KeyPath, complain: Complain, words: Words) -> Any:
        if isinstance(value, str) and value:
            return {"path": value}
        if isinstance(value, dict):
            checked = self.table.check(value, path, complain, words)
            return checked if checked and "path" in checked else None
        self._wrong(value, path, complain, words)
        return None

    def json_schema(self) -> dict[str, Any]:
        return self._with_doc(
            {"oneOf": [{"type": "string", "minLength": 1}, self.table.json_schema()]}
        )
