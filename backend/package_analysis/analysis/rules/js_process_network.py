"""JS-CHILD-PROCESS, JS-NETWORK and JS-ENV-EXFIL: what install- or import-time JavaScript
runs, where it connects, and whether it sends host data there."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule, Variant

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
    variants={
        "node-probe": Variant(
            "low",
            "node itself evaluates a short constant program that loads nothing but process, "
            "os, path or util: a question about the runtime (a platform or libc probe)",
        )
    },
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
            probe = _node_probe(js, call)
            detail = f"Calls {q}: node itself runs {probe!r}." if probe else f"Calls {q}."
            js.emit(CHILD_PROCESS, call, detail, variant="node-probe" if probe else "")
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


_EVAL_FLAGS = {"-p", "-e", "--print", "--eval"}
_PROBE_MODULES = {"process", "os", "path", "util"}
_LOADED = re.compile(r"""require\(\s*['"`](?:node:)?([\w./@-]+)['"`]\s*\)""")
# anything that could reach further than reading the runtime: more processes, the network,
# files, other loaders, code built at run time, escapes that could spell any of them
_REACHES = re.compile(
    r"\b(child_process|spawn\w*|exec\w*|fork|eval|Function|import|https?|net|dns|tls|dgram"
    r"|fetch|socket|fs|write\w*|unlink\w*|rm\w*|Buffer|atob)\b"
    r"|require\s*\.|process\s*\.\s*(binding|dlopen|env)|\\|%[0-9a-f]{2}"
)


def _node_probe(js: JsCheck, call: object) -> str:
    """The program when a spawn runs node itself (`process.execPath`) with `-p`/`-e` and a
    short constant program that loads only process/os/path/util and reaches nothing else
    (rollup's libc probe); "" otherwise."""
    facts = js.facts
    assert facts is not None
    args = call.child_by_field_name("arguments")  # type: ignore[attr-defined]
    kids = args.named_children if args is not None else []
    if len(kids) < 2 or facts.qualname(kids[0]) != "process.execPath":
        return ""
    argv = kids[1]
    if argv.type == "identifier":
        argv = facts.consts.get(facts.text(argv), argv)
    items = argv.named_children if argv.type == "array" else []
    if len(items) != 2 or facts.fold(items[0]) not in _EVAL_FLAGS:
        return ""
    program = facts.fold(items[1]) or ""
    if not program or len(program) > 400:
        return ""
    loaded = set(_LOADED.findall(program))
    if not loaded <= _PROBE_MODULES or _REACHES.search(_LOADED.sub("", program)):
        return ""
    return program


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
