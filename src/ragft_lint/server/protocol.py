"""The language server itself: the protocol's messages wired to the run of each buffer.

On open and on every change, the buffer is checked on the declared facts at once (fast, in the
message loop, where plugins keep their time limit), and then, a moment after the user stops
typing, with its evidence read in a worker thread (with the cache); the measured diagnostics
replace the declared ones when they arrive, unless the text changed meanwhile. A saved file
that a declaration points to checks that declaration's evidence again. Code actions come from
the run already made for the text (the measured one's fixes are worked out in the worker that
measured it): a code action never reads the evidence in the message loop. Positions are in
UTF-16 code units, whatever encodings the client offers (``Utf16Protocol``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import fnmatch
import os
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from .._version import __version__
from . import actions, completion, hover
from .checking import Checked, check_text, is_declaration_file
from .cursor import Place, toml_place, word_at, yaml_place
from .definition import evidence_file, value_at
from .diagnostics import diagnostics
from .places import from_utf16, lines_of, position

if TYPE_CHECKING:
    from ..host import Plugins

__all__ = ["MEASURE_DELAY_SECONDS", "RagftServer", "build", "text_edit"]

# How long the user pauses before the evidence is read: typing is not held up by the reading.
MEASURE_DELAY_SECONDS = 0.3


class Utf16Protocol(LanguageServerProtocol):
    """The protocol as pygls speaks it, with positions in UTF-16 code units whatever the client
    offers: the protocol's default, which every client supports, and the one every position
    here is counted in (``places``). pygls would otherwise take the client's first choice
    (often UTF-8) and leave the counting to us."""

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        general = params.capabilities.general
        if general is not None:
            general.position_encodings = None
        return (yield from super().lsp_initialize(params))


class RagftServer(LanguageServer):
    """The server's state: the plugins (loaded once), and each open declaration's latest run
    on the declared facts and on the measured ones."""

    def __init__(self, plugins: Plugins) -> None:
        super().__init__("ragft-lint", __version__, protocol_cls=Utf16Protocol)
        self.plugins = plugins
        # ``exit`` after ``shutdown`` ends with 0, without it with 1 (the protocol's rule).
        self.shut_down = False
        self.exit_status = 0
        self.show_waived = False
        self.declared: Dict[str, Checked] = {}
        self.measured: Dict[str, Checked] = {}
        self.pending: Dict[str, asyncio.Task[None]] = {}
        self.worker = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                            thread_name_prefix="ragft-measure")
        self._schema: Optional[Dict[str, Any]] = None

    @property
    def schema(self) -> Dict[str, Any]:
        if self._schema is None:
            from ..json_schema import declaration_schema

            self._schema = declaration_schema(self.plugins.extension)
        return self._schema

    def best(self, uri: str, text: str) -> Optional[Checked]:
        """The run that matches ``text``: the measured one when it is current."""
        measured = self.measured.get(uri)
        if measured is not None and measured.text == text:
            return measured
        declared = self.declared.get(uri)
        return declared if declared is not None and declared.text == text else None

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        super().start_io(stdin, stdout)
        if self.exit_status:  # pygls swallows its own SystemExit: the status is said here
            raise SystemExit(self.exit_status)


def build(plugins: Plugins) -> RagftServer:
    """A server with every feature registered."""
    server = RagftServer(plugins)

    @server.feature(types.INITIALIZE)
    def initialize(ls: RagftServer, params: types.InitializeParams) -> None:
        given = params.initialization_options
        if isinstance(given, dict):
            ls.show_waived = bool(given.get("showWaived", False))

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: RagftServer, params: Any) -> None:
        ls.shut_down = True

    @server.feature(types.EXIT)
    def on_exit(ls: RagftServer, params: Any) -> None:
        ls.exit_status = 0 if ls.shut_down else 1

    @server.feature(types.INITIALIZED)
    async def initialized(ls: RagftServer, params: types.InitializedParams) -> None:
        watched = ls.client_capabilities.workspace
        dynamic = watched and watched.did_change_watched_files and \
            watched.did_change_watched_files.dynamic_registration
        if dynamic:  # evidence saved outside the editor refreshes the declarations too
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern="**/*")])
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[
                types.Registration(id="ragft-lint-evidence",
                                   method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                   register_options=options)]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: RagftServer, params: types.DidOpenTextDocumentParams) -> None:
        refresh(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: RagftServer, params: types.DidChangeTextDocumentParams) -> None:
        refresh(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: RagftServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = ls.workspace.get_text_document(uri).path
        if is_declaration_file(path):
            refresh(ls, uri, delay=0.0)
        else:
            evidence_saved(ls, path)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: RagftServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = ls.workspace.get_text_document(change.uri).path
            if not is_declaration_file(path):
                evidence_saved(ls, path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RagftServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        for state in (ls.declared, ls.measured):
            state.pop(uri, None)
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: RagftServer, params: types.HoverParams) -> Optional[types.Hover]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        if not is_declaration_file(document.path):
            return None
        text = document.source
        place, word = _cursor(document.path, text, params.position)
        said = hover.rule_doc(ls.plugins, word) if word else None
        if said is None and place is not None:
            said = hover.key_text(ls.schema, place, ls.best(document.uri, text))
        if said is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value=said))

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=[":", " ", "="]))
    def on_completion(ls: RagftServer,
                      params: types.CompletionParams) -> Optional[types.CompletionList]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        if not is_declaration_file(document.path):
            return None
        place, _ = _cursor(document.path, document.source, params.position)
        if place is None:
            return None
        fmt = "toml" if document.path.endswith(".toml") else "yaml"
        return types.CompletionList(is_incomplete=False,
                                    items=completion.items(ls.schema, place, fmt))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: RagftServer,
                      params: types.DefinitionParams) -> Optional[types.Location]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        if not is_declaration_file(document.path):
            return None
        lines = lines_of(document.source)
        word = _value(document.path, document.source, lines, params.position)
        checked = ls.best(document.uri, document.source)
        declaration = checked.declaration if checked is not None else None
        if declaration is not None:
            root = declaration.root
        else:
            from ..declaration.discovery import project_root

            root = project_root(os.path.dirname(os.path.abspath(document.path)))
        target = evidence_file(document.path, root, word) \
            if params.position.line < len(lines) else None
        if target is None:
            return None
        from pygls.uris import from_fs_path

        start = types.Position(line=0, character=0)
        return types.Location(uri=from_fs_path(target) or target,
                              range=types.Range(start=start, end=start))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]))
    def on_code_action(ls: RagftServer,
                       params: types.CodeActionParams) -> Optional[List[types.CodeAction]]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        if not is_declaration_file(document.path):
            return None
        return code_actions(ls, document.uri, document.path, document.source, params)

    return server


def _cursor(path: str, text: str, at: types.Position) -> tuple[Optional[Place], str]:
    lines = lines_of(text)
    if at.line >= len(lines):
        return None, ""
    row = lines[at.line]
    column = from_utf16(row, at.character)
    word = word_at(row, column)
    if path.endswith(".toml"):
        return toml_place(lines, at.line, column,
                          os.path.basename(path) == "pyproject.toml"), word
    return yaml_place(lines, at.line, column), word


def _value(path: str, text: str, lines: List[str], at: types.Position) -> str:
    """The string value at the cursor, as the declaration reads it (its quotes undone); in a
    text that does not read, the word there."""
    from ..errors import RagftLintError
    from .checking import read_buffer

    if at.line >= len(lines):
        return ""
    column = from_utf16(lines[at.line], at.character)
    try:
        document = read_buffer(path, text)
    except (RagftLintError, RecursionError):
        document = None
    if document is not None:
        return value_at(document, lines, at.line, column) or ""
    return word_at(lines[at.line], column).strip("'\"")


def refresh(ls: RagftServer, uri: str, delay: float = MEASURE_DELAY_SECONDS) -> None:
    """Check the buffer on its declared facts now, and on its evidence shortly."""
    document = ls.workspace.get_text_document(uri)
    if not is_declaration_file(document.path):
        return
    text = document.source
    checked = _checked(ls, uri, document.path, text, evidence=False)
    ls.declared[uri] = checked
    measured = ls.measured.get(uri)
    if measured is None or measured.text != text:
        _publish(ls, uri, checked, document.version)
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    if checked.session is not None and (checked.run is not None or checked.problems):
        # Measured too when the declaration has a problem: its quick fixes ("none" words
        # become false) may need the evidence of the fixed declaration (``actions.fixes``).
        ls.pending[uri] = asyncio.ensure_future(_measure(ls, uri, document.version, delay))


async def _measure(ls: RagftServer, uri: str, version: Optional[int], delay: float) -> None:
    await asyncio.sleep(delay)
    document = ls.workspace.get_text_document(uri)
    if document.version != version:
        return
    text = document.source
    loop = asyncio.get_running_loop()
    checked = await loop.run_in_executor(ls.worker, _checked, ls, uri, document.path, text,
                                         True)
    current = ls.workspace.get_text_document(uri)
    if current.version != version or current.source != text:
        return  # the user typed on: the next run will say what this one would have
    ls.measured[uri] = checked
    _publish(ls, uri, checked, version)


def evidence_saved(ls: RagftServer, path: str) -> None:
    """Check again the evidence of each open declaration that points to ``path``."""
    for uri, checked in list(ls.declared.items()):
        if checked.declaration is not None and _points_to(checked, path):
            ls.measured.pop(uri, None)
            task = ls.pending.pop(uri, None)
            if task is not None:
                task.cancel()
            version = ls.workspace.get_text_document(uri).version
            ls.pending[uri] = asyncio.ensure_future(_measure(ls, uri, version, 0.0))


def _points_to(checked: Checked, path: str) -> bool:
    declaration = checked.declaration
    if declaration is None:
        return False
    base = os.path.dirname(os.path.abspath(declaration.document.file))
    real = os.path.realpath(path)
    for value in _strings(declaration.document.data.get("systems")):
        if any(c in value for c in "*?["):
            relative = os.path.relpath(real, os.path.realpath(base))
            if fnmatch.fnmatch(relative.replace(os.sep, "/"), value):
                return True
        elif os.path.realpath(os.path.join(base, value)) == real:
            return True
    return False


def _strings(node: Any) -> List[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _checked(ls: RagftServer, uri: str, path: str, text: str, evidence: bool) -> Checked:
    """The buffer's run (measured: with its fixes, worked out here, in the worker, from the
    same measurement); an internal error is logged and shown on the first line, and the
    server carries on."""
    try:
        checked = check_text(ls.plugins, path, text, evidence)
        return checked._replace(fixes=actions.fixes(checked)) if evidence else checked
    except Exception as exc:  # whatever the text holds, the server stays up
        from ..errors import Problem

        message = f"internal error: {type(exc).__name__}: {exc} (please report it)"
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                     message=f"ragft-lint: {message}"))
        return Checked(path, text, evidence, problems=(Problem(path, 1, 1, message),))


def _fixes(ls: RagftServer, uri: str, text: str) -> actions.Fixes:
    """The fixes of the run of ``text`` already made: the measured one's when it is current,
    else the declared one's, worked out now (on the declared facts: nothing is read)."""
    checked = ls.best(uri, text)
    if checked is None:
        return [], None
    if checked.fixes is None and not checked.measured:  # (a measured run brings its own)
        checked = ls.declared[uri] = checked._replace(fixes=actions.fixes(checked))
    return checked.fixes or ([], None)


def _publish(ls: RagftServer, uri: str, checked: Checked, version: Optional[int]) -> None:
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, version=version, diagnostics=diagnostics(checked, ls.show_waived)))


def code_actions(ls: RagftServer, uri: str, path: str, text: str,
                 params: types.CodeActionParams) -> List[types.CodeAction]:
    only = params.context.only

    def wanted(kind: str) -> bool:
        return not only or any(kind.startswith(k) for k in only)

    first, last = params.range.start.line + 1, params.range.end.line + 1
    out: List[types.CodeAction] = []
    single, every = _fixes(ls, uri, text)
    if wanted(types.CodeActionKind.QuickFix):
        for edit in single:
            if first <= edit.line <= last:
                out.append(_action(uri, text, edit, types.CodeActionKind.QuickFix,
                                   [d for d in params.context.diagnostics
                                    if d.range.start.line + 1 == edit.line]))
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            system, rule = data.get("system"), data.get("rule")
            if not (isinstance(system, str) and isinstance(rule, str)) or \
                    diagnostic.severity == types.DiagnosticSeverity.Hint:
                continue
            waiver = actions.waiver(ls.plugins, path, text, rule, system,
                                    diagnostic.range.start.line + 1)
            if waiver is not None:
                out.append(_action(uri, text, waiver, types.CodeActionKind.QuickFix,
                                   [diagnostic]))
    if every is not None and wanted(types.CodeActionKind.SourceFixAll):
        out.append(_action(uri, text, every, types.CodeActionKind.SourceFixAll, []))
    return out


def _action(uri: str, before: str, edit: actions.Edit, kind: str,
            about: List[types.Diagnostic]) -> types.CodeAction:
    return types.CodeAction(title=edit.title, kind=kind, diagnostics=about or None,
                            is_preferred=edit.preferred or None,
                            edit=types.WorkspaceEdit(changes={uri: [text_edit(before,
                                                                              edit.text)]}))


def text_edit(before: str, after: str) -> types.TextEdit:
    """One edit that turns ``before`` into ``after``: the part between what they share at
    the start and at the end."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    first = position(before, start)
    last = position(before, len(before) - end)
    return types.TextEdit(range=types.Range(
        start=types.Position(line=first[0], character=first[1]),
        end=types.Position(line=last[0], character=last[1])),
                          new_text=after[start:len(after) - end])

