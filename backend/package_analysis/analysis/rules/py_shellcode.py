"""PY-SHELLCODE: machine code run from memory the module makes executable (ctypes/mmap)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .base import Rule, Variant

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

SHELLCODE = Rule(
    id="PY-SHELLCODE",
    title="Runs machine code from memory it makes executable (a ctypes/mmap shellcode loader)",
    category="dropper",
    severity="high",
    explanation=(
        "Allocating executable memory (VirtualAlloc/VirtualProtect with an execute "
        "protection, mmap or mprotect with PROT_EXEC) and then calling into it (a CFUNCTYPE "
        "made from an address, CreateThread) on install or import runs machine code no "
        "reviewer can read: the loader of a native implant. (A CPU-feature probe does the "
        "same when it is called; only code that runs by itself is reported.)"
    ),
    strong_at_load=True,
    variants={"load": Variant("critical", "on install or import")},
)
RULES = (SHELLCODE,)
# Windows page protections that allow execution; PROT_EXEC on POSIX
_EXECUTE_PAGES = {0x10, 0x20, 0x40, 0x80}
_PROT_EXEC = 4
# the protection's position among the arguments
_PROTECTORS = {
    "ctypes.lib.VirtualAlloc": 3, "ctypes.lib.VirtualAllocEx": 4, "ctypes.lib.VirtualProtect": 2,
    "ctypes.lib.VirtualProtectEx": 3, "ctypes.lib.mprotect": 2, "mmap.mmap": 3,
}  # fmt: skip
_RUNNERS = {
    "ctypes.CFUNCTYPE()()", "ctypes.WINFUNCTYPE()()", "ctypes.PYFUNCTYPE()()",
    "ctypes.lib.CreateThread", "ctypes.lib.CreateRemoteThread", "ctypes.lib.QueueUserAPC",
    "ctypes.lib.EnumSystemLocalesA", "ctypes.lib.EnumWindows", "ctypes.lib.CreateFiber",
}  # fmt: skip


def check_python(c: PyCheck) -> None:
    f = c.facts
    executable = [call.node for call in f.calls if _executable(f, call.node)]
    if not executable:
        return
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if q not in _RUNNERS:
            continue
        if not f.loadtime(node):
            continue  # a CPUID probe called when asked (archspec, uv's interpreter query)
        made = f"{q.removesuffix('()')} on memory made executable at line {executable[0].lineno}"
        c.emit(SHELLCODE, node, f"Calls {made}.", variant="load", load_time_only=True)
        return


def _executable(f: PyFacts, node: ast.Call) -> bool:
    """A call that maps or re-protects memory as executable."""
    q = f.qualname(node.func)
    at = _PROTECTORS.get(q)
    if at is None:
        return False
    prot = node.args[at] if len(node.args) > at else None
    prot = next((k.value for k in node.keywords if k.arg in {"prot", "flNewProtect"}), prot)
    if prot is None:
        return False
    names = [n.attr if isinstance(n, ast.Attribute) else n.id
             for n in ast.walk(prot) if isinstance(n, ast.Attribute | ast.Name)]  # fmt: skip
    if any("EXEC" in name for name in names):  # PROT_EXEC, PAGE_EXECUTE_READWRITE
        return True
    value = f.value(prot).data
    if not isinstance(value, int):
        return False
    if q.startswith("ctypes.lib.Virtual"):
        return value in _EXECUTE_PAGES
    return bool(value & _PROT_EXEC)
