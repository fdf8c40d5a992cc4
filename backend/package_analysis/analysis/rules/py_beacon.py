"""PY-INSTALL-BEACON: install- or import-time code calls a collector host or a bare IP.

A library that talks to the network when it is installed or imported is already unusual
(`PY-INSTALL-NETWORK`); when the destination written in the code is a service whose only
purpose is to receive requests from strangers (interaction servers, request bins, tunnels,
paste sites, chat bots and webhooks, throw-away mock APIs) or a bare public IP address,
the call is the probe reporting home or the dropper fetching its next stage."""

from __future__ import annotations

import ast
import ipaddress
import re
from typing import TYPE_CHECKING

from ..facts import pyapi
from .base import Rule
from .py_network import call_sites, load_time_network

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

BEACON = Rule(
    id="PY-INSTALL-BEACON",
    title="Install- or import-time code calls a collector host or a bare IP address",
    category="exfiltration",
    severity="critical",
    explanation=(
        "Code that runs on install or import contacts a host that only collects requests "
        "(interaction server, request bin, tunnel, paste site, chat bot or webhook, mock API) "
        "or a bare public IP address. That is how dependency-confusion probes report the "
        "machine they landed on and how droppers fetch their next stage. Check what is sent "
        "and what is done with the answer."
    ),
    strong=True,
)
RULES = (BEACON,)

# Hosts that exist only to receive requests from strangers: interaction servers, request
# bins, tunnels to someone's machine, and throw-away deploys (a free host's generated name
# that nobody chose, such as Netlify's adjective-noun-hex). No library has a client for them.
PURE_COLLECTOR = r"""
        [a-z0-9\-]+\.(?:burpcollaborator\.net|oastify\.com|oast\.(?:fun|live|me|online|pro|site|cz)
            |interact\.sh|interactsh\.com|dnslog\.cn|ceye\.io)
      | [a-z0-9\-]+\.(?:m\.pipedream\.net|requestcatcher\.com|requestbin\.(?:net|com)
            |free\.beeceptor\.com|ngrok(?:-free)?\.(?:io|app|dev)|trycloudflare\.com|serveo\.net
            |loca\.lt|glitch\.me|repl\.co|replit\.dev)
      | [a-z]{3,14}-[a-z]{3,14}-(?=[0-9a-f]*[0-9])[0-9a-f]{6}\.netlify\.app
      | [a-z0-9]{12,}\.mockapi\.io
      | (?:[a-z0-9\-]+\.)*(?:tcp|udp)\.[a-z]{2}\.ngrok\.io
      | webhook\.site | requestrepo\.com | canarytokens\.com"""
PURE = re.compile(r"(?ix)(?:^|[^a-z0-9\-])(?:" + PURE_COLLECTOR + ")")
PURE_BYTES = re.compile(PURE.pattern.encode())
COLLECTOR = re.compile(
    r"""(?ix)
    (?:^|[^a-z0-9\-])(?:"""
    + PURE_COLLECTOR
    + r"""
      | pastebin\.com | paste\.ee
      | hastebin\.com | rentry\.(?:co|org) | transfer\.sh | 0x0\.st | bashupload\.com
      | api\.telegram\.org | discord(?:app)?\.com/api/(?:v\d+/)?webhooks
      | hooks\.slack\.com/services
    )""",
)
_IP = re.compile(
    r"^(?:[a-z][a-z0-9+.\-]*://)?(?:[^@/]*@)?(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?(?:[/?#\0]|$)"
)
# an interaction server's per-probe name: one long random label of letters and digits
_PROBE_LABEL = re.compile(
    r"(?:^|[/.@\0])((?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{24,63}\.[a-z0-9.\-]*[a-z0-9]\.[a-z]{2,})"
)
_BROWSER = {"webbrowser.open", "webbrowser.open_new", "webbrowser.open_new_tab"}
_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222"}
_PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def bare_ip(text: str) -> bool:
    """A URL or host that is a public IPv4 address (not loopback, private or link-local)."""
    m = _IP.match(text.strip())
    if not m:
        return False
    try:
        ip = ipaddress.IPv4Address(m.group(1))
    except ValueError:
        return False
    local = ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast
    # public DNS resolvers: `connect(("8.8.8.8", 80))` on a UDP socket finds the local address
    return not local and not any(ip in net for net in _PRIVATE) and str(ip) not in _RESOLVERS


def _destinations(f: PyFacts, node: ast.Call) -> list[ast.AST]:
    args: list[ast.AST] = [*node.args[:1]]
    args += [k.value for k in node.keywords if k.arg in {"url", "host", "address"}]
    out: list[ast.AST] = []
    for arg in args:
        if isinstance(arg, ast.Tuple) and arg.elts:  # socket.connect((host, port))
            out.append(arg.elts[0])
        else:
            out.append(arg)
    return out


def aimed_at(f: PyFacts, node: ast.Call) -> list[ast.AST]:
    """The arguments naming where the call goes, and for one that is a parameter of its
    function, what the module's own calls pass for it."""
    args = _destinations(f, node)
    for arg in args:
        if f.value(arg).text() is None:
            args = [*args, *call_sites(f, arg)]
    return args


def destination(f: PyFacts, node: ast.Call) -> str | None:
    """The collector host or bare IP the call is aimed at, if it is one."""
    for arg in aimed_at(f, node):
        text = f.pieces(arg)
        m = COLLECTOR.search(text)
        if m:
            return m.group(0).lstrip("/.:@\"' ")
        m = _PROBE_LABEL.search(text.lower())
        if m:
            return m.group(1)
        if bare_ip(text):
            return text.split("\0")[0][:80]
    return None


_CLIENT = re.compile(
    r"(?i)(?:^|[\s;&|(\"'`$])(?:curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|irm|nc|ncat)"
    r"(?:\.exe)?(?=[\s\"'])"
)
_URL_IP = re.compile(r"(?i)\bhttps?://(\d{1,3}(?:\.\d{1,3}){3})\b")


def shell_destination(f: PyFacts, node: ast.Call) -> str | None:
    """A command line (`curl …`, `wget …`, PowerShell's Invoke-WebRequest) that talks to a
    collector host or a bare public IP."""
    if not node.args:
        return None
    text = f.pieces(node.args[0])
    if not _CLIENT.search(text):
        return None
    m = COLLECTOR.search(text)
    if m:
        return m.group(0).lstrip("/.:@\"' ")
    for ip in _URL_IP.finditer(text):
        if bare_ip(ip.group(1)):
            return ip.group(0)
    return None


def check_python(c: PyCheck) -> None:
    f = c.facts
    seen: set[int] = set()
    for node, q in load_time_network(c):
        seen.add(id(node))
        where = destination(f, node)
        if where:
            c.emit(BEACON, node, f"Calls {q} on {where!r}.", load_time_only=True)
    for call in f.calls:  # a helper's destination is a parameter: what the module passes
        q = f.qualname(call.node.func)
        talks = pyapi.is_network(q) or q in _BROWSER  # a browser tab is a request too
        if id(call.node) in seen or not talks or not f.loadtime(call.node):
            continue
        where = destination(f, call.node)
        if where:
            c.emit(BEACON, call.node, f"Calls {q} on {where!r}.", load_time_only=True)
    for call in f.calls:
        q = f.qualname(call.node.func)
        if pyapi.is_process(q) and f.loadtime(call.node):
            where = shell_destination(f, call.node)
            if where:
                detail = f"Runs a command ({q}) that contacts {where!r}."
                c.emit(BEACON, call.node, detail, load_time_only=True)
