"""Language server benchmark: how soon diagnostics follow a change, and the idle memory.

Starts ``ragft-lint server`` as an editor does (pygls's client over stdio), opens the example
declaration (``examples/support-bot``, copied with its evidence into a temporary repository),
then makes 20 edits, one at a time, each changing a declared value. For each edit it times the
change notification to the first diagnostics published for that version: the run on the
declared facts, which the server makes at once (the evidence follows in the background). Goal:
median <= 150 ms. Then, once the measured diagnostics have arrived and the server is idle, its
resident memory (Linux: ``VmRSS`` from /proc).

    pip install ".[lsp]"
    python bench/server.py [--edits 20]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from lsprotocol import types
from pygls.lsp.client import BaseLanguageClient

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "support-bot"
GOAL_MS = 150.0


def resident_mb(pid: int) -> Optional[float]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


async def measure(edits: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="ragft-server-bench-"))
    project = work / "support-bot"
    shutil.copytree(EXAMPLE, project)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    declaration = project / "ragft.yaml"
    text = declaration.read_text(encoding="utf-8")
    uri = declaration.as_uri()

    arrived: Dict[int, float] = {}
    published: List[int] = []
    client = BaseLanguageClient("bench", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: types.PublishDiagnosticsParams) -> None:
        now = time.perf_counter()
        if params.version is not None:
            arrived.setdefault(params.version, now)
            published.append(params.version)

    await client.start_io(sys.executable, "-m", "ragft_lint", "server")
    server = client._server
    assert server is not None
    started = time.perf_counter()
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=project.as_uri(), process_id=None))
    client.initialized(types.InitializedParams())
    print(f"start-up to initialized: {(time.perf_counter() - started) * 1000:.0f} ms")
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
    await _until(lambda: 1 in arrived)
    await asyncio.sleep(2.0)  # the first measured run (and its cache) out of the way

    times: List[float] = []
    for version in range(2, edits + 2):
        edited = text.replace("baseline_queries: 60", f"baseline_queries: {60 + version}")
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
        await _until(lambda v=version: v in arrived)  # type: ignore[misc]
        times.append((arrived[version] - sent) * 1000)
        await asyncio.sleep(0.6)  # let the measured run of this version finish: typing pauses
    await asyncio.sleep(2.0)
    memory = resident_mb(server.pid)

    median = statistics.median(times)
    print(f"diagnostics after a change (declared facts), {edits} edits: median {median:.0f} ms, "
          f"min {min(times):.0f} ms, max {max(times):.0f} ms (goal <= {GOAL_MS:.0f} ms: "
          f"{'met' if median <= GOAL_MS else 'NOT met'})")
    if memory is not None:
        print(f"idle resident memory: {memory:.1f} MB")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    shutil.rmtree(work, ignore_errors=True)


async def _until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("the server published no diagnostics in time")
        await asyncio.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(measure(args.edits))


if __name__ == "__main__":
    main()
