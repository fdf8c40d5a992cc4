"""PY-EMBEDDED-EXECUTABLE: a Windows or Linux executable hidden in a string literal (base64,
hex…) of Python code; worse when the same module starts a process where it loads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..facts import pyapi
from .base import Rule, Variant

if TYPE_CHECKING:
    from ..pypass import PayloadCheck

EMBEDDED = Rule(
    id="PY-EMBEDDED-EXECUTABLE",
    title="A string literal decodes to a native executable (PE or ELF)",
    category="dropper",
    severity="high",
    explanation=(
        "An executable encoded inside source code is a dropper's cargo: it is written to disk "
        "and started, and nothing it does was ever in the package for review. Packages that "
        "need helpers ship them as files; check what writes and starts this one."
    ),
    variants={"started": Variant("critical", "the module also starts a process where it loads")},
    strong=True,
)
RULES = (EMBEDDED,)


def _kind(data: bytes) -> str:
    if data[:2] == b"MZ" and b"PE\0\0" in data[:4096]:
        return "PE"
    if data[:4] == b"\x7fELF":
        return "ELF"
    if data[:4] in {b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"}:
        return "Mach-O"
    return ""


def check_payload(p: PayloadCheck) -> None:
    kind = _kind(p.data)
    if not kind or p.parent.depth:
        return
    f = p.parent.facts
    starts = any(
        pyapi.is_process(f.qualname(c.node.func)) and (f.loadtime_all or p.parent.loadtime(c.node))
        for c in f.calls
    )
    p.parent.emit(
        EMBEDDED,
        p.node,
        f"The literal decodes ({p.chain}) to a {kind} executable of {len(p.data)} bytes.",
        variant="started" if starts else "",
    )
