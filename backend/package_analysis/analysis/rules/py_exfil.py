"""PY-RECON-EXFIL and PY-KEY-EXFIL: host identity or key material sent over the network."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.values import ENVIRONMENT, IDENTITY, SECRET_FILE, Value
from .base import Rule
from .py_network import load_time_network

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

RECON_EXFIL = Rule(
    id="PY-RECON-EXFIL",
    title="Install- or import-time code collects host identity and sends it over the network",
    category="exfiltration",
    severity="critical",
    explanation=(
        "Hostname, user name, working directory or environment sent to a server while "
        "installing or importing is a dependency-confusion probe or an info-stealer."
    ),
    strong=True,
)
KEY_EXFIL = Rule(
    id="PY-KEY-EXFIL",
    title="Sends a private key, wallet secret or stored credentials to a hard-coded URL",
    category="exfiltration",
    severity="critical",
    explanation=(
        "Key material and the credentials a machine stores (cloud keys in ~/.aws, tokens in "
        "config files) never need to leave it; a library that posts them to a fixed address "
        "is stealing them. Check the URL and what calls this code."
    ),
    strong=True,
)
RULES = (RECON_EXFIL, KEY_EXFIL)
_KEY_MATERIAL = re.compile(
    r"(priv(ate)?_?key|privkey|secret_?key|mnem(onic)?|seed_?phrase|seed_?words|wallet_?key|keypair)",
    re.I,
)
_CONTAINERS = (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr, ast.BinOp, ast.Call)
_STOLEN = {IDENTITY, ENVIRONMENT, SECRET_FILE}


def check_python(c: PyCheck) -> None:
    f = c.facts
    recon: dict[int, set[str]] = {}
    for call in f.calls:
        q = f.qualname(call.node.func)
        if q in pyapi.RECON and f.loadtime(call.node):
            recon.setdefault(call.owner, set()).add(q)
    for node, q in load_time_network(c):
        sent = [f.value(a) for a in [*node.args, *(k.value for k in node.keywords)]]
        stolen = [v for v in sent if v.origins & _STOLEN]
        seen = sorted(recon.get(f.owner.get(id(node), 0), set()))
        if stolen:
            kinds = sorted(set().union(*(v.origins & _STOLEN for v in stolen)))
            c.emit(
                RECON_EXFIL,
                node,
                f"Sends {', '.join(kinds)} with {q}.",
                chain=stolen[0],
                load_time_only=True,
            )
        elif seen:
            detail = f"Collects {', '.join(seen[:4])} and uses the network in the same code."
            c.emit(RECON_EXFIL, node, detail, load_time_only=True)
    carriers: set[str] | None = None  # (walked only for a module that talks to the network)
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if pyapi.is_network(q):
            carriers = _key_carriers(f) if carriers is None else carriers
            secret = _sends_key_material(f, node, carriers)
            stored = _sends_stored_secret(f, node) if not secret else None
            if secret:
                c.emit(KEY_EXFIL, node, f"Sends {secret!r} with {q}.")
            elif stored is not None:
                detail = f"Sends credentials read from a credential store with {q}."
                c.emit(KEY_EXFIL, node, detail, chain=stored)


def _sends_key_material(f: PyFacts, node: ast.Call, carriers: set[str]) -> str:
    """The secret-looking name sent by a network call to a hard-coded URL, or ''."""
    if not _hard_coded_url(f, node):
        return ""
    first = node.args[0] if node.args else None
    url = next((k.value for k in node.keywords if k.arg == "url"), first)
    rest = [*node.args[1:], *(k.value for k in node.keywords if k.arg != "url")]
    if isinstance(url, ast.JoinedStr):
        rest.append(url)
    for arg in rest:
        for n in ast.walk(arg):
            name = (
                n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else ""
            )
            material = name and (_KEY_MATERIAL.search(name) or name in carriers)
            if material and not _configured(f, name):
                return name
    return ""


def _sends_stored_secret(f: PyFacts, node: ast.Call) -> Value | None:
    """What a network call to a hard-coded URL sends that was read from a credential store
    (`~/.aws/credentials` through a config parser, a cloud SDK's `get_credentials()`) as
    content; a client authenticating with its own token (`auth=`, `headers=`) is not that."""
    if not _hard_coded_url(f, node):
        return None
    sent = [k.value for k in node.keywords if k.arg not in {"url", "auth", "headers"}]
    rest = [*node.args[1:], *sent]
    return next((v for v in map(f.value, rest) if SECRET_FILE in v.origins), None)


def _hard_coded_url(f: PyFacts, node: ast.Call) -> bool:
    first = node.args[0] if node.args else None
    url = next((k.value for k in node.keywords if k.arg == "url"), first)
    fstring = isinstance(url, ast.JoinedStr) and "http" in ast.unparse(url)[:12]
    if isinstance(url, ast.Name) and not f.value(url).known:
        url = _default(f, node, url.id) or url  # `def report(endpoint="https://…")`
    return url is not None and ((f.value(url).text() or "").startswith("http") or fstring)


def _default(f: PyFacts, node: ast.AST, name: str) -> ast.expr | None:
    """The default value of parameter `name` of the function that holds `node`."""
    owner = f.owner.get(id(node))
    for defs in f.defs.values():
        for d in defs:
            if id(d) == owner and isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef):
                a = d.args
                positional = [*a.posonlyargs, *a.args]
                tail = positional[len(positional) - len(a.defaults) :]
                pairs = list(zip(tail, a.defaults, strict=False))
                pairs += [(p, v) for p, v in zip(a.kwonlyargs, a.kw_defaults, strict=False) if v]
                return next((v for p, v in pairs if p.arg == name), None)
    return None


_CONFIG = re.compile(r"(config|conf|settings|environ|options)$", re.I)


def _configured(f: PyFacts, name: str) -> bool:
    """A name bound only to reads of the application's configuration (`app.config["X"]`,
    `settings.X`, `os.environ.get("X")`): a service credential its owner configured for
    that service (a reCAPTCHA or API secret posted to the API), not a wallet key taken
    from its owner."""
    bound = [b for b in f.bindings.get(name, []) if not isinstance(b, str)]
    return bool(bound) and all(_config_read(b) for b in bound)


def _config_read(node: ast.AST) -> bool:
    if isinstance(node, ast.Subscript):
        base: ast.AST = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr not in {"get", "getenv", "pop"}:
            return False
        base = node.func.value
    elif isinstance(node, ast.Attribute):
        base = node.value
    else:
        return False
    last = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
    return bool(_CONFIG.search(last))


def _key_carriers(f: PyFacts) -> set[str]:
    """Names assigned from something holding key material (`data = [private_key]`)."""
    out: set[str] = set()
    for name, bound in f.bindings.items():
        for value in bound:
            if isinstance(value, _CONTAINERS) and any(
                isinstance(n, ast.Name) and _KEY_MATERIAL.search(n.id) and not _configured(f, n.id)
                for n in ast.walk(value)
            ):
                out.add(name)
    return out
