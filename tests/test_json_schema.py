"""``ragft-lint schema`` and the ``validate_pyproject.tool_schema`` entry point, checked with a
real JSON Schema validator and a real ``validate-pyproject`` run, against the loader's verdicts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import yaml
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

import ragft_lint
from helpers import require_file
from ragft_lint.cli import main
from ragft_lint.errors import DeclarationError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
INVALID = HERE / "invalid"
SPEC = HERE.parents[1] / "shared" / "spec" / "declaration.md"


class _AsEditorsSee(yaml.SafeLoader):
    """YAML as an editor's language server sees it: dates stay strings (YAML 1.2 has none)."""


_AsEditorsSee.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers
            if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=_AsEditorsSee)  # a SafeLoader: no object is built


@pytest.fixture(scope="module")
def schema() -> Dict[str, Any]:
    import contextlib
    import io
    import os
    import tempfile

    out = io.StringIO()
    # Outside any project, so no declaration can change what is printed.
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(out):
        previous = os.getcwd()
        os.chdir(folder)
        try:
            assert main(["schema"]) == 0
        finally:
            os.chdir(previous)
    loaded: Dict[str, Any] = json.loads(out.getvalue())
    return loaded


@pytest.fixture(scope="module")
def validator(schema: Dict[str, Any]) -> Draft7Validator:
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _errors(validator: Draft7Validator, instance: Any) -> List[str]:
    return sorted(f"{_dotted(e.absolute_path)}: {e.message}"
                  for e in validator.iter_errors(instance))


def _dotted(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _loader_problems(tmp_path: Path, name: str, text: str) -> List[str]:
    folder = tmp_path / f"loader-{len(list(tmp_path.iterdir()))}"
    (folder / ".git").mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    try:
        ragft_lint.check(folder / name, evidence=False)
    except DeclarationError as exc:
        return [p.message for p in exc.problems]
    return []


def _spec_block(language: str) -> str:
    text = SPEC.read_text(encoding="utf-8")
    blocks = re.findall(rf"```{language}\n(.*?)```", text, re.S)
    assert blocks, f"no {language} block in {SPEC}"
    return str(blocks[0])


# The schema document -------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_07_schema(schema: Dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert validator_for(schema) is Draft7Validator
    Draft7Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    system = schema["properties"]["systems"]["additionalProperties"]
    assert system["required"] == ["architecture"]
    assert system["properties"]["architecture"]["enum"] == ["prompt", "rag", "fine-tune",
                                                            "hybrid"]


def test_the_command_prints_the_same_schema_as_a_process(schema: Dict[str, Any],
                                                          tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ragft_lint", "schema"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == schema


def test_the_entry_point_gives_the_printed_schema(schema: Dict[str, Any]) -> None:
    from ragft_lint.json_schema import tool_schema

    assert tool_schema() == schema
    assert tool_schema("ragft-lint") == schema
    json.dumps(tool_schema())  # plain JSON data, as validate-pyproject needs


def _keys(node: Dict[str, Any], where: str = "") -> List[Tuple[str, bool]]:
    """Every key the schema describes, by dotted path (``<name>`` for a key the user names),
    and whether it has a description."""
    found: List[Tuple[str, bool]] = []
    for key, sub in node.get("properties", {}).items():
        path = f"{where}.{key}" if where else key
        found.append((path, bool(sub.get("description"))))
        found.extend(_keys(sub, path))
    if isinstance(node.get("additionalProperties"), dict):
        found.extend(_keys(node["additionalProperties"], f"{where}.<name>"))
    for sub in node.get("patternProperties", {}).values():
        found.extend(_keys(sub, f"{where}.<name>"))
    for combination in ("oneOf", "anyOf", "allOf"):
        for choice in node.get(combination, []):
            found.extend(_keys(choice, where))
    items = node.get("items")
    for item in items if isinstance(items, list) else [items] if isinstance(items, dict) else []:
        found.extend(_keys(item, f"{where}[]"))
    return found


def test_every_key_has_a_description() -> None:
    from ragft_lint.json_schema import declaration_schema

    keys = _keys(declaration_schema())  # the built-in format: a plugin describes its own keys
    assert "systems.<name>.eval.target_score" in dict(keys)
    assert "systems.<name>.fine_tune.training_data.format" in dict(keys)
    # The keys once found without one, among them those named in the issue that asked for this.
    for path in ("eval.created_at", "fine_tune.base_model", "rag.retrieval_eval.precision_at_5",
                 "waivers.<name>.expires", "waivers.<name>.reason"):
        assert f"systems.<name>.{path}" in dict(keys), path
    assert [path for path, described in keys if not described] == []


# What the schema accepts ----------------------------------------------------------------------


def test_the_complete_example_of_the_format_is_valid(validator: Draft7Validator,
                                                     tmp_path: Path) -> None:
    require_file(SPEC, "the format's specification")
    text = _spec_block("yaml")
    assert "retrieval_eval:" in text and "waivers:" in text  # the complete one
    assert _errors(validator, _yaml(text)) == []
    assert _loader_problems(tmp_path, "ragft.yaml", text) == []  # the loader agrees


def test_the_pyproject_example_of_the_format_is_valid(validator: Draft7Validator) -> None:
    require_file(SPEC, "the format's specification")
    table = tomllib.loads(_spec_block("toml"))["tool"]["ragft-lint"]
    assert _errors(validator, table) == []


def _shipped_examples() -> List[Tuple[str, Any]]:
    found: List[Tuple[str, Any]] = []
    for path in sorted(EXAMPLES.rglob("*")):
        name = str(path.relative_to(EXAMPLES))
        if path.name in ("ragft.yaml", "ragft.yml", ".ragft.yaml", ".ragft.yml"):
            found.append((name, _yaml(path.read_text(encoding="utf-8"))))
        elif path.name == "pyproject.toml":
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
            if "ragft-lint" in table:
                found.append((name, table["ragft-lint"]))
    return found


SHIPPED = _shipped_examples()


def test_examples_are_shipped() -> None:
    names = [name for name, _ in SHIPPED]
    assert "support-bot/ragft.yaml" in names and "pyproject/pyproject.toml" in names


@pytest.mark.parametrize("name, data", SHIPPED, ids=[name for name, _ in SHIPPED])
def test_every_shipped_example_is_valid(validator: Draft7Validator, name: str,
                                        data: Any) -> None:
    assert _errors(validator, data) == []


def test_toml_dates_pass_and_date_strings_are_checked(validator: Draft7Validator) -> None:
    table = tomllib.loads(textwrap.dedent("""\
        [systems.bot]
        architecture = "fine-tune"
        [systems.bot.fine_tune]
        base_model_date = 2024-07-23
        trained_at = "2026-05-02"
        """))
    assert _errors(validator, table) == []
    table["systems"]["bot"]["fine_tune"]["trained_at"] = "2026-02-30"
    assert _errors(validator, table) == [
        "systems.bot.fine_tune.trained_at: '2026-02-30' is not a 'date'"]


@pytest.mark.parametrize("value", ["5", "true", "[2026]", "null"])
def test_a_date_that_is_not_a_string_is_rejected(validator: Draft7Validator, tmp_path: Path,
                                                 value: str) -> None:
    text = ("systems:\n  bot:\n    architecture: fine-tune\n"
            f"    fine_tune: {{trained_at: {value}}}\n")
    assert _loader_problems(tmp_path, "ragft.yaml", text)
    assert _errors(validator, _yaml(text))


# What the schema rejects, as the loader does ---------------------------------------------------

VALID = """\
fail_on: warning
systems:
  bot:
    architecture: hybrid
    prompt: {baseline_score: 0.7}
    waivers:
      RG001: {reason: "no room for a reranker", expires: 2027-01-31}
"""

MISTAKES = {
    "unknown key": ("    prompt: {baseline_score: 0.7}\n",
                    "    prompt: {baseline_score: 0.7}\n    promt: {few_shot_examples: 3}\n",
                    "systems.bot: Additional properties are not allowed ('promt' was "
                    "unexpected)"),
    "unknown top-level key": ("fail_on: warning\n", "fail-on: warning\n",
                              ": Additional properties are not allowed ('fail-on' was "
                              "unexpected)"),
    "wrong enum word": ("architecture: hybrid", "architecture: hybird",
                        "systems.bot.architecture: 'hybird' is not one of ['prompt', 'rag', "
                        "'fine-tune', 'hybrid']"),
    "score above 1": ("baseline_score: 0.7", "baseline_score: 1.2",
                      "systems.bot.prompt.baseline_score: 1.2 is greater than the maximum of 1"),
    "waiver without reason": ('{reason: "no room for a reranker", expires: 2027-01-31}',
                              "{expires: 2027-01-31}",
                              "systems.bot.waivers.RG001: 'reason' is a required property"),
    "missing architecture": ("    architecture: hybrid\n", "",
                             "systems.bot: 'architecture' is a required property"),
    "bad date": ("2027-01-31", "2027-13-01",
                 "systems.bot.waivers.RG001.expires: '2027-13-01' is not a 'date'"),
    "bad waiver id": ("RG001:", "RG01:", "systems.bot.waivers: 'RG01' does not match "
                                         "'^[A-Z]{2,4}[0-9]{3}$'"),
}


def test_the_valid_base_is_valid(validator: Draft7Validator, tmp_path: Path) -> None:
    assert _errors(validator, _yaml(VALID)) == []
    assert _loader_problems(tmp_path, "ragft.yaml", VALID) == []


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_typical_mistakes_are_rejected_by_both(validator: Draft7Validator, tmp_path: Path,
                                               mistake: str) -> None:
    old, new, error = MISTAKES[mistake]
    assert VALID.count(old) == 1
    text = VALID.replace(old, new)
    errors = _errors(validator, _yaml(text))
    assert error in errors, errors
    assert len(errors) == 1, errors
    assert _loader_problems(tmp_path, "ragft.yaml", text)


# Agreement with the loader over the collection of invalid declarations -------------------------

# Problems no JSON Schema can see: the syntax of the file, or facts beyond one value.
NOT_SCHEMA = ("duplicate key", "invalid YAML", "invalid TOML", "more than one YAML document",
              "is not allowed in a declaration", "expands to more than", "two declarations",
              "unknown rule", "leads outside the project root", "is an absolute path")
# Problems located at the mapping that holds the key the message names.
AT_PARENT = ("unknown key", "is not a rule id")
KEY = re.compile(r"^[A-Za-z_][\w\-]*(?:\.[\w\-]+|\[\d+\])*$")


def _problem(line: str) -> Tuple[str, str]:
    """(dotted key, message) of an expected error line; the key is '' for the whole file."""
    rest = line.split(": ", 1)[1]
    head, _, message = rest.partition(": ")
    return (head, message) if message and KEY.match(head) else ("", rest)


def _parent(key: str) -> str:
    cut = max(key.rfind("."), key.rfind("["))
    return key[:cut] if cut > 0 else ""


def _cases() -> List[Tuple[str, Path, List[str]]]:
    cases = []
    for folder in sorted(p for p in INVALID.iterdir() if p.is_dir()):
        expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
        files = [p for p in folder.iterdir() if p.name != "expected.txt"]
        if len(files) != 1:
            continue  # a discovery problem, not a document's
        if all(any(word in line for word in NOT_SCHEMA) for line in expected):
            continue
        cases.append((folder.name, files[0], expected))
    return cases


CASES = _cases()


def _document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return tomllib.loads(text)["tool"]["ragft-lint"]
    return _yaml(text)


def test_the_collection_has_schema_cases() -> None:
    assert len(CASES) >= 8
    assert {"enum-near-miss", "wrong-types", "waivers", "unknown-keys"} <= {c[0] for c in CASES}


@pytest.mark.parametrize("name, path, expected", CASES, ids=[c[0] for c in CASES])
def test_the_schema_rejects_what_the_loader_rejects(validator: Draft7Validator, name: str,
                                                    path: Path, expected: List[str]) -> None:
    errors = list(validator.iter_errors(_document(path)))
    assert errors
    places = [(_dotted(e.absolute_path), e.validator) for e in errors]
    missed = []
    for line in expected:
        if any(word in line for word in NOT_SCHEMA):
            continue
        key, message = _problem(line)
        wanted: Optional[str] = key
        if any(word in message for word in AT_PARENT):
            wanted = _parent(key)
        if not any(place == wanted or (key and place.startswith(key + "."))
                   for place, _ in places):
            missed.append(line)
    assert missed == [], f"the schema accepts what the loader rejects: {missed}; {places}"


# validate-pyproject, for real -----------------------------------------------------------------


def _installed_tool_schema() -> bool:
    try:
        found = metadata.entry_points(group="validate_pyproject.tool_schema")
    except TypeError:  # Python 3.9: a mapping of groups
        found = metadata.entry_points().get("validate_pyproject.tool_schema", [])  # type: ignore
    return any(ep.name == "ragft-lint" for ep in found)


VALIDATE_PYPROJECT = Path(sys.executable).parent / (
    "validate-pyproject.exe" if sys.platform == "win32" else "validate-pyproject")
needs_validate_pyproject = pytest.mark.skipif(
    not (_installed_tool_schema() and VALIDATE_PYPROJECT.exists()),
    reason="validate-pyproject, or ragft-lint's validate_pyproject.tool_schema entry point, "
           "is not installed in this environment (pip install -e '.[test]')")

PYPROJECT = """\
[project]
name = "pricing-assistant"
version = "1.0.0"

[tool.ragft-lint]
fail_on = "warning"
select = ["KN", "EV"]

[tool.ragft-lint.systems.support-bot]
architecture = "hybrid"
gaps = ["knowledge", "behavior"]

[tool.ragft-lint.systems.support-bot.fine_tune]
goals = ["style"]
base_model_date = 2024-07-23
trained_at = "2026-05-02"
score = 0.9

[tool.ragft-lint.systems.support-bot.waivers.RG001]
reason = "latency budget of 40 ms"
expires = 2027-01-31
"""


def _validate_pyproject(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return subprocess.run([str(VALIDATE_PYPROJECT), "pyproject.toml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


@needs_validate_pyproject
def test_validate_pyproject_accepts_a_valid_table(tmp_path: Path) -> None:
    result = _validate_pyproject(tmp_path, PYPROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid file" in result.stdout + result.stderr


@needs_validate_pyproject
def test_validate_pyproject_names_the_wrong_key(tmp_path: Path) -> None:
    result = _validate_pyproject(tmp_path, PYPROJECT.replace('"hybrid"', '"hybird"'))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "tool.ragft-lint.systems.support-bot.architecture" in output
    assert "hybrid" in output


@needs_validate_pyproject
def test_validate_pyproject_rejects_an_unknown_key_and_a_bad_date(tmp_path: Path) -> None:
    result = _validate_pyproject(tmp_path, PYPROJECT.replace('fail_on = "warning"',
                                                             'fail-on = "warning"'))
    assert result.returncode != 0
    assert "fail-on" in result.stdout + result.stderr
    # Not a date in any reading (how strictly "2026-02-30" is checked depends on the version).
    result = _validate_pyproject(tmp_path, PYPROJECT.replace('"2026-05-02"', '"last week"'))
    assert result.returncode != 0
    assert "tool.ragft-lint.systems.support-bot.fine_tune.trained_at" in (
        result.stdout + result.stderr)


@needs_validate_pyproject
def test_validate_pyproject_leaves_other_projects_alone(tmp_path: Path) -> None:
    result = _validate_pyproject(tmp_path, '[project]\nname = "x"\nversion = "1"\n')
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_empty_table_is_accepted_as_the_loader_accepts_it(validator: Draft7Validator,
                                                              tmp_path: Path) -> None:
    text = "systems:\n  bot:\n    architecture: rag\n    knowledge:\n    rag:\n"
    assert not _loader_problems(tmp_path, "ragft.yaml", text)
    assert _errors(validator, _yaml(text)) == []
