"""The shape of the code, checked: no function in `qa/` runs past 80 lines (a newcomer reads one
whole), and the modules import each other one way, with no cycle (a cycle hides which module is
the lower layer). Each check is also run on a small made-up case it must catch."""

from __future__ import annotations

import ast
from pathlib import Path

QA_DIR = Path(__file__).resolve().parent.parent / "qa"
MAX_LINES = 80
EXEMPT: set[Path] = set()


def long_functions(source: str, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """(name, lines) of each function or method longer than `limit` lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > limit:
                found.append((node.name, lines))
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(QA_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.stmt) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def imports_of(name: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The `qa` modules a module imports when it runs (anywhere in it, in functions too, except
    under `if TYPE_CHECKING:`, which never runs)."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    skip: set[int] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if _type_checking(node):
            skip.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                if f"{target}.{alias.name}" in known:  # `from . import admin`: the submodule
                    found.add(f"{target}.{alias.name}")
                elif target in known:
                    found.add(target)
    found.discard(name)
    return found


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as the modules along it, or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def graph_of_qa() -> dict[str, set[str]]:
    files = sorted(QA_DIR.rglob("*.py"))
    known = {module_name(p) for p in files}
    return {module_name(p): imports_of(module_name(p), p.read_text(encoding="utf-8"), p.name == "__init__.py", known)
            for p in files}


def test_the_checks_catch_what_they_look_for():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    assert long_functions(f"def long():\n{body}\n\ndef short():\n    return 1\n") == [("long", MAX_LINES + 1)]
    known = {"qa", "qa.a", "qa.b", "qa.web", "qa.web.c"}
    assert imports_of("qa.web.c", "from ..a import x\nfrom . import web\nimport qa.b\n", False, known) == \
        {"qa.a", "qa.b", "qa.web"}
    assert imports_of("qa.a", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import y\n",
                      False, known) == set()
    assert cycle({"qa.a": {"qa.b"}, "qa.b": {"qa.web.c"}, "qa.web.c": {"qa.a"}}) == ["qa.a", "qa.b", "qa.web.c", "qa.a"]
    assert cycle({"qa.a": {"qa.b"}, "qa.b": set()}) == []


def test_no_function_runs_past_80_lines():
    too_long = [f"{p.relative_to(QA_DIR.parent)}: {name} ({lines} lines)"
                for p in sorted(QA_DIR.rglob("*.py")) if p not in EXEMPT
                for name, lines in long_functions(p.read_text(encoding="utf-8"))]
    assert not too_long, "\n".join(too_long)


def test_modules_import_each_other_without_a_cycle():
    graph = graph_of_qa()
    assert "qa.service" in graph["qa.web.api"] and "qa.indexing" in graph["qa.service"]  # the walk sees imports
    found = cycle(graph)
    assert not found, " → ".join(found)
