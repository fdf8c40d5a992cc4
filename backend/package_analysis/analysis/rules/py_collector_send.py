"""PY-COLLECTOR-SEND: an installed function sends what it is given to a collector host.

`PY-INSTALL-BEACON` covers the probe that reports home when the package is installed or
imported. The trojan function waits instead: a library call such as `connect(private_key)`
that puts its argument into a request to a host that only collects requests (a request bin,
an interaction server, a tunnel, a throw-away deploy). Nothing runs until the victim calls
it, and then the key is gone. A client library for a real service never talks to such a
host, so the destination is the evidence; the data the caller hands in is the harm."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..facts import pyapi
from .base import Rule
from .py_beacon import PURE, aimed_at

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

COLLECTOR_SEND = Rule(
    id="PY-COLLECTOR-SEND",
    title="An installed function sends the data it is given to a collector host",
    category="exfiltration",
    severity="critical",
    explanation=(
        "A function in an installed module puts a value it does not hold itself (its "
        "argument, the environment, a file) into a request to a host that only collects "
        "requests: a request bin, an interaction server, a tunnel or a throw-away deploy. "
        "That is a trojan helper: whatever the caller passes (a wallet key, a token) leaves "
        "the machine. Check who is told to call it and with what."
    ),
    strong=True,
)
RULES = (COLLECTOR_SEND,)
# keyword arguments that shape the request, not carry data
_SHAPE = {"timeout", "verify", "allow_redirects", "stream", "cert", "proxies", "method"}


def _collector(f: PyFacts, node: ast.Call) -> tuple[str, ast.AST | None]:
    """The pure collector host the call is aimed at, and the argument naming it."""
    for arg in aimed_at(f, node):
        m = PURE.search(f.pieces(arg))
        if m:
            return m.group(0).lstrip("/.:@\"' "), arg
    return "", None


def _carried(f: PyFacts, node: ast.Call, url: ast.AST | None) -> bool:
    """The request carries a value not written in the code: a piece of the URL or a
    body/params/header value the function gets from elsewhere."""
    if url is not None and "\0" in f.pieces(url):
        return True
    values = [*node.args[1:], *(k.value for k in node.keywords if k.arg not in _SHAPE)]
    values = [v for v in values if v is not url]
    return any(f.value(v).text() is None and not isinstance(v, ast.Constant) for v in values)


def check_python(c: PyCheck) -> None:
    f = c.facts
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if not pyapi.is_network(q) or f.loadtime(node):  # load time: PY-INSTALL-BEACON
            continue
        host, url = _collector(f, node)
        if host and _carried(f, node, url):
            detail = f"Calls {q} on {host!r} with data handed in at run time."
            c.emit(COLLECTOR_SEND, node, detail, load_time_only=True)
