"""PY-DOWNLOAD-EXEC: load-time code downloads something and executes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.values import FETCHED
from .base import Rule
from .py_exec import reads_file
from .py_network import load_time_network

if TYPE_CHECKING:
    from ..pypass import PyCheck

DOWNLOAD_EXEC = Rule(
    id="PY-DOWNLOAD-EXEC",
    title="Install- or import-time code downloads something and executes it",
    category="download-exec",
    severity="critical",
    explanation=(
        "Network access and process or code execution in the same load-time code is the shape "
        "of a dropper. Check the URL and what is run."
    ),
    strong=True,
)
RULES = (DOWNLOAD_EXEC,)


def check_python(c: PyCheck) -> None:
    f = c.facts
    runners: dict[int, int] = {}  # owner → count of load-time code runners
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if q in pyapi.EXEC or pyapi.is_process(q):
            args = node.args[:1] if q in pyapi.EXEC else node.args
            fetched = [f.value(a) for a in args if FETCHED in f.value(a).origins]
            if fetched:
                c.emit(DOWNLOAD_EXEC, node, f"{q} runs what it downloads.", chain=fetched[0])
                continue
            if not f.loadtime(node):
                continue
            if q in pyapi.EXEC and (not node.args or reads_file(f, node.args[0])):
                continue
            if (
                q in pyapi.EXEC
                and f.value(node.args[0]).known
                and not f.value(node.args[0]).tainted()
            ):
                continue
            runners[call.owner] = runners.get(call.owner, 0) + 1
    for node, _q in load_time_network(c):
        if runners.get(f.owner.get(id(node), 0)):
            c.emit(
                DOWNLOAD_EXEC,
                node,
                "Network access and code execution together.",
                load_time_only=True,
            )
