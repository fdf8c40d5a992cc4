"""PY-STARTUP-WRITE: install- or import-time code writes into a file that runs at logon."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PyCheck

STARTUP_WRITE = Rule(
    id="PY-STARTUP-WRITE",
    title="Install- or import-time code writes into a shell startup file or autostart folder",
    category="persistence",
    severity="high",
    explanation=(
        "Shell startup files (~/.bashrc, ~/.profile, ~/.zshrc…), the Windows Startup folder, "
        "LaunchAgents and XDG autostart run their content at every logon. A package that "
        "writes there while it is installed or imported plants code that outlives it; the "
        "path is often assembled from pieces so no text rule sees it. Read what is written."
    ),
    strong_at_load=True,
)
RULES = (STARTUP_WRITE,)

_OPENERS = {"open", "io.open", "builtins.open", "codecs.open"}
_WRITE = ("w", "a", "x", "+")
STARTUP = re.compile(
    r"""(?ix)
    (?:^|[/\\])\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|kshrc|cshrc)$
    | Start\ Menu[/\\]+Programs[/\\]+Startup
    | Library/LaunchAgents/ | \.config/autostart/ | /etc/cron | /etc/profile\.d/ | /etc/rc\.local$
    """
)


def _mode(c: PyCheck, node: ast.Call) -> str:
    mode = node.args[1] if len(node.args) > 1 else None
    mode = mode or next((k.value for k in node.keywords if k.arg == "mode"), None)
    return (c.facts.value(mode).text() or "") if mode is not None else "r"


def check_python(c: PyCheck) -> None:
    f = c.facts
    for call in f.calls:
        node = call.node
        if not node.args or f.qualname(node.func) not in _OPENERS or not f.loadtime(node):
            continue
        if not any(m in _mode(c, node) for m in _WRITE):
            continue
        path = f.pieces(node.args[0]).replace("\0", "*")
        if STARTUP.search(path):
            detail = f"Opens {path[:120]!r} for writing."
            c.emit(STARTUP_WRITE, node, detail, load_time_only=True)
