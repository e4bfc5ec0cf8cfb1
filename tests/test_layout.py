"""The layout keeps its promises: data flows one way, and the core never reaches for the edges.

Read from the source with ``ast``, so nothing is imported. Every import of one of our modules
counts, at module level or inside a function; only ``TYPE_CHECKING`` blocks, which never run,
are left out. A rendering delegation is told apart: a function whose body, docstring and
imports aside, is one simple statement, and which imports only from ``output/`` (a domain
object's ``__str__`` or ``_repr_html_``, a built-in output format). Through such a one-liner
the core may show itself; through nothing else may it import ``output/`` or an edge.

The import graph (delegations aside: the renderer imports the object that delegates to it) has
no cycle; every part of the package is either core or edge, with no exemption; no module is
over 500 lines, a smell to look at rather than a limit to dodge.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple, Union

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ragft_lint"

# The parts that hold the product's logic, and the parts that face a person or a tool.
# ``builtin`` is the built-in plugin: the rule families, the output formats' table and the
# result readers' names, all core. ``terminal`` (colour, a closed pipe) and ``arguments``
# (argparse's option types) are what the command line, init and the notebook share about
# talking to a person. ``__init__`` is the package itself: the public API and the
# IPython extension's entry point, which IPython looks for at the top of the package.
CORE = ("declaration", "evidence", "rules", "decide", "engine", "session", "report", "facts",
        "findings", "rule", "thresholds", "words", "host", "errors", "spec", "suggest", "parallel",
        "deadline", "guard", "atomic", "baseline", "hookspecs", "json_schema", "output_format",
        "_version", "record", "builtin", "notes", "options", "run", "gitcmd")
EDGES = ("output", "cli", "pre_commit", "terminal", "arguments", "notebook", "pytest_plugin",
         "init", "edit", "server", "__main__", "__init__")
# What a rendering delegation may import.
RENDERING = "output"
MAX_LINES = 500


def modules() -> Dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(["ragft_lint", *parts])] = path
    return found


MODULES = modules()


def _target(module: str, is_package: bool, node: ast.ImportFrom, name: str) -> str:
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    candidate = f"{prefix}.{name}"
    return candidate if candidate in MODULES else prefix


def _known(name: str) -> str:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


class Import:
    def __init__(self, target: str, line: int, function: str, delegation: bool) -> None:
        self.target, self.line, self.function, self.delegation = (target, line, function,
                                                                   delegation)


def _targets(module: str, is_package: bool, node: ast.stmt) -> Iterator[str]:
    """Our modules that one import statement imports ('' for anything else)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield _known(alias.name)
    elif isinstance(node, ast.ImportFrom):
        for alias in node.names:
            yield _known(_target(module, is_package, node, alias.name))


def _is_delegation(module: str, is_package: bool,
                   function: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> bool:
    """One simple statement, docstring and imports aside, and imports only from ``output/``."""
    imports = [n for n in function.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    rest = [n for n in function.body if n not in imports
            and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    targets = [t for n in imports for t in _targets(module, is_package, n)]
    return (len(rest) == 1 and not hasattr(rest[0], "body") and bool(targets)
            and all(t.startswith("ragft_lint.") and _part(t) == RENDERING for t in targets))


def imports_in(module: str, source: str, is_package: bool = False) -> Iterator[Import]:
    """Every import of one of our modules in ``source``, with the function it is in ('' at
    module level) and whether that function is a rendering delegation."""

    def walk(nodes: List[ast.AST], function: str, delegation: bool) -> Iterator[Import]:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                yield from walk(list(node.orelse), function, delegation)  # the else runs
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from walk(list(node.body), node.name,
                                _is_delegation(module, is_package, node))
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(module, is_package, node):
                    if target.startswith("ragft_lint") and target != module:
                        yield Import(target, node.lineno, function, delegation)
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from walk(children, function, delegation)

    yield from walk(list(ast.parse(source).body), "", False)


def imports(module: str) -> Iterator[Import]:
    path = MODULES[module]
    return imports_in(module, path.read_text(encoding="utf-8"), path.name == "__init__.py")


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# -- the machinery, on sources made to pass and to fail ---------------------------------------

SAMPLE = textwrap.dedent('''
    from typing import TYPE_CHECKING

    from .findings import Finding

    if TYPE_CHECKING:
        from .cli import main
    else:
        from .notebook import magic

    class Report:
        def __str__(self) -> str:
            """Shown as text."""
            from .output import text

            return text.render([self])

        def _repr_html_(self) -> str:
            from .output import html

            shown = html.report(self)
            return shown

        def summary(self) -> str:
            from .output.text import render

            if self:
                return render([self])
            return ""

        def run(self) -> int:
            from .cli import main

            return main([])

    def show(reports, options):
        from .output.html.page import page

        return page(reports)
''')


def test_imports_inside_functions_count_and_only_one_liners_into_output_are_delegations(
) -> None:
    found = [(i.target, i.function, i.delegation)
             for i in imports_in("ragft_lint.report", SAMPLE)]
    assert found == [
        ("ragft_lint.findings", "", False),
        ("ragft_lint.notebook", "", False),  # the else of TYPE_CHECKING runs
        ("ragft_lint.output.text", "__str__", True),
        ("ragft_lint.output.html", "_repr_html_", False),  # two statements
        ("ragft_lint.output.text", "summary", False),  # one statement, but a compound one
        ("ragft_lint.cli", "run", False),  # one line, but not into output
        ("ragft_lint.output.html.page", "show", True),
    ]


def test_a_cycle_is_found_and_a_chain_is_not() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


# -- the package --------------------------------------------------------------------------------


def test_the_import_graph_has_no_cycle() -> None:
    graph = {m: {i.target for i in imports(m) if not i.delegation} for m in MODULES}
    assert cycles(graph) == []


def test_the_core_imports_nothing_from_the_output_or_the_edges() -> None:
    reached: List[Tuple[str, int, str]] = []
    for module in MODULES:
        if _part(module) not in CORE:
            continue
        for found in imports(module):
            if _part(found.target) in EDGES and not found.delegation:
                reached.append((module, found.line, found.target))
    assert reached == []


def test_every_part_of_the_package_is_either_core_or_an_edge() -> None:
    parts = {_part(m) for m in MODULES}
    assert set(CORE) & set(EDGES) == set()
    assert sorted(parts - set(CORE) - set(EDGES)) == []
    assert sorted(set(CORE) | set(EDGES)) == sorted(parts)  # no name of a part that is gone


def test_no_module_is_over_500_lines() -> None:
    long = {m: n for m, p in MODULES.items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
