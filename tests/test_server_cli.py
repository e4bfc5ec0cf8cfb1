"""``ragft-lint server`` without the ``lsp`` extra: a message that says how to install it, and
exit 2, never a traceback. Runs on every Python (the server's own tests need pytest-lsp)."""

from __future__ import annotations

import sys

import pytest

from ragft_lint.cli import main


@pytest.mark.parametrize("missing", ["pygls", "lsprotocol"])
def test_server_without_the_extra_says_how_to_install_it(missing: str, monkeypatch, capsys
                                                         ) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # an import of it fails, as when absent
    assert main(["server"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'ragft-lint[lsp]'" in err
    assert "Traceback" not in err


def test_server_is_listed_among_the_commands(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "server" in capsys.readouterr().out


def _editor_section() -> str:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## In an editor: `ragft-lint server`")
    return readme[start:readme.index("\n## ", start + 1)]


def _blocks(section: str, language: str) -> list:
    import re

    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def test_the_readmes_editor_set_ups_cover_every_declaration_name() -> None:
    import fnmatch
    import json
    import re

    from ragft_lint.declaration.listing import PYPROJECT, YAML_NAMES

    section = _editor_section()
    [selector] = _blocks(section, "json")
    patterns = []
    for entry in json.loads(selector):  # expand {a,b} as the editor's glob does
        words = [entry["pattern"].replace("**/", "")]
        while any("{" in w for w in words):
            w = next(w for w in words if "{" in w)
            words.remove(w)
            head, rest = w.split("{", 1)
            options, tail = rest.split("}", 1)
            words += [head + option + tail for option in options.split(",")]
        patterns += words
    for name in (*YAML_NAMES, PYPROJECT):
        assert any(fnmatch.fnmatchcase(name, p) for p in patterns), name
    [lua] = _blocks(section, "lua")
    lua_pattern = re.search(r'name:match\("([^"]+)"\)', lua)
    assert lua_pattern is not None
    as_python = lua_pattern.group(1).replace("%.", r"\.")
    assert all(re.match(as_python, name) for name in YAML_NAMES)
    assert '"ragft-lint", "server"' in lua


def test_the_readmes_helix_set_up_is_valid_toml_naming_the_server() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    [helix] = _blocks(_editor_section(), "toml")
    config = tomllib.loads(helix)
    server = config["language-server"]["ragft-lint"]
    assert [server["command"], *server["args"]] == ["ragft-lint", "server"]
    assert {lang["name"] for lang in config["language"]
            if "ragft-lint" in lang["language-servers"]} == {"yaml", "toml"}
