"""JS-CHILD-PROCESS, JS-NETWORK and JS-ENV-EXFIL: what install- or import-time JavaScript
runs, where it connects, and whether it sends host data there."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..jspass import JsCheck

CHILD_PROCESS = Rule(
    id="JS-CHILD-PROCESS",
    title="Install- or import-time JavaScript starts a process",
    category="process",
    severity="medium",
    explanation=(
        "child_process in code that runs on install or require() runs commands on the "
        "developer's machine. Check the command."
    ),
)
NETWORK = Rule(
    id="JS-NETWORK",
    title="Install- or import-time JavaScript opens a network connection",
    category="network",
    severity="medium",
    explanation=(
        "Installing or requiring a library should not talk to the network. Check the "
        "destination and the payload."
    ),
)
ENV_EXFIL = Rule(
    id="JS-ENV-EXFIL",
    title="Install- or import-time JavaScript collects host data and sends it",
    category="exfiltration",
    severity="critical",
    explanation=(
        "process.env, hostname, user or directory listings sent over the network during "
        "install is a dependency-confusion probe or a token stealer."
    ),
    strong=True,
)
RULES = (CHILD_PROCESS, NETWORK, ENV_EXFIL)
SPAWNERS = {"exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync", "fork"}


def spawns(q: str) -> bool:
    """A child_process function that starts a program (`fork` starts a node module)."""
    return q.startswith("child_process.") and q.rsplit(".", 1)[-1] in SPAWNERS


NETWORK_CALLS = {
    "http.request", "http.get", "https.request", "https.get", "net.connect",
    "net.createConnection", "net.Socket", "tls.connect", "dns.lookup", "dns.resolve",
    "dns.resolve4", "dns.resolveTxt", "dns.promises.lookup", "dgram.createSocket", "fetch",
    "node-fetch", "axios", "axios.get", "axios.post", "request", "request.get", "request.post",
    "got", "needle", "XMLHttpRequest", "http2.connect", "undici.request", "undici.fetch",
}  # fmt: skip
# What identifies a host or its user. os.platform/os.arch/os.type are left out: every
# installer of a prebuilt binary reads them to pick its download.
RECON = {
    "os.hostname",
    "os.userInfo",
    "os.homedir",
    "os.networkInterfaces",
}
# CI and registry secrets a library never sends anywhere (as facts/pyfold.py's list)
_ENV_SECRET = re.compile(
    rb"process\.env(?:\.|\[\s*[\x27\x22`])(GITHUB_TOKEN|GH_TOKEN|NPM_TOKEN|NODE_AUTH_TOKEN"
    rb"|ACTIONS_RUNTIME_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN|AWS_SECRET_ACCESS_KEY"
    rb"|AWS_SESSION_TOKEN|AZURE_CLIENT_SECRET|CI_JOB_TOKEN|PYPI_TOKEN|TWINE_PASSWORD)\b"
)
_ENV_WHOLE = re.compile(rb"process\.env\b(?!\s*\.\s*[A-Za-z_$]|\s*\[)")


def check_javascript(js: JsCheck) -> None:
    facts = js.facts
    if facts is None:
        return
    network = []
    recon: list[str] = []
    for call, fn in facts.calls:
        q = facts.qualname(fn)
        if not q:
            continue
        spawn = spawns(q)
        if not (spawn or q in NETWORK_CALLS or q in RECON) or not js.loadtime(call):
            continue
        if spawn:
            js.emit(CHILD_PROCESS, call, f"Calls {q}.")
        elif q in NETWORK_CALLS:
            network.append(call)
            js.emit(NETWORK, call, f"Calls {q}.")
        else:
            recon.append(q)
    if js.loadtime_all or js.entry:
        recon += _env_reads(js)
    # a big file is read a window at a time: what the earlier windows collected and sent
    seen = js.carry.setdefault(__name__, {"recon": set(), "network": None, "said": False})
    seen["recon"].update(recon)
    if network and seen["network"] is None:
        first = network[0]
        seen["network"] = (first.start_point[0] + 1, first.start_byte)
    if seen["network"] is not None and seen["recon"] and not seen["said"]:
        seen["said"] = True
        line, offset = seen["network"]
        detail = f"Collects {', '.join(sorted(seen['recon'])[:4])} and uses the network."
        if network and network[0].start_byte == offset:
            js.emit(ENV_EXFIL, network[0], detail)
        else:  # the network call was in an earlier window
            js.emit(ENV_EXFIL, None, detail, line=line, offset=offset)


def _env_reads(js: JsCheck) -> list[str]:
    """`process.env` used whole (not `process.env.NAME`), or a CI or registry secret read by
    name, in load-time code."""
    assert js.facts is not None
    lo, hi = js.span
    for m in _ENV_SECRET.finditer(js.data, lo, hi):
        node = js.facts.tree.root_node.descendant_for_byte_range(m.start(), m.end())
        if node is not None and js.loadtime(node):
            return [f"process.env.{m.group(1).decode()}"]
    for m in _ENV_WHOLE.finditer(js.data, lo, hi):
        before = js.data[max(0, m.start() - 40) : m.start()].rstrip()
        if before.endswith(b"...") or re.search(rb"\}\s*=$", before):
            continue  # copied into a child's env, or one variable destructured
        node = js.facts.tree.root_node.descendant_for_byte_range(m.start(), m.end())
        if node is not None and js.loadtime(node):
            return ["process.env"]
    return []
