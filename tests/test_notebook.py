"""The IPython extension and the example notebook, executed on a real Jupyter kernel."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, List

import yaml

from helpers import jupyter_environment
from ragft_lint import check

# nbclient and nbformat are imported inside the tests, once the ``kernel`` fixture has set
# JUPYTER_PLATFORM_DIRS: older jupyter_core warns at import time when it is not set.

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "notebook"


def execute(notebook: Any, folder: Path, kernel: str) -> Any:
    """Run every cell on a fresh kernel whose working folder is ``folder``."""
    from nbclient import NotebookClient

    client = NotebookClient(notebook, kernel_name=kernel, timeout=120,
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def html_of(cell: Any) -> str:
    return "".join(o["data"]["text/html"] for o in cell.outputs
                   if "data" in o and "text/html" in o["data"])


def text_of(cell: Any) -> str:
    parts: List[str] = []
    for output in cell.outputs:
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


def kinds(cell: Any) -> List[str]:
    return [o["output_type"] for o in cell.outputs]


DECLARATION = """\
    systems:
      "pricing <bot>":
        architecture: fine-tune
        gaps: [knowledge]
        knowledge:
          changes: weekly
          depth: reference
          corpus_tokens: 2000000
        prompt:
          context_window_tokens: 128000
    """


def test_the_magics_on_a_real_kernel(tmp_path: Path, kernel: str) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "ragft.yaml").write_text(textwrap.dedent(DECLARATION), encoding="utf-8")
    other = tmp_path / "other"  # beside the project: below it, the line magic would check it too
    other.mkdir()
    (other / "ragft.yaml").write_text("systems:\n  bot:\n    architecture: rag\n"
                                      "    knowledge:\n      per_user_access: true\n",
                                      encoding="utf-8")
    cells = [
        "%load_ext ragft_lint",
        "%ragft_lint --no-evidence",
        "%ragft_lint ../other --select RG --fail-on warning",
        "result = %ragft_lint --no-evidence\n"
        "print(sorted({f.rule for f in result.report.findings}))\n"
        "print(result.decisions['pricing <bot>'].consensus)",
        "%%ragft_lint --no-evidence\nsystems:\n  scratch:\n    architecture: rag\n"
        "    knowledge:\n      changes: weekly\n",
        "%%ragft_lint\nsystems:\n  scratch:\n    architecture: rga\n    gaps: knowledge\n",
        "%%ragft_lint\nsystems: [\n",
        "%ragft_lint --fail-on never",
        "%ragft_lint missing",
        "%ragft_lint -h",
        "import sys\nprint('IPython' in sys.modules, 'ragft_lint.output.html' in sys.modules)",
    ]
    from nbformat.v4 import new_code_cell, new_notebook

    notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
    ran = execute(notebook, project, kernel).cells

    # The line magic: the declaration found from the notebook's folder, as HTML and as text.
    page = html_of(ran[1])
    assert kinds(ran[1]) == ["execute_result"]
    # No documentation address in the package metadata: the command, never a dead link.
    assert 'href="https://' not in page and "ragft-lint rule KN001" in page
    assert ">error</span>" in page and "ragft.yaml:6:16" in page
    assert "pricing &lt;bot&gt;" in page and "<bot>" not in page
    assert 'class="ragft-lint-gates"' in page and 'data-node="k_rag"' in page
    assert "path taken: start \u2192 gate 0 \u2192 gate 1 \u2192 knowledge layer: RAG" in page
    plain = text_of(ran[1])
    assert "ragft.yaml:6:16: KN001 [error]" in plain and "consensus: rag" in plain

    # A path, and options as on the command line.
    page = html_of(ran[2])
    assert "other/ragft.yaml" in page and "RG005" in page and "KN0" not in page
    assert "failing at warning and above" in page

    # The result is there for code.
    expected = sorted({f.rule for f in check(project, evidence=False).findings})
    assert "KN001" in expected
    assert text_of(ran[3]).split("\n")[:2] == [str(expected), "rag"]

    # The cell magic: the cell is the declaration; places count the %%ragft_lint line.
    page = html_of(ran[4])
    assert "cell:4:19" in page and "RG001" in page
    assert "declared <code>rag</code>" in page

    # Mistakes are messages with line and column, never a traceback.
    for cell in ran[5:9]:
        assert kinds(cell) == ["display_data"], cell.source
        assert "Traceback" not in text_of(cell)
    page = html_of(ran[5])
    assert "the declaration is wrong; nothing was checked" in page
    assert "<code>cell:4:19</code>: systems.scratch.architecture:" in page
    assert "did you mean &#x27;rag&#x27;?" in page
    assert "<code>cell:5:11</code>: systems.scratch.gaps:" in page
    assert "cell:3:1: invalid YAML" in text_of(ran[6])
    assert "argument --fail-on: invalid choice: &#x27;never&#x27;" in html_of(ran[7])
    assert "no such file" in text_of(ran[8])
    assert "usage: %ragft_lint" in text_of(ran[9])

    assert text_of(ran[10]).split() == ["True", "True"]


def test_the_example_notebook_walks_to_a_sound_declaration(tmp_path: Path, kernel: str) -> None:
    import nbformat

    notebook = nbformat.read(str(EXAMPLE / "walkthrough.ipynb"), as_version=4)
    ran = [c for c in execute(notebook, EXAMPLE, kernel).cells if c.cell_type == "code"]
    assert all("error" not in kinds(c) for c in ran)
    magics = [c for c in ran if c.source.startswith("%%ragft_lint")]
    assert len(magics) == 4
    first, second, mistake, sound = magics

    first_page = html_of(first)
    for rule in ("KN001", "KN002", "KN003", "EV001"):
        assert f"ragft-lint rule {rule}" in first_page
    assert "agrees with none" in first_page

    second_page = html_of(second)
    assert "RG005" in second_page and "KN001" not in second_page
    assert "agrees with all three frameworks" in second_page

    assert "cell:4:19" in html_of(mistake) and "did you mean" in html_of(mistake)

    sound_page = html_of(sound)
    assert "no findings (1 system checked)" in sound_page
    assert "agrees with all three frameworks" in sound_page

    # The last draft is the declaration saved beside the notebook, which the line magic finds.
    drafted = yaml.safe_load(sound.source.split("\n", 1)[1])
    assert drafted == yaml.safe_load((EXAMPLE / "ragft.yaml").read_text(encoding="utf-8"))
    line = next(c for c in ran if "= %ragft_lint" in c.source)
    assert "ragft.yaml: no findings (1 system checked)" in html_of(line)
    assert text_of(ran[-1]).split("\n")[:2] == [
        str({"error": 0, "warning": 0, "info": 0, "waived": 0}), "rag all"]


def test_loading_ragft_lint_imports_no_ipython() -> None:
    probe = ("import sys, json, ragft_lint, ragft_lint.notebook, ragft_lint.decide; "
             "print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    modules = set(json.loads(result.stdout))
    assert not {m for m in modules if m.split(".")[0] == "IPython"}
    assert "ragft_lint.output.html" not in modules


def test_the_extension_is_found_by_ipython(tmp_path: Path) -> None:
    """``%load_ext ragft_lint`` in a plain (terminal) IPython, with text for the terminal."""
    script = textwrap.dedent("""\
        from IPython.testing.globalipapp import start_ipython
        shell = start_ipython()
        shell.run_line_magic("load_ext", "ragft_lint")
        result = shell.run_line_magic("ragft_lint", "--no-evidence")
        print(str(result))
        """)
    (tmp_path / ".git").mkdir()
    (tmp_path / "ragft.yaml").write_text(textwrap.dedent(DECLARATION), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env=jupyter_environment(tmp_path), check=True)
    assert "ragft.yaml:6:16: KN001 [error]" in done.stdout
    assert "pricing <bot> (declared fine-tune)" in done.stdout


def test_the_findings_table_is_left_aligned_whatever_the_notebooks_css(tmp_path: Path,
                                                                       kernel: str) -> None:
    import re
    from xml.etree import ElementTree

    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "ragft.yaml").write_text(textwrap.dedent(DECLARATION), encoding="utf-8")
    from nbformat.v4 import new_code_cell, new_notebook

    # Jupyter's own style sheet right-aligns table cells; a notebook may add its own rules.
    style = ("from IPython.display import HTML, display\n"
             "display(HTML('<style>.rendered_html th, .rendered_html td, th, td "
             "{text-align: right}</style>'))")
    notebook = new_notebook(cells=[new_code_cell(source) for source in (
        "%load_ext ragft_lint", style, "%ragft_lint --no-evidence")])
    page = html_of(execute(notebook, project, kernel).cells[2])
    table = re.search(r"<table.*?</table>", page, re.DOTALL)
    assert table is not None
    cells = [c for c in ElementTree.fromstring(table.group()).iter() if c.tag in ("th", "td")]
    assert len(cells) > 10
    for cell in cells:  # inline, so that no style sheet's rule for th or td wins
        assert "text-align:left" in cell.get("style", "").replace(" ", ""), cell.get("style")

