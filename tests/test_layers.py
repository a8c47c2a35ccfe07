"""Data flows one way: every import in ``src/medcite`` (lazy ones inside functions and
``TYPE_CHECKING`` ones included) goes to the importer's own stage or an upstream one, and no
module imports itself back through others at run time (an import for type checking only may
close a loop inside one stage: ``models`` uses ``provenance``, which names ``models``' types).

The order (upstream first) is the one in README.md's "Architecture" section. ``eval`` (with
``eval.bench``) and ``testing`` sit above every production stage and nothing in production
imports them; ``cli`` is on top and may import ``eval`` only inside its commands.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Stage of each top-level module or package of medcite; a module may import only from stages
# at or below its own.
STAGES: dict[str, int] = {
    **dict.fromkeys(("models", "config", "errors", "progress", "provenance"), 0),
    "text": 1,
    **dict.fromkeys(("sources", "fetch"), 2),
    "corpus": 3,
    "ingest": 4,
    "index": 5,
    "retrieve": 6,
    "question": 7,
    "verify": 8,
    "compose": 9,
    "reader": 10,
    "library": 11,
    **dict.fromkeys(("service", "__init__"), 12),
    "web": 13,
    "demo": 14,  # the demo data folder: read by the CLI and benchmarks only
    "testing": 15,
    "eval": 16,
    **dict.fromkeys(("cli", "__main__"), 17),
}
LAZY_ONLY = {("cli", "eval")}  # cli runs eval/bench inside commands, never at import time


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "medcite").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(module: str, *, typing: bool = True) -> Iterator[tuple[str, int, bool]]:
    """(imported medcite module, line, at module level) for every import in ``module``;
    without the ``if TYPE_CHECKING:`` ones unless ``typing``."""
    path = modules()[module]
    tree = ast.parse(path.read_text(), str(path))
    top_level = {id(node) for node in tree.body}
    skipped = set() if typing else {id(n) for n in _type_checking_imports(tree)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path, node)
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "medcite":
                yield _known(target), node.lineno, id(node) in top_level


def _type_checking_imports(tree: ast.Module) -> Iterator[ast.AST]:
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in node.body:
                yield from ast.walk(child)


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join([*package, *([node.module] if node.module else [])])


def _known(target: str) -> str:
    """The module ``target`` names (``from pkg import name`` may name a module or an object)."""
    while target not in modules() and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def runtime_graph() -> dict[str, set[str]]:
    return {m: {t for t, _, _ in imports(m, typing=False) if t != m} for m in modules()}


def test_every_module_has_a_stage() -> None:
    assert sorted({stage_of(m) for m in modules()} - STAGES.keys()) == []


def test_imports_follow_the_layers() -> None:
    against = []
    for module in sorted(modules()):
        here = stage_of(module)
        for target, line, top_level in imports(module):
            there = stage_of(target)
            if STAGES[there] > STAGES[here] or (top_level and (here, there) in LAZY_ONLY):
                against.append(f"{module}:{line} imports {target}")
    assert not against, "imports against the layers:\n" + "\n".join(against)


def test_no_module_cycles() -> None:
    edges = runtime_graph()
    cycles = [c for c in _cycles(edges) if len(c) > 1]
    assert not cycles, "module cycles:\n" + "\n".join(" ⇄ ".join(c) for c in cycles)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from medcite.service import Engine", ["medcite.service"]),
        ("def f():\n    from medcite.web.app import create_app", ["medcite.web.app"]),
        ("from medcite.verify import signals", ["medcite.verify.signals"]),
        ("from . import terms", ["medcite.text.terms"]),
        ("if TYPE_CHECKING:\n    from medcite.models import Hit", ["medcite.models"]),
    ],
)
def test_the_graph_sees_every_kind_of_import(
    source: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = SRC / "medcite" / "text" / "_layers_probe.py"
    monkeypatch.setitem(modules(), "medcite.text._layers_probe", probe)
    original = Path.read_text
    monkeypatch.setattr(
        Path, "read_text", lambda self, *a, **k: source if self == probe else original(self)
    )
    assert [t for t, _, _ in imports("medcite.text._layers_probe")] == expected
