"""The language server, driven as an editor drives it: a real LSP client (pytest-lsp) talking
to ``ragft-lint server`` over stdio, on real files in a temporary project."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, List, Optional, Sequence

import pytest

pytest_lsp = pytest.importorskip(
    "pytest_lsp", reason="pytest-lsp (and with it the server's tests) needs Python 3.10 or later")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from ragft_lint.cli import main  # noqa: E402
from ragft_lint.host import DISABLE_AUTOLOAD  # noqa: E402
from test_host import make_distribution  # noqa: E402

SERVER = [sys.executable, "-m", "ragft_lint", "server"]
WAIT_SECONDS = 20.0

DECLARATION = """\
# the support bot
ignore: [KN002]
systems:
  bot:
    architecture: rag   # retrieval, for now
    baseline_queries: 60
    knowledge:
      changes: weekly
    eval:
      path: evals/support.jsonl
      examples: 5
"""


def records(count: int) -> str:
    return "".join(json.dumps({"input": f"q{i}", "output": f"a{i}"}) + "\n"
                   for i in range(count))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    (folder / "evals").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    (folder / "evals" / "support.jsonl").write_text(records(3))
    (folder / "ragft.yaml").write_text(DECLARATION)
    monkeypatch.chdir(folder)
    return folder


@contextlib.asynccontextmanager
async def served(root: Path, env: Optional[Dict[str, str]] = None,
                 options: Any = None) -> AsyncIterator[LanguageClient]:
    config = ClientServerConfig(server_command=SERVER, server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    try:
        await client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(), initialization_options=options,
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")]))
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


def open_file(client: LanguageClient, path: Path, text: Optional[str] = None,
              language: str = "yaml") -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1,
                                             text=path.read_text() if text is None else text)))
    return uri


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def diagnostics(client: LanguageClient, uri: str,
                      until: Callable[[Sequence[types.Diagnostic]], bool]
                      ) -> Sequence[types.Diagnostic]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = client.diagnostics.get(uri)
        if found is not None and until(found):
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"no diagnostics as expected; the last: {client.diagnostics.get(uri)}")


def codes(found: Sequence[types.Diagnostic]) -> List[Any]:
    return sorted(str(d.code) for d in found)


def check_json(*args: str, capsys: pytest.CaptureFixture[str]) -> List[Dict[str, Any]]:
    capsys.readouterr()
    main(["check", "--format", "json", "ragft.yaml", *args])
    return list(json.loads(capsys.readouterr().out)["findings"])


def seen(found: Sequence[types.Diagnostic]) -> List[Any]:
    return sorted((d.code, d.severity, d.message, d.range.start.line, d.range.start.character)
                  for d in found)


def expected(findings: List[Dict[str, Any]]) -> List[Any]:
    severity = {"error": types.DiagnosticSeverity.Error,
                "warning": types.DiagnosticSeverity.Warning,
                "info": types.DiagnosticSeverity.Information}
    return sorted((f["rule"], severity[f["severity"]], f"{f['message']} ({f['system']})",
                   f["line"] - 1, f["column"] - 1) for f in findings if not f["waived"])


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply edits as an editor does (ASCII text: characters are UTF-16 units)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def index(at: types.Position) -> int:
        return starts[at.line] + at.character if at.line < len(starts) else len(text)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        text = text[:index(edit.range.start)] + edit.new_text + text[index(edit.range.end):]
    return text


@pytest.mark.asyncio
async def test_open_shows_checks_findings_declared_then_measured(project: Path, capsys) -> None:
    declared = expected(check_json("--no-evidence", capsys=capsys))
    measured = expected(check_json(capsys=capsys))
    assert declared != measured  # DA002 needs the evidence: the two steps differ
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        await diagnostics(client, uri, lambda d: seen(d) == measured)
        assert all(d.source == "ragft-lint" for d in client.diagnostics[uri] if d.code)
        # A change shows the declared findings of the new text at once.
        text = DECLARATION.replace("rag   #", "prompt   #")
        (project / "ragft.yaml").write_text(text)
        now = expected(check_json("--no-evidence", capsys=capsys))
        change(client, uri, 2, text)
        await diagnostics(client, uri, lambda d: seen(d) == now)


@pytest.mark.asyncio
async def test_half_typed_yaml_is_a_declaration_error_and_the_server_carries_on(
        project: Path) -> None:
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        await diagnostics(client, uri, lambda d: "RG001" in codes(d))
        for version, text in enumerate([DECLARATION + "    rag: {reranker: [\n",
                                        DECLARATION.replace("architecture: rag", "architecture:"),
                                        "systems:\n  bot:\n    archi", "\0\t:", ""], 2):
            change(client, uri, version, text)
            await diagnostics(client, uri, lambda d: any(
                d_.severity == types.DiagnosticSeverity.Error and d_.code is None for d_ in d))
            lines = text.split("\n")
            for line, character in ((0, 0), (len(lines) - 1, len(lines[-1]))):
                at = types.Position(line=line, character=character)
                where = types.TextDocumentIdentifier(uri=uri)
                await client.text_document_completion_async(
                    types.CompletionParams(text_document=where, position=at))
                await client.text_document_hover_async(
                    types.HoverParams(text_document=where, position=at))
                await client.text_document_definition_async(
                    types.DefinitionParams(text_document=where, position=at))
                await client.text_document_code_action_async(types.CodeActionParams(
                    text_document=where, range=types.Range(start=at, end=at),
                    context=types.CodeActionContext(diagnostics=[])))
        change(client, uri, 9, DECLARATION)
        await diagnostics(client, uri, lambda d: "DA002" in codes(d))


@pytest.mark.asyncio
async def test_a_declaration_error_stands_at_its_line_and_column(project: Path, capsys) -> None:
    text = DECLARATION.replace("changes: weekly", "changes: weekley")
    (project / "ragft.yaml").write_text(text)
    capsys.readouterr()
    assert main(["check", "ragft.yaml"]) == 2
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ragft")]
    line, column, message = said[0].split(":", 3)[1:]
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        found = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert [(d.range.start.line + 1, d.range.start.character + 1, d.message) for d in found] \
        == [(int(line), int(column), message.strip())]


@pytest.mark.asyncio
async def test_a_saved_evidence_file_refreshes_the_declaration(project: Path) -> None:
    (project / "ragft.yaml").write_text(DECLARATION.replace("examples: 5", "examples: 3"))
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        await diagnostics(client, uri, lambda d: "RG001" in codes(d))
        await asyncio.sleep(1.0)  # the measured run, which finds nothing to say about counts
        assert "DA002" not in codes(client.diagnostics[uri])
        evidence = project / "evals" / "support.jsonl"
        evidence.write_text(records(5))
        other = open_file(client, evidence, language="jsonl")
        client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=other)))
        found = await diagnostics(client, uri, lambda d: "DA002" in codes(d))
    assert any("holds 5 records" in d.message for d in found)


@pytest.mark.asyncio
async def test_quick_fix_makes_the_bytes_check_fix_writes(project: Path) -> None:
    before = (project / "ragft.yaml").read_text()
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        found = await diagnostics(client, uri, lambda d: "DA002" in codes(d))
        da002 = next(d for d in found if d.code == "DA002")
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=da002.range,
            context=types.CodeActionContext(diagnostics=[da002])))
    assert actions is not None
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and "DA002" in a.title
               and a.kind == types.CodeActionKind.QuickFix)
    assert fix.edit is not None and fix.edit.changes is not None
    after = apply(before, fix.edit.changes[uri])
    assert (project / "ragft.yaml").read_text() == before  # the server wrote nothing
    assert main(["check", "--fix", "ragft.yaml"]) in (0, 1)
    assert (project / "ragft.yaml").read_bytes() == after.encode("utf-8")
    assert after != before


@pytest.mark.asyncio
async def test_none_words_fix_and_fix_all_match_check_fix(project: Path) -> None:
    text = DECLARATION.replace("    knowledge:", "    rag:\n      reranker: none\n    knowledge:")
    (project / "ragft.yaml").write_text(text)
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        found = await diagnostics(client, uri, lambda d: len(d) > 0)
        error = next(d for d in found if "reranker" in d.message)
        # The fixes that need the evidence come with the measured run, read in the background
        # (the diagnostics, a declaration error, stay the same): ask as an editor asks again.
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            every = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(start=types.Position(line=0, character=0),
                                  end=types.Position(line=0, character=0)),
                context=types.CodeActionContext(diagnostics=[],
                                                only=[types.CodeActionKind.SourceFixAll])))
            if (every and "(2)" in every[0].title) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        quick = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=error.range,
            context=types.CodeActionContext(diagnostics=[error])))
    assert quick is not None and every is not None
    one = next(a for a in quick if isinstance(a, types.CodeAction) and "false" in a.title)
    assert one.edit is not None and one.edit.changes is not None
    assert apply(text, one.edit.changes[uri]) == text.replace("reranker: none",
                                                              "reranker: false")
    [whole] = every
    assert isinstance(whole, types.CodeAction) and whole.edit is not None
    assert whole.edit.changes is not None
    fixed_by_server = apply(text, whole.edit.changes[uri])
    assert main(["check", "--fix", "ragft.yaml"]) in (0, 1)
    assert (project / "ragft.yaml").read_text() == fixed_by_server
    assert "reranker: false" in fixed_by_server and "examples: 3" in fixed_by_server


@pytest.mark.asyncio
async def test_waive_action_makes_the_bytes_waive_writes(project: Path) -> None:
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        found = await diagnostics(client, uri, lambda d: "RG001" in codes(d))
        rg001 = next(d for d in found if d.code == "RG001")
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=rg001.range,
            context=types.CodeActionContext(diagnostics=[rg001])))
    assert actions is not None
    waive = next(a for a in actions if isinstance(a, types.CodeAction)
                 and a.title == "Waive RG001 for bot")
    assert waive.edit is not None and waive.edit.changes is not None
    after = apply(DECLARATION, waive.edit.changes[uri])
    from ragft_lint.server.actions import REASON_PLACEHOLDER

    assert main(["waive", "RG001", "bot", "--reason", REASON_PLACEHOLDER]) == 0
    assert (project / "ragft.yaml").read_text() == after


async def hover_text(client: LanguageClient, uri: str, line: int, character: int) -> str:
    found = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character)))
    if found is None:
        return ""
    assert isinstance(found.contents, types.MarkupContent)
    return found.contents.value


@pytest.mark.asyncio
async def test_hover_rule_ids_keys_and_architecture(project: Path, capsys) -> None:
    capsys.readouterr()
    main(["rule", "KN002"])
    doc = capsys.readouterr().out
    capsys.readouterr()
    main(["decide", "--format", "json"])
    decided = json.loads(capsys.readouterr().out)["systems"]["bot"]
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        await diagnostics(client, uri, lambda d: "DA002" in codes(d))  # measured
        rule = await hover_text(client, uri, 1, 10)  # ignore: [KN002]
        key = await hover_text(client, uri, 7, 8)  # changes
        architecture = await hover_text(client, uri, 4, 6)
        nothing = await hover_text(client, uri, 0, 3)  # a comment
    assert doc.splitlines()[2] in rule and "KN002" in rule
    assert "how often the facts change" in key
    assert nothing == ""
    verdicts = sorted(line.split(": ", 1)[1].split(" (open: ")[0]
                      for line in architecture.splitlines()
                      if line.startswith("- ") and not line.startswith(("- consensus",
                                                                        "- open")))
    assert verdicts == sorted(f["verdict"] for f in decided["frameworks"].values())
    assert f"- consensus: {decided['consensus']}" in architecture


@pytest.mark.asyncio
async def test_hover_shows_the_measured_figure_as_trec_eval_has_it(project: Path) -> None:
    pytrec_eval = pytest.importorskip("pytrec_eval")
    runs = {"q1": (["a", "b", "c", "d", "e"], ["a", "c"]), "q2": (["x", "y"], ["z"]),
            "q3": (["m", "n", "o"], ["m", "n", "o"]), "q4": (["p"], ["p", "q"])}
    (project / "evals" / "retrieval.jsonl").write_text("".join(
        json.dumps({"query_id": q, "retrieved": got, "relevant": rel}) + "\n"
        for q, (got, rel) in runs.items()))
    qrels = {q: dict.fromkeys(rel, 1) for q, (_, rel) in runs.items()}
    run = {q: {doc: float(len(got) - i) for i, doc in enumerate(got)}
           for q, (got, _) in runs.items()}
    scores = pytrec_eval.RelevanceEvaluator(qrels, {"P_5"}).evaluate(run)
    precision = sum(s["P_5"] for s in scores.values()) / len(scores)
    text = DECLARATION.replace("    knowledge:", "    rag:\n      retrieval_eval:\n"
                               "        path: evals/retrieval.jsonl\n"
                               "        precision_at_5: 0.78\n    knowledge:")
    (project / "ragft.yaml").write_text(text)
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        await diagnostics(client, uri, lambda d: "DA002" in codes(d))  # measured
        said = await hover_text(client, uri, 8, 10)  # precision_at_5: 0.78
    assert f"{precision:.2f}" in said and "95 % interval" in said
    assert "over 4 judged queries" in said and "evals/retrieval.jsonl" in said


@pytest.mark.asyncio
async def test_completion_of_keys_and_values(project: Path) -> None:
    text = DECLARATION.replace("changes: weekly", "changes: ") + "    fine_tune:\n      \n"
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml", text)
        values = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=7, character=15)))
        keys = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=12, character=6)))
        top = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=4, character=4)))
    assert isinstance(values, types.CompletionList) and isinstance(keys, types.CompletionList)
    assert isinstance(top, types.CompletionList)
    assert [i.label for i in values.items] == ["realtime", "daily", "weekly", "monthly",
                                               "quarterly", "yearly", "static"]
    assert {"base_model", "goals", "training_data"} <= {i.label for i in keys.items}
    assert {"architecture", "knowledge", "waivers"} <= {i.label for i in top.items}


@pytest.mark.asyncio
async def test_definition_goes_to_the_evidence_file(project: Path) -> None:
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        found = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=9, character=18)))
        none = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=4, character=20)))
    assert isinstance(found, types.Location)
    assert Path(found.uri.replace("file://", "")).resolve() == \
        (project / "evals" / "support.jsonl").resolve()
    assert none is None


@pytest.mark.asyncio
async def test_pyproject_table_is_checked(project: Path, capsys) -> None:
    (project / "ragft.yaml").unlink()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ragft-lint.systems.bot]\narchitecture = "rag"\n'
        'baseline_queries = 60\n\n[tool.ragft-lint.systems.bot.knowledge]\nchanges = ""\n')
    async with served(project) as client:
        uri = open_file(client, project / "pyproject.toml", language="toml")
        await diagnostics(client, uri, lambda d: len(d) > 0)
        values = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=8, character=10)))
        text = (project / "pyproject.toml").read_text().replace('""', '"weekly"')
        (project / "pyproject.toml").write_text(text)
        capsys.readouterr()
        main(["check", "--format", "json", "--no-evidence", "pyproject.toml"])
        wanted = expected(json.loads(capsys.readouterr().out)["findings"])
        change(client, uri, 2, text)
        await diagnostics(client, uri, lambda d: seen(d) == wanted)
    assert isinstance(values, types.CompletionList)
    assert '"weekly"' in [i.insert_text for i in values.items]


PLUGIN = """\
    from ragft_lint import Severity, Violation, hookimpl, rule, spec

    @rule("ORG010", "needs-owner", Severity.WARNING)
    def needs_owner(system, context):
        '''A system names no owning team.

        Why: someone must answer for it.
        Fix: add owner.team.
        '''
        if system.get("owner", "team") is None:
            yield Violation("no owning team", "set owner.team", ("architecture",))

    @hookimpl
    def ragft_lint_rules():
        return [needs_owner]

    @hookimpl
    def ragft_lint_system_keys():
        return {"owner": spec.Table({"team": spec.Str("the team that answers for it"),
                                     "tier": spec.Enum(("gold", "silver"), "support tier")})}
"""


@pytest.mark.asyncio
async def test_a_plugins_keys_are_completed_and_hovered(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    make_distribution(site, "org-keys", "1.0.0", {"org": "org_keys"}, {"org_keys": PLUGIN})
    env = {k: v for k, v in os.environ.items() if k != DISABLE_AUTOLOAD}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    text = DECLARATION + "    owner:\n      team: search\n      tier: \n"
    async with served(project, env) as client:
        uri = open_file(client, project / "ragft.yaml", text)
        await diagnostics(client, uri, lambda d: len(d) > 0)
        keys = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=4, character=4)))
        tiers = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=13, character=12)))
        said = await hover_text(client, uri, 12, 8)
        rule = await hover_text(client, uri, 1, 10)
    assert isinstance(keys, types.CompletionList) and isinstance(tiers, types.CompletionList)
    assert "owner" in {i.label for i in keys.items}
    assert [i.label for i in tiers.items] == ["gold", "silver"]
    assert "the team that answers for it" in said
    assert "KN002" in rule


@pytest.mark.asyncio
async def test_shutdown_ends_the_process(project: Path) -> None:
    config = ClientServerConfig(server_command=SERVER)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim"), root_uri=project.as_uri()))
    open_file(client, project / "ragft.yaml")
    await client.shutdown_session()
    server = client._server
    assert server is not None and server.returncode == 0
    await client.stop()


@pytest.mark.asyncio
async def test_waived_findings_are_hidden_unless_the_editor_asks(project: Path) -> None:
    text = DECLARATION + "    waivers:\n      RG001: {reason: the reranker comes next quarter}\n"
    (project / "ragft.yaml").write_text(text)
    async with served(project, options={"showWaived": True}) as client:
        uri = open_file(client, project / "ragft.yaml")
        shown = await diagnostics(client, uri, lambda d: "RG001" in codes(d))
    async with served(project) as client:
        uri = open_file(client, project / "ragft.yaml")
        hidden = await diagnostics(client, uri, lambda d: "RG002" in codes(d))
    [waived] = [d for d in shown if d.code == "RG001"]
    assert waived.severity == types.DiagnosticSeverity.Hint
    assert "the reranker comes next quarter" in waived.message
    assert "RG001" not in codes(hidden)
