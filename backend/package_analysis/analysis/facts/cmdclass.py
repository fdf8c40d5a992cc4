"""Which command each class of a setup.py is registered for (`setup(cmdclass=...)`): pip runs
the install commands (`install`, `egg_info`, `build_py`…), never `test` or a custom one."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .python import PyFacts


def registered(f: PyFacts) -> dict[str, str] | None:
    """class name → the command it is registered for in `setup(cmdclass=...)`, or None."""
    out: dict[str, str] = {}
    found = False
    for call in f.calls:
        for kw in call.node.keywords:
            if kw.arg != "cmdclass":
                continue
            value: Any = kw.value
            if isinstance(value, ast.Name):
                added = _assigned(f, value.id)  # `cmdclass["build_doc"] = build_doc`
                out.update(added)
                found = found or bool(added)
                if f.bindings.get(value.id):
                    value = f.bindings[value.id][-1]
            if isinstance(value, ast.Call) and found and f.qualname(value.func) != "dict":
                continue  # `versioneer.get_cmdclass()`, then registrations by subscript
            if isinstance(value, ast.Call) and f.qualname(value.func) == "dict":
                pairs: list[tuple[ast.expr, ast.expr]] = [
                    (ast.Constant(k.arg), k.value) for k in value.keywords if k.arg
                ]
            elif isinstance(value, ast.Dict):
                pairs = [(k, v) for k, v in zip(value.keys, value.values, strict=True) if k]
            else:
                return None
            found = True
            for k, v in pairs:
                if isinstance(k, ast.Constant) and isinstance(v, ast.Name):
                    out[v.id] = str(k.value)
    return out if found else None


def _assigned(f: PyFacts, name: str) -> dict[str, str]:
    """Classes a module-level `name["command"] = Class` registers."""
    out: dict[str, str] = {}
    for stmt in f.tree.body:
        if not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Name):
            continue
        for t in stmt.targets:
            if (
                isinstance(t, ast.Subscript)
                and isinstance(t.value, ast.Name)
                and t.value.id == name
                and isinstance(t.slice, ast.Constant)
            ):
                out[stmt.value.id] = str(t.slice.value)
    return out
