"""PY-EXEC-DECODED and PY-EXEC-DYNAMIC: exec/eval/a process on data decoded in place, and
load-time exec of a computed value."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.values import BYTECODE, DECODED, DECRYPTED, FETCHED, Value
from .base import Rule, Variant

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

EXEC_DECODED = Rule(
    id="PY-EXEC-DECODED",
    title="exec/eval/a process runs data decoded in place (base64, hex, zlib, marshal, decrypt…)",
    category="obfuscation",
    severity="critical",
    explanation=(
        "Decoding a blob and executing it in one expression is how malware hides its payload "
        "from reviewers. Decode the literal offline (never run it) and read what it does."
    ),
    strong=True,
)
EXEC_DYNAMIC = Rule(
    id="PY-EXEC-DYNAMIC",
    title="Install- or import-time code runs exec/eval/compile on a computed value",
    category="dynamic-code",
    severity="medium",
    explanation=(
        "Code that is built at run time cannot be read in the source. Find where the argument "
        "comes from; legitimate load-time code almost never needs this."
    ),
    variants={"import": Variant("low", "at import time (code generation is a known idiom)")},
)
RULES = (EXEC_DECODED, EXEC_DYNAMIC)
_READS = {"read", "read_text", "read_bytes", "readlines", "get_data", "getvalue"}
HIDDEN = {DECODED, BYTECODE, DECRYPTED}


def how_decoded(v: Value) -> str:
    """How a value was decoded in place ('' when it was not)."""
    if not v.origins & HIDDEN:
        return ""
    steps = [s.text.split(":")[0] for s in v.steps if s.role == "transform"]
    return " → ".join(steps) or "a decoder"


def reads_file(f: PyFacts, expr: ast.AST, depth: int = 0) -> bool:
    """exec(open(f).read()) and exec(code) after code = f.read(): the file is scanned too."""
    for n in ast.walk(expr):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _READS:
            return True
        if isinstance(n, ast.Name) and depth < 3:
            for bound in f.bindings.get(n.id, []):
                if not isinstance(bound, str) and reads_file(f, bound, depth + 1):
                    return True
    return False


def check_python(c: PyCheck) -> None:
    f = c.facts
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        is_exec = q in pyapi.EXEC
        if not (is_exec or pyapi.is_process(q)):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in f.defs:
            continue  # the module's own `def execfile(path, ...)`: its body is judged instead
        args = node.args[:1] if is_exec else [*node.args, *(k.value for k in node.keywords)]
        for arg in args:
            v = f.value(arg)
            how = how_decoded(v)
            if how:
                what = q if is_exec else "A process"
                c.emit(EXEC_DECODED, node, f"{what} runs data decoded by {how}.", chain=v)
                break
        else:
            if not is_exec or not node.args or not f.loadtime(node):
                continue
            arg = node.args[0]
            v = f.value(arg)
            if isinstance(arg, ast.Constant) or FETCHED in v.origins or reads_file(f, arg):
                continue
            install = c.reach(node) == "install"
            variant = "" if install else "import"
            c.emit(
                EXEC_DYNAMIC,
                node,
                f"Calls {q} on a computed value.",
                variant=variant,
                load_time_only=True,
            )
