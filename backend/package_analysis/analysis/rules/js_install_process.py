"""JS-INSTALL-PROCESS-HIDDEN: an install script starts a process whose command cannot be read
in the package (computed, read from a file, handed to a shell) or that it hides (detached,
output discarded). A fixed, visible command (`node-gyp rebuild`, `git --version`) is the
ordinary JS-CHILD-PROCESS."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import Rule
from .js_process_network import spawns

if TYPE_CHECKING:
    import tree_sitter

    from ..facts.javascript import JsFacts
    from ..jspass import JsCheck

HIDDEN = Rule(
    id="JS-INSTALL-PROCESS-HIDDEN",
    title="An install script starts a hidden process or one whose command is not in the package",
    category="process",
    severity="high",
    explanation=(
        "npm runs install scripts on every machine that installs the package. A process "
        "started detached with its output thrown away, or a shell given a command built at "
        "run time, does work nobody can review. Find where the command comes from."
    ),
)
RULES = (HIDDEN,)
_SHELLS = {"sh", "bash", "zsh", "dash", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"}
_HIDING = re.compile(r"detached\s*:\s*true|\.unref\(\)")


def check_javascript(js: JsCheck) -> None:
    facts = js.facts
    if facts is None or not js.loadtime_all or js.ctx.reach != "install":
        return
    for call, fn in facts.calls:
        q = facts.qualname(fn)
        if not spawns(q):
            continue
        args = call.child_by_field_name("arguments")
        nodes = args.named_children if args is not None else []
        command = facts.fold(nodes[0]) if nodes else None
        rest = facts.text(args, 2000) if args is not None else ""
        statement = facts.text(call.parent, 2000) if call.parent is not None else rest
        reason = ""
        if command is not None and _shell(command) and nodes[1:] and not _constant(facts, nodes[1]):
            reason = "a shell runs a command built at run time"
        elif _HIDING.search(rest) or _HIDING.search(statement):
            reason = "it is detached from the install and its output discarded"
        if reason:
            js.emit(HIDDEN, call, f"{q}: {reason}.")


def _shell(command: str) -> bool:
    return command.strip().lower().rsplit("/", 1)[-1] in _SHELLS


def _constant(facts: JsFacts, node: tree_sitter.Node) -> bool:
    """Whether an argument (a string or an array of strings) folds to constants."""
    if node.type == "array":
        return all(facts.fold(child) is not None for child in node.named_children)
    return facts.fold(node) is not None
