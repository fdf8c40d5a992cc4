"""No import circle in backend/: every module of the project, every import it makes (at the
top or in functions alike), and a depth-first search for a cycle.

A circle papered over with a function-level import is still a circle: this check reads
them all. Imports under `if TYPE_CHECKING:` are left out: they never run, and two modules
whose types name each other is the idiom they exist for."""

from __future__ import annotations

import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1]
PACKAGES = ("package_analysis", "packamal")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(BACKEND).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (BACKEND / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports: `from x import y` counts as x.y when that is a
    module, else as x."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    out: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            stem = ".".join([*base, *(node.module.split(".") if node.module else [])])
            subs = [f"{stem}.{alias.name}" for alias in node.names]
            targets = [sub if sub in known else stem for sub in subs]
        else:
            continue
        out.update(t for t in targets if t in known and t != name)
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def import_graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(name, path, known) for name, path in known.items()}


def test_the_backend_has_no_import_circle() -> None:
    graph = import_graph()
    assert len(graph) > 50, sorted(graph)  # the walk found the project, not an empty folder
    cycle = _cycle(graph)
    assert cycle is None, "import circle: " + " → ".join(cycle or [])


def test_the_check_finds_a_circle_and_reads_every_kind_of_import(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    a, b, c = (tmp_path / "pkg" / f"{n}.py" for n in "abc")
    a.write_text(
        "from typing import TYPE_CHECKING\nfrom . import b\n"
        "if TYPE_CHECKING:\n    from . import c\n"
    )
    b.write_text("def later():\n    from .c import thing\n    import pkg.a\n")
    c.write_text("from .. import pkg\n")
    known = {"pkg": tmp_path / "pkg" / "__init__.py", "pkg.a": a, "pkg.b": b, "pkg.c": c}
    assert _imports("pkg.a", a, known) == {"pkg.b"}  # not the TYPE_CHECKING one
    assert _imports("pkg.b", b, known) == {"pkg.c", "pkg.a"}  # in a function
    assert _cycle({n: _imports(n, p, known) for n, p in known.items() if n != "pkg"}) == [
        "pkg.a",
        "pkg.b",
        "pkg.a",
    ]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_module_shadows_the_standard_library() -> None:
    import sys

    for name in import_graph():
        leaf = name.rsplit(".", 1)[-1]
        assert leaf not in sys.stdlib_module_names, f"{name} shadows the standard library"
