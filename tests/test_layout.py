"""The layout the project keeps: no import circle among its modules (a lazy import counts), the
sandbox imports no product code, and product code imports the sandbox only in the demo."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.cli import ROOT

PACKAGES = ("sources", "pipelines", "sandbox", "bench")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project's modules `path` imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in known}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(edges[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = [stack.pop()]
            while group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_one_that_imports_it_back():
    known = modules()
    assert circles({name: imports(path, known) for name, path in known.items()}) == []


def test_the_sandbox_and_the_product_keep_apart():
    known = modules()
    edges = {name: imports(path, known) for name, path in known.items()}
    product = ("sources", "pipelines")
    sandbox_uses = {(m, i) for m, used in edges.items() if m.startswith("sandbox")
                    for i in used if i.startswith(product)}  # fmt: skip
    product_uses = {(m, i) for m, used in edges.items() if m.startswith(product)
                    for i in used if i.startswith("sandbox")}  # fmt: skip
    assert sandbox_uses == set()
    assert {m for m, _ in product_uses} <= {"pipelines.demo"}
