"""The layout keeps its promises: data flows one way, and the core never reaches for the edges.

Read from the source with ``ast``, so nothing is imported: the module-level import graph
(``TYPE_CHECKING`` blocks aside) has no cycle; the core (declaration, evidence, rules, decide,
the engine and the session) imports nothing from ``output/`` or from the edges (command line,
notebook, pytest plugin, init), not even inside a function, except in the one-line
``__str__``/``_repr_html_`` delegations of domain objects; no module is over 500 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ragft_lint"

# The parts that hold the product's logic, and the parts that face a person or a tool.
CORE = ("declaration", "evidence", "rules", "decide", "engine", "session", "report", "facts",
        "findings", "rule", "thresholds", "host", "errors", "spec", "suggest", "parallel",
        "deadline", "guard", "atomic", "baseline", "hookspecs", "json_schema", "output_format",
        "_version", "console", "record", "notes", "options", "run")
EDGES = ("output", "cli", "notebook", "pytest_plugin", "init", "edit", "__main__")
# Methods through which a domain object shows itself; their one-line bodies may import output.
DELEGATIONS = {"__str__", "_repr_html_", "_repr_pretty_"}
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


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


class Import:
    def __init__(self, target: str, line: int, function: str, delegation: bool) -> None:
        self.target, self.line, self.function, self.delegation = (target, line, function,
                                                                   delegation)


def imports(module: str) -> Iterator[Import]:
    """Every import of one of our modules, with the function it is in ('' at module level)."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def walk(nodes: List[ast.stmt], function: str, delegation: bool) -> Iterator[Import]:
        for node in nodes:
            if _is_type_checking(node):
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = [n for n in node.body if not isinstance(n, (ast.Import, ast.ImportFrom))
                        and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
                one_line = node.name in DELEGATIONS and len(body) <= 1
                yield from walk(node.body, node.name, one_line)
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = _known(alias.name)
                    if target.startswith("ragft_lint"):
                        yield Import(target, node.lineno, function, delegation)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    target = _known(_target(module, is_package, node, alias.name))
                    if target.startswith("ragft_lint") and target != module:
                        yield Import(target, node.lineno, function, delegation)
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from walk(children, function, delegation)

    yield from walk(tree.body, "", False)


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


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


def test_the_module_level_import_graph_has_no_cycle() -> None:
    graph = {m: {i.target for i in imports(m) if not i.function} for m in MODULES}
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
    parts = {_part(m) for m in MODULES} - {""}
    assert parts - set(CORE) - set(EDGES) == {"builtin"}  # the built-in plugin joins the two


def test_no_module_is_over_500_lines() -> None:
    long = {m: n for m, p in MODULES.items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
