"""PY-PICKLE-CALLS: a pickle decoded from a literal names a callable that runs commands or
code (os.system, subprocess.*, builtins.exec/eval…). Unpickling calls it: the pickle is a
program. Read statically with `pickletools.genops`, which parses opcodes and runs nothing."""

from __future__ import annotations

import pickletools
from typing import TYPE_CHECKING

from ..facts import pyapi
from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PayloadCheck

PICKLE_CALLS = Rule(
    id="PY-PICKLE-CALLS",
    title="A pickle in the code calls a command or code runner when it is loaded",
    category="obfuscation",
    severity="critical",
    explanation=(
        "A pickle can name any callable and its arguments; pickle.loads calls it. One that "
        "names os.system, subprocess or exec is a program disguised as data. The callable and "
        "its arguments are in the finding; decode the literal offline and read the rest."
    ),
    strong=True,
)
RULES = (PICKLE_CALLS,)
_ALIASES = {"posix": "os", "nt": "os", "__builtin__": "builtins"}
_MAX_OPS = 10_000


def callables(data: bytes) -> list[str]:
    """The module.name pairs a pickle's GLOBAL/STACK_GLOBAL opcodes import (never loaded)."""
    out: list[str] = []
    strings: list[str] = []
    try:
        for n, (op, arg, _pos) in enumerate(pickletools.genops(data)):
            if n > _MAX_OPS:
                break
            if op.name == "GLOBAL" and isinstance(arg, str):
                module, _, name = arg.partition(" ")
                out.append(f"{_ALIASES.get(module, module)}.{name}")
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                module, name = strings[-2], strings[-1]
                out.append(f"{_ALIASES.get(module, module)}.{name}")
            elif isinstance(arg, str):
                strings.append(arg)
    except Exception:  # a truncated or hostile pickle ends the walk, nothing more
        return out
    return out


def check_payload(p: PayloadCheck) -> None:
    if p.data[:1] not in {b"\x80", b"c", b"(", b"]", b"}"}:
        return
    for q in callables(p.data):
        bare = q.removeprefix("builtins.")
        if pyapi.is_process(q) or bare in pyapi.EXEC or q in pyapi.EXEC:
            detail = f"The pickle ({p.chain}) calls {q} when it is loaded."
            p.parent.emit(PICKLE_CALLS, p.node, detail)
            return
