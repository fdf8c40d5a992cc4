"""PY-HIDDEN-ENDPOINT: a network call whose address was decoded from a literal."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.values import DECODED, DECRYPTED
from .base import Rule, Variant

if TYPE_CHECKING:
    from ..pypass import PyCheck

HIDDEN_ENDPOINT = Rule(
    id="PY-HIDDEN-ENDPOINT",
    title="Talks to a network address the code keeps encoded (base64, hex, reversed, XOR…)",
    category="exfiltration",
    severity="critical",
    explanation=(
        "An address written in the code is there for everyone to read; one kept encoded and "
        "decoded just before the request is hidden from reviewers and scanners on purpose. "
        "Decode it offline and check what is sent there."
    ),
    variants={
        "fetch": Variant(
            "high",
            "the call only asks (a GET without a body): what comes back is what to check",
        ),
    },
    strong=True,
)
RULES = (HIDDEN_ENDPOINT,)
_ADDRESS = re.compile(r"^(https?|wss?|ftp)://[^\s/]+|^\d{1,3}(\.\d{1,3}){3}(:\d+)?$", re.I)
_BODY = {"data", "json", "files", "body", "content"}


def check_python(c: PyCheck) -> None:
    f = c.facts
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if not pyapi.is_network(q):
            continue
        url = next((k.value for k in node.keywords if k.arg == "url"), None)
        url = url if url is not None else (node.args[0] if node.args else None)
        if url is None:
            continue
        value = f.value(url)
        text = value.text() or ""
        if not value.origins & {DECODED, DECRYPTED} or not _ADDRESS.match(text.strip()):
            continue
        verb = q.rsplit(".", 1)[-1]
        body = any(k.arg in _BODY for k in node.keywords) or (
            verb in {"post", "put", "patch", "urlopen", "Request"} and len(node.args) > 1
        )
        detail = f"{q} to {text.strip()[:80]!r}, decoded from a literal."
        if body or verb in {"post", "put", "patch"}:
            c.emit(HIDDEN_ENDPOINT, node, f"Sends data with {detail}", chain=value)
        else:
            c.emit(HIDDEN_ENDPOINT, node, f"Calls {detail}", chain=value, variant="fetch")
