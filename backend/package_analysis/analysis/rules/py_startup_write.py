"""PY-STARTUP-WRITE: install- or import-time code writes into a file that runs at logon."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from ..facts.values import DECODED, FETCHED, Value
from .base import Rule, Variant
from .py_shell_fetch import FETCH_AND_RUN

if TYPE_CHECKING:
    from ..pypass import PyCheck

STARTUP_WRITE = Rule(
    id="PY-STARTUP-WRITE",
    title=(
        "Writes into a shell, autostart or Python startup file on install or import, "
        "or plants downloaded code there"
    ),
    category="persistence",
    severity="high",
    explanation=(
        "Shell startup files (~/.bashrc, ~/.profile, ~/.zshrc…), the Windows Startup folder, "
        "LaunchAgents and XDG autostart run their content at every logon; a `.pth` file or "
        "sitecustomize.py in a site-packages folder runs at every Python start. A package that "
        "writes there while it is installed or imported plants code that outlives it; the "
        "path is often assembled from pieces so no text rule sees it. Read what is written."
    ),
    strong_at_load=True,
    variants={
        "fetched": Variant(
            "critical",
            "code anywhere in the package writes downloaded or decoded content there: a "
            "dropper planting its next stage for every logon",
        ),
        "fetch-command": Variant(
            "critical",
            "what it writes there is a command that downloads and runs code: every logon "
            "fetches the next stage",
        ),
    },
)
RULES = (STARTUP_WRITE,)

_OPENERS = {"open", "io.open", "builtins.open", "codecs.open"}
_WRITE = ("w", "a", "x", "+")
STARTUP = re.compile(
    r"""(?ix)
    (?:^|[/\\])\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|kshrc|cshrc)$
    | Start\ Menu[/\\]+Programs[/\\]+Startup
    | Library/LaunchAgents/ | \.config/autostart/ | /etc/cron | /etc/profile\.d/ | /etc/rc\.local$
    | \.config/systemd/user/ | /etc/systemd/system/
    """
)
# the interpreter's own startup files: a `.pth` line starting with `import` and
# sitecustomize/usercustomize run at every Python start, when they sit in a site directory
_INTERPRETER_STARTUP = re.compile(r"(?i)(?:\.pth|(?:^|[/\\])(?:site|user)customize\.py)$")
_SITE_DIRS = {
    "site.getsitepackages", "site.getusersitepackages", "site.USER_SITE", "site.PREFIXES",
    "sysconfig.get_path", "sysconfig.get_paths", "distutils.sysconfig.get_python_lib",
    "sysconfig.get_python_lib",
}  # fmt: skip
_SITE_TEXT = re.compile(r"(?:site|dist)-packages")
_PATH_WRITES = {"write_text", "write_bytes"}
_REG_SETTERS = {"SetValueEx", "SetValue"}
_RUN_KEY = re.compile(r"CurrentVersion\\+Run(Once)?\b|\\Winlogon\b", re.I)


def _mode(c: PyCheck, node: ast.Call) -> str:
    mode = node.args[1] if len(node.args) > 1 else None
    mode = mode or next((k.value for k in node.keywords if k.arg == "mode"), None)
    return (c.facts.value(mode).text() or "") if mode is not None else "r"


def check_python(c: PyCheck) -> None:
    f = c.facts
    for call in f.calls:
        node = call.node
        _other_writes(c, node)
        if not node.args or f.qualname(node.func) not in _OPENERS:
            continue
        if not any(m in _mode(c, node) for m in _WRITE):
            continue
        path = f.pieces(node.args[0]).replace("\0", "*")
        if not (STARTUP.search(path) or _interpreter_startup(c, node.args[0], path)):
            continue
        detail = f"Opens {path[:120]!r} for writing."
        planted = _planted(c, node)
        command = _fetch_command(c, node) if planted is None and f.loadtime(node) else ""
        if command:
            detail += f" It writes a command that fetches and runs code: {command[:120]!r}."
            c.emit(STARTUP_WRITE, node, detail, variant="fetch-command", load_time_only=True)
        elif planted is not None:
            detail += " What it writes was downloaded or decoded."
            c.emit(STARTUP_WRITE, node, detail, variant="fetched", chain=planted)
        elif f.loadtime(node):
            c.emit(STARTUP_WRITE, node, detail, load_time_only=True)


def _interpreter_startup(c: PyCheck, expr: ast.expr, path: str) -> bool:
    """A `.pth` file or sitecustomize.py in a site directory (`site.getsitepackages()`,
    `sysconfig.get_paths()["purelib"]`, a path naming site-packages): Python runs it at
    every start. A `.pth` elsewhere is data (PyTorch saves weights as `.pth`)."""
    return bool(_INTERPRETER_STARTUP.search(path)) and (
        bool(_SITE_TEXT.search(path)) or _names_site_dir(c, expr)
    )


def _names_site_dir(c: PyCheck, expr: ast.AST, seen: set[str] | None = None) -> bool:
    """Whether a path is built from a site directory, through the names it uses (each
    followed once)."""
    f = c.facts
    seen = set() if seen is None else seen
    for n in ast.walk(expr):
        if (
            isinstance(n, ast.Call | ast.Attribute)
            and f.qualname(n.func if isinstance(n, ast.Call) else n) in _SITE_DIRS
        ):
            return True
        if isinstance(n, ast.Name) and n.id not in seen and len(seen) < 16:
            seen.add(n.id)
            bound = [b for b in f.bindings.get(n.id, [])[:8] if not isinstance(b, str)]
            if any(_names_site_dir(c, b, seen) for b in bound):
                return True
    return False


def _other_writes(c: PyCheck, node: ast.Call) -> None:
    """At load time: `Path(…).write_text(…)` into a startup location, a registry value set
    under a Run (or Winlogon) key."""
    f = c.facts
    func = node.func
    if not (isinstance(func, ast.Attribute) and f.loadtime(node)):
        return
    if func.attr in _PATH_WRITES:
        path = f.pieces(func.value).replace("\0", "*")
        if STARTUP.search(path) or _interpreter_startup(c, func.value, path):
            c.emit(STARTUP_WRITE, node, f"Writes {path[:120]!r}.", load_time_only=True)
    elif func.attr in _REG_SETTERS and node.args and f.qualname(func).startswith(_REGISTRY):
        key = node.args[0]
        bound = f.bindings.get(key.id, []) if isinstance(key, ast.Name) else [key]
        opened = [b for b in bound if isinstance(b, ast.Call)]
        text = " ".join(f.pieces(a) for b in opened for a in b.args[1:2])
        if _RUN_KEY.search(text):
            c.emit(STARTUP_WRITE, node, f"Sets a value under {text[:120]!r}.", load_time_only=True)


_REGISTRY = ("winreg.", "_winreg.", "win32api.Reg")


def _writes(c: PyCheck, opened: ast.Call) -> list[ast.expr]:
    """What is written through the file `opened` returns (`open(p).write(x)`,
    `with open(p) as fh: fh.write(x)`)."""
    f = c.facts
    out = []
    for call in f.calls:
        func = call.node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "write" and call.node.args):
            continue
        handle = func.value
        bound = f.bindings.get(handle.id, []) if isinstance(handle, ast.Name) else []
        if handle is opened or any(b is opened for b in bound):
            out.append(call.node.args[0])
    return out


def _fetch_command(c: PyCheck, opened: ast.Call) -> str:
    """A download-and-run command line written through `opened` (`curl … | sh`, `iwr … | iex`)."""
    for arg in _writes(c, opened):
        m = FETCH_AND_RUN.search(c.facts.pieces(arg).replace("\0", " "))
        if m:
            return m.group(0)
    return ""


def _planted(c: PyCheck, opened: ast.Call) -> Value | None:
    """Downloaded or decoded data written through the file `opened` returns
    (`with open(p, "wb") as fh: fh.write(requests.get(u).content)`)."""
    for arg in _writes(c, opened):
        v = c.facts.value(arg)
        if v.origins & {FETCHED, DECODED}:
            return v
    return None
