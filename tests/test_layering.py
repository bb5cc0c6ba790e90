"""No import cycle between the modules of gridgov: every import statement (at the top of a
module or inside a function, where a cycle likes to hide) read from the source with
``ast``, the cycles found as strongly connected components of the module graph.

The contracts on packages (which layer may import which) are import-linter's, in
pyproject.toml, run by ``make lint``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import gridgov

PACKAGE = Path(gridgov.__file__).parent

# Cycles allowed for now: none. (An entry here would be a pair of modules that import
# each other while one of them is being split; the test fails once it is gone.)
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(
    tree: ast.AST, module: str, is_package: bool, known: set[str]
) -> Iterator[str]:
    """The gridgov modules a module's import statements name (``from a import b`` names
    ``a.b`` when that is a module, else ``a``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if candidate in known:
                    yield candidate
                elif base in known:
                    yield base


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    known = set(paths)
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        found = imported_modules(tree, module, path.name == "__init__.py", known)
        graph[module] = {name for name in found if name != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_a_cycle_is_found_where_there_is_one() -> None:
    # Given modules a → b → c → a, and d → a outside the cycle
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    # When the cycles are looked for
    found = cycles(graph)

    # Then the one cycle is found, without d
    assert found == [frozenset({"a", "b", "c"})]


def test_relative_and_lazy_imports_are_edges() -> None:
    # Given a module with a relative import and an import inside a function
    source = "from .rules import Tree\ndef f():\n    from gridgov.db import Base\n"
    known = {"gridgov.x", "gridgov.x.rules", "gridgov.x.service", "gridgov.db"}

    # When its imports are read
    found = set(imported_modules(ast.parse(source), "gridgov.x.service", False, known))

    # Then both are edges of the graph
    assert found == {"gridgov.x.rules", "gridgov.db"}


def test_no_import_cycle_between_modules() -> None:
    # Given every module of gridgov and the modules it imports
    graph = import_graph()

    # When the cycles are looked for
    found = set(cycles(graph))

    # Then there are none but the known ones, and each known one is still there
    assert sorted(map(sorted, found - KNOWN_CYCLES)) == []
    assert sorted(map(sorted, KNOWN_CYCLES - found)) == [], "remove it from KNOWN_CYCLES"
