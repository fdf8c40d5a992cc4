"""PY-INSTALL-NETWORK: install- or import-time code opens a network connection."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.values import LITERAL
from .base import Rule

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

NETWORK = Rule(
    id="PY-INSTALL-NETWORK",
    title="Install- or import-time code opens a network connection",
    category="network",
    severity="high",
    explanation=(
        "Installing or importing a library should not talk to the network. Check the "
        "destination and what is sent: this is how droppers fetch stage two and how "
        "dependency-confusion probes report back."
    ),
)
RULES = (NETWORK,)
LOCAL_URL = re.compile(r"^(https?://)?(localhost|127\.|0\.0\.0\.0|\[::1\])")


def call_sites(f: PyFacts, arg: ast.AST) -> list[ast.AST]:
    """When `arg` is a parameter of its function, what the module's calls pass for it."""
    if not isinstance(arg, ast.Name):
        return []
    owner = f.owner.get(id(arg))
    func = next(
        (d for ds in f.defs.values() for d in ds if id(d) == owner and hasattr(d, "args")), None
    )
    if func is None:
        return []
    names = [a.arg for a in func.args.args]
    if arg.id not in names:
        return []
    index = names.index(arg.id) - (1 if names and names[0] in {"self", "cls"} else 0)
    out: list[ast.AST] = []
    for call in f.calls:
        callee = call.node.func
        name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
        if name == func.name and 0 <= index < len(call.node.args):
            out.append(call.node.args[index])
    return out[:20]


def fixed_destination(f: PyFacts, node: ast.Call) -> bool:
    """The call's target is written in the code (a literal, folded or assigned), not
    something handed in by the caller."""
    args = [*node.args[:1], *(k.value for k in node.keywords if k.arg in {"url", "host"})]
    return any(LITERAL in f.value(a).origins for a in args)


def _connected(f: PyFacts, node: ast.Call) -> bool:
    """A socket's send whose socket the module connects to a fixed host (`s.connect((h, p))`)."""
    recv = node.func.value if isinstance(node.func, ast.Attribute) else None
    if not isinstance(recv, ast.Name):
        return False
    for call in f.calls:
        func = call.node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "connect"
            and isinstance(func.value, ast.Name)
            and func.value.id == recv.id
        ):
            return socket_to_fixed_host(f, call.node, "socket.connect")
    return False


def client_call(f: PyFacts, node: ast.Call) -> ast.Call | None:
    """The call that made the client object a method is called on: `X(…).m()`, or `c.m()`
    with `c = X(…)` bound once."""
    recv = node.func.value if isinstance(node.func, ast.Attribute) else None
    if isinstance(recv, ast.Name):
        bound = [b for b in f.bindings.get(recv.id, []) if not isinstance(b, str)]
        recv = bound[0] if len(bound) == 1 else None
    if isinstance(recv, ast.Await):  # `reader, writer = await asyncio.open_connection(…)`
        recv = recv.value
    return recv if isinstance(recv, ast.Call) else None


def local(f: PyFacts, node: ast.Call) -> bool:
    first = f.value(node.args[0]).text() if node.args else None
    return first is not None and LOCAL_URL.match(first) is not None


def socket_to_fixed_host(f: PyFacts, node: ast.Call, q: str) -> bool:
    """`s.connect((host, port))`, and a datagram's `s.sendto(data, (host, port))`, to a
    host written in the code."""
    if q.endswith(".connect") and node.args:
        dest = node.args[0]
    elif q.endswith(".sendto") and len(node.args) >= 2:
        dest = node.args[-1]
    else:
        return False
    return (
        isinstance(dest, ast.Tuple)
        and len(dest.elts) == 2
        and isinstance(f.value(dest.elts[0]).data, str | bytes)
    )


def load_time_network(c: PyCheck) -> list[tuple[ast.Call, str]]:
    """Network calls at load time to a fixed, non-local destination (install: any)."""
    f = c.facts
    out = []
    for call in f.calls:
        node = call.node
        if not f.loadtime(node):
            continue
        q = f.qualname(node.func)
        if pyapi.is_network(q):
            made = client_call(f, node) if "()." in q else None  # `c = FTP(host); c.stor…`
            if q.startswith("socket.socket()."):  # made for a family, connected elsewhere
                fixed = c.reach(node) == "install" or _connected(f, node)
                fixed = fixed or socket_to_fixed_host(f, node, q)
            else:
                fixed = c.reach(node) == "install" or fixed_destination(f, node)
                fixed = fixed or (made is not None and fixed_destination(f, made))
            if fixed and not local(f, made or node):
                out.append((node, q))
        elif socket_to_fixed_host(f, node, q):
            out.append((node, q))
    return out


def check_python(c: PyCheck) -> None:
    for node, q in load_time_network(c):
        detail = "Connects a socket to a fixed host." if q.endswith(".connect") else f"Calls {q}."
        c.emit(NETWORK, node, detail, load_time_only=True)
