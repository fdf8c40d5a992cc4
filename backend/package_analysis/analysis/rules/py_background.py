"""PY-IMPORT-BACKGROUND-CODE: importing the package starts another Python on inline code and
does not wait for it."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.python import strings
from .base import Rule
from .py_process import own_interpreter

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

BACKGROUND = Rule(
    id="PY-IMPORT-BACKGROUND-CODE",
    title="Importing the package starts a Python interpreter on inline code in the background",
    category="evasion",
    severity="high",
    explanation=(
        'A module that, when imported, launches `python -c "import …"` with Popen and never '
        "waits for it runs code outside the importing program: the import returns at once "
        "and the child lives on with the user's rights. Libraries that need a child "
        "interpreter wait for its answer. Read the module the child imports."
    ),
    strong=True,
)
RULES = (BACKGROUND,)
_INTERPRETERS = {"python", "python3", "pythonw", "py", "python.exe", "pythonw.exe"}
_AWAITS = {"wait", "communicate", "poll", "kill", "terminate"}


def check_python(c: PyCheck) -> None:
    f = c.facts
    if c.ctx.reach != "runtime" and c.ctx.reach != "import":
        return  # setup.py probes a child interpreter on purpose; tests and docs never run
    found = [
        (call.node, q)
        for call in f.calls
        if (q := f.qualname(call.node.func)).endswith("Popen")
        and pyapi.is_process(q)
        and f.loadtime(call.node)
        and _inline_python(f, call.node)
    ]
    awaited = _awaited_names(f) if found else set()  # (walked only when there is a candidate)
    for node, q in found:
        if _result_name(f, node) not in awaited:
            c.emit(BACKGROUND, node, f"Imports start {q} on `python -c` and leave it running.")


def _inline_python(f: PyFacts, node: ast.Call) -> bool:
    first = node.args[0] if node.args else None
    if not isinstance(first, ast.List | ast.Tuple) or len(first.elts) < 3:
        return False
    program = f.value(first.elts[0]).text() or ""
    own = own_interpreter(f, node)
    words = [w for e in first.elts[1:2] for w in strings(f, e)]
    name = program.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return (own or name in _INTERPRETERS) and words[:1] == ["-c"]


def _result_name(f: PyFacts, node: ast.Call) -> str:
    for name, bound in f.bindings.items():
        if any(b is node for b in bound):
            return name
    return ""


def _awaited_names(f: PyFacts) -> set[str]:
    """Names whose process is waited for (`p.wait()`, `p.communicate()`, `with Popen(…) as
    p`, whose exit waits)."""
    out: set[str] = {
        item.optional_vars.id
        for node in ast.walk(f.tree)
        if isinstance(node, ast.With)
        for item in node.items
        if isinstance(item.optional_vars, ast.Name)
    }
    for call in f.calls:
        func = call.node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in _AWAITS
            and isinstance(func.value, ast.Name)
        ):
            out.add(func.value.id)
    return out
