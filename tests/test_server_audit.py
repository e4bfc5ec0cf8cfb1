"""The language server against ``check`` and ``decide`` where an audit found them apart: plugin
failures, position encodings, code actions that must not read the evidence, the architecture's
hover, definitions on quoted paths, and ``exit`` without ``shutdown``. Driven as an editor
drives it (pytest-lsp, over stdio), as in ``test_server``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import AsyncIterator, Dict, List, Optional, Sequence, Tuple

import pytest

pytest_lsp = pytest.importorskip(
    "pytest_lsp", reason="pytest-lsp (and with it the server's tests) needs Python 3.10 or later")

from lsprotocol import types  # noqa: E402
from pygls.uris import to_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from ragft_lint.cli import main  # noqa: E402
from ragft_lint.decide.open_sets import spoken  # noqa: E402
from ragft_lint.host import DISABLE_AUTOLOAD  # noqa: E402
from test_host import make_distribution  # noqa: E402
from test_server import (  # noqa: E402
    DECLARATION,
    SERVER,
    check_json,
    codes,
    diagnostics,
    hover_text,
    open_file,
    records,
    served,
)
from test_server import project as shared_project  # noqa: E402

project = shared_project  # the project of ``test_server``: a declaration, 3 eval records


FAILING = """\
    from ragft_lint import Severity, hookimpl, rule

    @rule("ORG001", "boom", Severity.WARNING)
    def boom(system, context):
        '''Always fails.

        Why: to see a failure told.
        Fix: none.
        '''
        raise RuntimeError("boom")

    @hookimpl
    def ragft_lint_rules():
        return [boom]
"""

BROKEN = """\
    from ragft_lint import hookimpl

    @hookimpl
    def ragft_lint_rules():
        raise RuntimeError("no rules today")
"""


@pytest.mark.asyncio
async def test_plugin_failures_are_errors_at_the_top_as_check_names_them(
        project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    make_distribution(site, "org-boom", "1.0", {"boom": "org_boom"}, {"org_boom": FAILING})
    make_distribution(site, "org-broken", "2.0", {"broken": "org_broken"},
                      {"org_broken": BROKEN})
    env = {k: v for k, v in os.environ.items() if k != DISABLE_AUTOLOAD}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    said = subprocess.run([sys.executable, "-m", "ragft_lint", "check", "ragft.yaml"],
                          cwd=project, env=env, capture_output=True, text=True)
    assert said.returncode == 3
    told = sorted(line.removeprefix("ragft-lint: ") for line in said.stderr.splitlines()
                  if line.startswith("ragft-lint: plugin "))
    assert len(told) == 2, told
    assert any(t.endswith("rule ORG001 raised RuntimeError: boom") for t in told), told

    def failures(found: Sequence[types.Diagnostic]) -> List[Tuple[object, ...]]:
        return sorted((d.message, d.severity, d.source, d.range.start.line,
                       d.range.start.character) for d in found
                      if d.message.startswith("plugin "))

    wanted = [(message, types.DiagnosticSeverity.Error, "ragft-lint", 0, 0) for message in told]
    async with served(project, env) as client:
        uri = open_file(client, project / "ragft.yaml")
        declared = await diagnostics(client, uri, lambda d: "RG001" in codes(d))
        measured = await diagnostics(client, uri, lambda d: "DA002" in codes(d))
        # A declaration with a problem still tells the plugin that failed to load.
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(
                text=DECLARATION.replace("weekly", "weekley"))]))
        broken = await diagnostics(client, uri, lambda d: "RG001" not in codes(d))
    assert failures(declared) == wanted
    assert failures(measured) == wanted
    assert failures(broken) == [w for w in wanted if "no rules today" in str(w[0])]


# -- positions in the encoding the server chose ------------------------------------------------

WIDE = DECLARATION.replace("    eval:\n      path: evals/support.jsonl\n      examples: 5\n",
                           '    eval: {path: "evals/sü😀pport.jsonl", examples: 5}\n')


def units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def index_of(text: str, at: types.Position, encoding: str) -> int:
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[:at.line])
    row = lines[at.line] if at.line < len(lines) else ""
    for column in range(len(row) + 1):
        if units(row[:column], encoding) >= at.character:
            return start + column
    return start + len(row)


@contextlib.asynccontextmanager
async def offering(root: Path, encodings: List[str]
                   ) -> AsyncIterator[Tuple[LanguageClient, str]]:
    """A client that offers ``encodings``, and the encoding the server chose."""
    capabilities = client_capabilities("visual-studio-code")
    if capabilities.general is None:
        capabilities.general = types.GeneralClientCapabilities()
    capabilities.general.position_encodings = encodings
    client = await ClientServerConfig(server_command=SERVER).start()
    assert isinstance(client, LanguageClient)
    try:
        answer = await client.initialize_session(types.InitializeParams(
            capabilities=capabilities, root_uri=root.as_uri()))
        yield client, answer.capabilities.position_encoding or types.PositionEncodingKind.Utf16
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_positions_are_counted_in_the_encoding_the_server_chose(project: Path,
                                                                       capsys) -> None:
    (project / "evals" / "support.jsonl").rename(project / "evals" / "sü😀pport.jsonl")
    (project / "ragft.yaml").write_text(WIDE, encoding="utf-8")
    lines = WIDE.split("\n")
    findings = check_json(capsys=capsys)
    async with offering(project, ["utf-8", "utf-16"]) as (client, encoding):
        uri = open_file(client, project / "ragft.yaml")
        found = await diagnostics(client, uri, lambda d: "DA002" in codes(d))
        da002 = next(d for d in found if d.code == "DA002")
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=da002.range,
            context=types.CodeActionContext(diagnostics=[da002])))
        line = next(n for n, row in enumerate(lines) if "pport.jsonl" in row)
        inside = lines[line].index("pport.jsonl") + 3  # after the wide characters
        target = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line,
                                    character=units(lines[line][:inside], encoding))))
    assert encoding in ("utf-8", "utf-16", "utf-32")
    wanted = sorted((f["rule"], f["line"] - 1,
                     units(lines[f["line"] - 1][:f["column"] - 1], encoding))
                    for f in findings if not f["waived"])
    assert sorted((d.code, d.range.start.line, d.range.start.character) for d in found
                  if d.code) == wanted
    assert any(f["rule"] == "DA002" and f["line"] == line + 1 for f in findings)
    assert actions is not None
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and "DA002" in a.title)
    assert fix.edit is not None and fix.edit.changes is not None
    after = WIDE
    for edit in sorted(fix.edit.changes[uri], reverse=True,
                       key=lambda e: (e.range.start.line, e.range.start.character)):
        after = after[:index_of(after, edit.range.start, encoding)] + edit.new_text + \
            after[index_of(after, edit.range.end, encoding):]
    assert main(["check", "--fix", "ragft.yaml"]) in (0, 1)
    assert (project / "ragft.yaml").read_bytes() == after.encode("utf-8") != WIDE.encode()
    assert isinstance(target, types.Location) and target.uri.endswith("pport.jsonl")


# -- code actions read no evidence -------------------------------------------------------------


@pytest.mark.asyncio
async def test_code_actions_come_from_the_run_shown_and_read_no_evidence(project: Path) -> None:
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        found = await diagnostics(client, uri, lambda d: "DA002" in codes(d))
        da002 = next(d for d in found if d.code == "DA002")
        # The file changes behind the server's back: a code action that read it (in the
        # message loop, ahead of the user's typing) would count 4, not the 3 shown.
        (project / "evals" / "support.jsonl").write_text(records(4))
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=da002.range,
            context=types.CodeActionContext(diagnostics=[da002])))
    assert "holds 3 records" in da002.message
    assert actions is not None
    [fix] = [a for a in actions if isinstance(a, types.CodeAction)
             and a.title.startswith("Fix DA002")]
    assert fix.title.endswith("eval.examples 5 -> 3 (bot)"), fix.title


# -- the architecture's hover says what decide says --------------------------------------------

TONE = """\
systems:
  tone-bot:
    architecture: fine-tune
    gaps: [behavior]
    fine_tune:
      goals: [style]
      trained_at: 2026-05-02
"""


@pytest.mark.asyncio
@pytest.mark.parametrize("text, line, measured", [(DECLARATION, 4, "DA002"), (TONE, 2, "")])
async def test_architecture_hover_shows_decides_open_sets(project: Path, capsys, text: str,
                                                          line: int, measured: str) -> None:
    (project / "ragft.yaml").write_text(text)
    capsys.readouterr()
    main(["decide", "--format", "json"])
    [decided] = json.loads(capsys.readouterr().out)["systems"].values()
    main(["decide"])
    tree = capsys.readouterr().out.splitlines()
    consensus = next(row.split("consensus: ", 1)[1] for row in tree
                     if row.startswith("  consensus: "))
    agreement = next(row.strip() for row in tree if row.startswith("  declared "))
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        # The measured run (TONE points to no evidence: the declared one is the same)
        await diagnostics(client, uri, lambda d: len(d) > 0 and measured in codes(d) + [""])
        said = await hover_text(client, uri, line, 6)
    assert f"- open: {spoken(decided['open'])}\n" in said + "\n", said
    assert f"- consensus: {consensus}\n" in said, said
    assert agreement in said, said
    for framework in decided["frameworks"].values():
        if framework["verdict"] == "undecided":
            assert f": undecided (open: {spoken(framework['open'])})" in said, said


# -- go to definition on quoted paths ----------------------------------------------------------


@pytest.mark.asyncio
async def test_definition_on_quoted_paths(project: Path) -> None:
    (project / "evals" / "my support.jsonl").write_text("{}\n")
    (project / "evals" / "it's.jsonl").write_text("{}\n")
    text = DECLARATION.replace("path: evals/support.jsonl", 'path: "evals/my support.jsonl"') \
        + "    fine_tune:\n      training_data: 'evals/it''s.jsonl'\n"
    (project / "pyproject.toml").write_text(
        '[tool.ragft-lint.systems.bot]\narchitecture = "rag"\n'
        "[tool.ragft-lint.systems.bot.eval]\npath = 'evals/my support.jsonl'\n")
    lines = text.split("\n")
    places: Dict[str, Tuple[Path, int, int]] = {
        "double": (project / "ragft.yaml", 9, lines[9].index("support")),
        "quote": (project / "ragft.yaml", 12, lines[12].index("'s.") + 1),
        "opening quote": (project / "ragft.yaml", 12, lines[12].index("'")),
        "toml": (project / "pyproject.toml", 3, 14),
    }
    got: Dict[str, Optional[str]] = {}
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml", text)
        other = open_file(client, project / "pyproject.toml", language="toml")
        for name, (path, line, character) in places.items():
            found = await client.text_document_definition_async(types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(
                    uri=uri if path.name == "ragft.yaml" else other),
                position=types.Position(line=line, character=character)))
            got[name] = Path(to_fs_path(found.uri) or "").name \
                if isinstance(found, types.Location) else None
    assert got == {"double": "my support.jsonl", "quote": "it's.jsonl",
                   "opening quote": "it's.jsonl", "toml": "my support.jsonl"}


# -- exit ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_exit_without_shutdown_ends_with_status_1(project: Path) -> None:
    client = await ClientServerConfig(server_command=SERVER).start()
    assert isinstance(client, LanguageClient)
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim"), root_uri=project.as_uri()))
    open_file(client, project / "ragft.yaml")
    client.exit(None)
    server = client._server
    assert server is not None
    assert await asyncio.wait_for(server.wait(), 20) == 1
    await client.stop()
