"""PY-BUILTINS-INDIRECTION: exec/eval/system or a module reached through a string lookup."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..facts import pyapi
from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PyCheck

INDIRECTION = Rule(
    id="PY-BUILTINS-INDIRECTION",
    title="Reaches exec/eval/a process or a module through __import__, getattr or builtins",
    category="obfuscation",
    severity="low",
    explanation=(
        "Calling exec or importing modules through string lookups hides what is called from "
        "text search and reviewers. Resolve the strings and read the call."
    ),
)
RULES = (INDIRECTION,)
_RUNNERS = {"exec", "eval", "compile", "__import__"}
_LOOKUPS = {"getattr", "importlib.import_module", "__import__"}


def _dangerous(q: str) -> bool:
    return q in pyapi.EXEC or pyapi.is_process(q) or q in {"__import__", "compile"}


def check_python(c: PyCheck) -> None:
    f = c.facts
    for imp in f.imports_from:
        names = {a.name for a in imp.names}
        if imp.module == "builtins" and names & _RUNNERS and f.loadtime(imp):
            c.emit(INDIRECTION, imp, "Imports exec/eval from builtins.", load_time_only=True)
    for sub in f.subscripts:
        if not f.loadtime(sub) or isinstance(sub.slice, ast.Slice):
            continue
        q = f.qualname(sub)  # resolves only through globals()/vars()/__dict__/__builtins__
        if q and (_dangerous(q) or q in pyapi.DANGEROUS_MODULES):
            c.emit(INDIRECTION, sub, f"Looks up {q} by name.", load_time_only=True)
    for call in f.calls:
        node = call.node
        if not f.loadtime(node):
            continue
        fn = f.qualname(node.func)
        if fn not in _LOOKUPS or not node.args:
            continue
        target = f.qualname(node)
        if fn == "getattr":
            if len(node.args) >= 2 and _dangerous(target):
                how = "a literal" if isinstance(node.args[1], ast.Constant) else "a computed name"
                c.emit(
                    INDIRECTION,
                    node,
                    f"getattr reaches {target} through {how}.",
                    load_time_only=True,
                )
        elif not target:
            c.emit(INDIRECTION, node, f"{fn} of a computed name.", load_time_only=True)
        elif target.split(".")[0] in pyapi.DANGEROUS_MODULES and (
            fn == "__import__" or not isinstance(node.args[0], ast.Constant)
        ):
            c.emit(INDIRECTION, node, f"{fn}({target!r}).", load_time_only=True)
