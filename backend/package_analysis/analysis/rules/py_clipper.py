"""PY-CLIPBOARD-HIJACK: load-time code watches the clipboard and swaps crypto addresses."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PyCheck

CLIPPER = Rule(
    id="PY-CLIPBOARD-HIJACK",
    title="Load-time code reads and rewrites the clipboard next to crypto-address patterns",
    category="wallet-hijack",
    severity="critical",
    explanation=(
        "Reading the clipboard, matching it against wallet-address patterns and writing "
        "another value back, in code that starts by itself on install or import (often a "
        "background thread), is a crypto clipper: a copied payment address is replaced "
        "with the attacker's. No library touches the clipboard before it is asked to."
    ),
    strong=True,
)
RULES = (CLIPPER,)
_READS = {
    "pyperclip.paste", "win32clipboard.GetClipboardData", "clipboard.paste",
    "pyclip.paste", "xerox.paste", "klembord.get",
}  # fmt: skip
_WRITES = {
    "pyperclip.copy", "win32clipboard.SetClipboardData", "win32clipboard.SetClipboardText",
    "clipboard.copy", "pyclip.copy", "xerox.copy", "klembord.set",
}  # fmt: skip
_METHODS = {"clipboard_get": "read", "clipboard_append": "write"}  # tkinter
# wallet address shapes as they appear in a regular expression or a literal
_ADDRESS = re.compile(
    r"bc1|\(1\|3\)|\[13\]|0x\[a-fA-F0-9\]\{40\}|0x\[0-9a-fA-F\]\{40\}|\bT\[1-9A-HJ-NP-Za-km-z\]"
    r"|\b(bc1q[0-9a-z]{30,}|0x[0-9a-fA-F]{40}|T[1-9A-HJ-NP-Za-km-z]{33})\b"
)


def check_python(c: PyCheck) -> None:
    f = c.facts
    reads, writes = [], []
    for call in f.calls:
        node = call.node
        if not f.loadtime(node):
            continue
        q = f.qualname(node.func)
        kind = _METHODS.get(q.rsplit(".", 1)[-1], "")
        if q in _READS or kind == "read":
            reads.append(node)
        elif q in _WRITES or kind == "write":
            writes.append(node)
    if not (reads and writes):
        return
    if not any(isinstance(n.value, str) and _ADDRESS.search(n.value) for n in f.constants):
        return
    c.emit(CLIPPER, writes[0], "Reads the clipboard, matches wallet addresses, writes it back.")
