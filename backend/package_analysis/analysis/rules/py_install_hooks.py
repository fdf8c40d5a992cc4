"""PY-INSTALL-CMD-OVERRIDE and PY-INSTALL-HOOK-EXEC: setup.py replaces a command pip runs
while installing, and what that command runs."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..model import Reachability
from .base import Rule, Variant
from .py_network import local
from .py_process import probe

if TYPE_CHECKING:
    from ..pypass import PyCheck

CMD_OVERRIDE = Rule(
    id="PY-INSTALL-CMD-OVERRIDE",
    title="setup.py replaces a command pip runs while installing (install, egg_info, build_py…)",
    category="install-hook",
    severity="low",
    explanation=(
        "pip runs this class while installing the package. Legitimate packages rarely need it; "
        "read its run() method: anything beyond building files is executed on the installer's "
        "machine."
    ),
)
HOOK_EXEC = Rule(
    id="PY-INSTALL-HOOK-EXEC",
    title="An overridden install command runs a process, code or a network call",
    category="install-hook",
    severity="high",
    explanation=(
        "The replaced install/develop/egg_info command is where install-time malware lives: "
        "pip runs it on every machine that installs the sdist. Read exactly what it runs."
    ),
    variants={
        "probe": Variant(
            "low",
            "the process is a build-environment query with a fixed program and question "
            "(`xcrun --show-sdk-path`, `brew --prefix`, `pkg-config --libs x`)",
        ),
    },
)
RULES = (CMD_OVERRIDE, HOOK_EXEC)


def check_python(c: PyCheck) -> None:
    f = c.facts
    classes = f.hook_classes()
    if not classes:
        return
    methods: set[int] = set()
    for cls in classes:
        bases = ", ".join(ast.unparse(b) for b in cls.bases)[:80]
        reach: Reachability | None = "install" if f.is_setup else None
        c.emit(CMD_OVERRIDE, cls, f"class {cls.name}({bases}).", reach=reach, line=cls.lineno)
        methods |= {
            id(m) for m in cls.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
        }
    for call in f.calls:
        if call.owner not in methods:
            continue
        node = call.node
        q = f.qualname(node.func)
        runs = pyapi.is_process(q) or (pyapi.is_network(q) and not local(f, node))
        if q in pyapi.EXEC and node.args and not isinstance(node.args[0], ast.Constant):
            runs = True
        if runs and pyapi.is_process(q) and probe(node):
            detail = f"The install command asks the build environment through {q}."
            c.emit(HOOK_EXEC, node, detail, variant="probe")
        elif runs:
            c.emit(HOOK_EXEC, node, f"The install command runs {q}.")
