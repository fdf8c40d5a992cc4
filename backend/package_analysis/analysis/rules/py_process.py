"""PY-INSTALL-PROCESS: install- or import-time code starts a process."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

from ..facts import pyapi
from ..facts.python import strings
from .base import Rule, Variant

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

PROCESS = Rule(
    id="PY-INSTALL-PROCESS",
    title="Install- or import-time code starts a process",
    category="process",
    severity="medium",
    explanation=(
        "A process started from setup.py, a build hook, a .pth file or a package's top-level "
        "code runs with the installing user's rights. Check what command it runs and where its "
        "arguments come from."
    ),
    variants={
        "inline-shell": Variant(
            "high",
            "the process is a shell, PowerShell, a script host or `pip install` handed inline code",
        ),
        "probe": Variant(
            "low",
            "a build-environment query with a fixed program and question (`xcrun "
            "--show-sdk-path`, `brew --prefix`, `pkg-config --cflags x`, `git describe`, "
            "`cc --version`): it reads the machine, it runs nothing it was handed",
        ),
        "own-interpreter": Variant(
            "low",
            "the process is the running Python (`sys.executable`) on a script file, no inline "
            "code: the script's own code is what to judge, and it is scanned where it lies",
        ),
    },
)
RULES = (PROCESS,)
_SHELL_LAUNCH = re.compile(
    r"^(?i:powershell|pwsh|cmd|wscript|cscript|mshta|rundll32|regsvr32|start|bash|sh|pythonw)"
    r"(?i:\.exe)?$"
    # inline-code flags as interpreters spell them: `-c`/`-e` lower case (a compiler's `-E`
    # preprocesses, `-C` keeps comments), cmd's `/c` either case, PowerShell's `-enc…`
    r"|^-[ce]$|^/[cC]$|^-(?i:enc|encodedcommand)$"
)


def check_python(c: PyCheck) -> None:
    f = c.facts
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if not pyapi.is_process(q) or not f.loadtime(node):
            continue
        words = [
            w.strip().split(" ")[0]
            for a in [*node.args, *(k.value for k in node.keywords)]
            for w in strings(f, a)
        ]
        launch = [w for w in words if _SHELL_LAUNCH.match(w)]
        if launch and all(_NEEDS_FLAG.match(w) for w in launch):
            launch = []  # `bash postBuild`: a shell on a script file of the tree, no inline code
        if "pip" in words and "install" in words:
            launch.append("pip install")
        if launch:
            detail = f"Calls {q} to run inline code through {launch[0]!r}."
            c.emit(PROCESS, node, detail, variant="inline-shell", load_time_only=True)
        elif probe(node, f):
            detail = f"Calls {q} to ask the build environment ({' '.join(words[:3])})."
            c.emit(PROCESS, node, detail, variant="probe", load_time_only=True)
        elif own_interpreter(f, node) and "-m" not in words:
            detail = f"Calls {q} to run a script with this Python interpreter."
            c.emit(PROCESS, node, detail, variant="own-interpreter", load_time_only=True)
        else:
            c.emit(PROCESS, node, f"Calls {q}.", load_time_only=True)


# shells that run inline code only when handed their inline flag (`-c`, `/c`)
_NEEDS_FLAG = re.compile(r"^(?i:bash|sh|zsh|dash|cmd)(?i:\.exe)?$")


def own_interpreter(f: PyFacts, node: ast.Call) -> bool:
    """`[sys.executable, …]` as the command."""
    first = node.args[0] if node.args else None
    if isinstance(first, ast.Name):  # `cmd = [sys.executable, script]; run(cmd)`
        bound = [b for b in f.bindings.get(first.id, []) if not isinstance(b, str)]
        first = bound[0] if len(bound) == 1 else first
    return (
        isinstance(first, ast.List | ast.Tuple)
        and bool(first.elts)
        and f.qualname(first.elts[0]) == "sys.executable"
    )


# build-environment questions: program → the first arguments that only ask (None: any)
_QUERIES: dict[str, frozenset[str] | None] = {
    "xcrun": frozenset({"--show-sdk-path", "--show-sdk-version", "--show-sdk-platform-path",
                        "--sdk", "--find", "-f"}),
    "xcode-select": frozenset({"-p", "--print-path", "--version"}),
    "brew": frozenset({"--prefix", "--cellar", "--repository", "--version"}),
    "git": frozenset({"describe", "rev-parse", "log", "status", "ls-files", "show", "rev-list",
                      "--version"}),
    "pkg-config": None, "pkgconf": None, "uname": None, "sw_vers": None, "lsb_release": None,
    "getconf": None, "nproc": None,
    "cygpath": None,  # Cygwin's path converter: `cygpath -w /usr/lib` prints a Windows path
}  # fmt: skip
_VERSION_FLAGS = {"--version", "-dumpversion", "-dumpfullversion", "-dumpmachine", "-V"}
# a compiler asked where its files are or what it targets (`gcc -print-multiarch`,
# `cc -print-file-name=libgfortran.so`, `clang -print-search-dirs`): it compiles nothing
_COMPILERS = {"gcc", "cc", "c++", "g++", "clang", "clang++", "gfortran", "icc", "icx"}
_COMPILER_ASKS = ("-print-", "-dump")
_SHELL_SYNTAX = re.compile(r"[;&|$`<>(){}\n]")
_CONFIG_TOOL = re.compile(r"[\w+.-]+[-_]config$")  # pg_config, llvm-config, sdl2-config


def probe(node: ast.Call, f: PyFacts | None = None) -> bool:
    """A process call whose command is a literal list (or, with the facts, a name bound to
    one, a parameter handed one, a plain command string) asking the build environment a
    question: a query tool with an asking first argument, a `*-config` tool, or any
    program asked only for its version."""
    first = node.args[0] if node.args else None
    words: list[Any]
    if isinstance(first, ast.List | ast.Tuple) and first.elts:
        words = [e.value if isinstance(e, ast.Constant) else None for e in first.elts]
    elif isinstance(first, ast.Name) and f is not None and _handed(f, node, first.id):
        # a helper's parameter (`def _run(cmd): check_output(cmd)`): every local call hands
        # it a probe
        calls = _handed(f, node, first.id)
        return all(probe(ast.Call(func=node.func, args=[a], keywords=[]), f) for a in calls)
    elif first is not None and f is not None:
        data = f.value(first).data
        if isinstance(data, str) and not _SHELL_SYNTAX.search(data):
            data = data.split()
        if not isinstance(data, list) or not data:
            return False
        words = list(data)
    else:
        return False
    if not isinstance(words[0], str) or _SHELL_LAUNCH.match(words[0]):
        return False
    program = words[0].rsplit("/", 1)[-1]
    if program in _QUERIES:
        asks = _QUERIES[program]
        return asks is None or (len(words) > 1 and words[1] in asks)
    rest = words[1:]
    if program in _COMPILERS and rest and all(str(w).startswith(_COMPILER_ASKS) for w in rest):
        return True  # (else it may still ask only for its version, below)
    return bool(_CONFIG_TOOL.match(program)) or (len(words) == 2 and words[1] in _VERSION_FLAGS)


def _handed(f: PyFacts, node: ast.Call, name: str) -> list[ast.expr]:
    """What the module's own calls hand parameter `name` of the function holding `node`."""
    owner = f.owner.get(id(node))
    for fname, defs in f.defs.items():
        for d in defs:
            if id(d) != owner or not isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [a.arg for a in d.args.args]
            if name not in params:
                return []
            at = params.index(name)
            return [
                c.node.args[at]
                for c in f.calls
                if isinstance(c.node.func, ast.Name)
                and c.node.func.id == fname
                and len(c.node.args) > at
            ]
    return []
