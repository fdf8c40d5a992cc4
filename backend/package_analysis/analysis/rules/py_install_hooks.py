"""PY-INSTALL-CMD-OVERRIDE and PY-INSTALL-HOOK-EXEC: setup.py replaces a command pip runs
while installing, and what that command runs."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.values import BYTECODE, DECODED, DECRYPTED, FETCHED
from ..model import Reachability
from .base import Rule, Variant
from .py_network import local
from .py_process import probe

if TYPE_CHECKING:
    from ..facts.python import PyFacts
    from ..pypass import PyCheck

CMD_OVERRIDE = Rule(
    id="PY-INSTALL-CMD-OVERRIDE",
    title="setup.py replaces a command pip runs while installing (install, egg_info, build_py…)",
    category="install-hook",
    severity="low",
    explanation=(
        "pip runs this class while installing the package. Legitimate packages rarely need it; "
        "read its run() method: anything beyond building files is executed on the installer's "
        "machine."
    ),
)
HOOK_EXEC = Rule(
    id="PY-INSTALL-HOOK-EXEC",
    title="An overridden install command runs a process, code or a network call",
    category="install-hook",
    severity="high",
    explanation=(
        "The replaced install/develop/egg_info command is where install-time malware lives: "
        "pip runs it on every machine that installs the sdist. Read exactly what it runs."
    ),
    variants={
        "probe": Variant(
            "low",
            "the process is a build-environment query with a fixed program and question "
            "(`xcrun --show-sdk-path`, `brew --prefix`, `pkg-config --libs x`)",
        ),
        "build": Variant(
            "low",
            "a build command (build_ext, build_clib, build_py, sdist…) runs a build tool "
            "(`make`, `./configure`, `cmake`, a compiler, `git`) or a command it assembles "
            "from nothing decoded or fetched: compiling native code is what those commands do",
        ),
    },
)
# commands that build artifacts, as opposed to install/develop/egg_info, which malware uses
# to run on every installing machine; sdist is never run by an installer at all
BUILD_COMMANDS = frozenset(
    {"build", "build_ext", "build_clib", "build_py", "build_scripts", "bdist_wheel", "sdist"}
)
_HIDDEN = frozenset({DECODED, FETCHED, DECRYPTED, BYTECODE})
BUILD_TOOLS = frozenset(
    {
        "make", "gmake", "nmake", "mingw32-make", "cmake", "ninja", "meson", "scons",
        "configure", "autogen.sh", "autoreconf", "autoconf", "automake", "aclocal",
        "libtoolize", "gcc", "g++", "cc", "c++", "clang", "clang++", "cl", "cl.exe", "link",
        "ld", "ar", "ranlib", "strip", "nvcc", "gfortran", "swig", "cython", "protoc", "flex",
        "bison", "yacc", "pkg-config", "git", "hg", "touch", "cp", "mkdir", "patch", "cargo",
        "rustc", "go", "msbuild", "msbuild.exe", "perl", "xcrun", "lipo", "install_name_tool",
        "patchelf", "npm", "yarn", "pnpm", "node", "bazel", "bazelisk", "gn", "b2", "bjam",
        "waf", "xmake",
    }
)  # fmt: skip
RULES = (CMD_OVERRIDE, HOOK_EXEC)


def check_python(c: PyCheck) -> None:
    f = c.facts
    classes = f.hook_classes()
    if not classes:
        return
    methods: set[int] = set()
    builders: set[int] = set()  # methods of classes that only replace build commands
    for cls in classes:
        bases = ", ".join(ast.unparse(b) for b in cls.bases)[:80]
        reach: Reachability | None = "install" if f.is_setup else None
        c.emit(CMD_OVERRIDE, cls, f"class {cls.name}({bases}).", reach=reach, line=cls.lineno)
        ids = {id(m) for m in cls.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)}
        methods |= ids
        replaced = {f.qualname(b).rsplit(".", 1)[-1] for b in cls.bases} & pyapi.INSTALL_COMMANDS
        if replaced and replaced <= BUILD_COMMANDS:  # (a mixin base of its own is no command)
            builders |= ids
    for call in f.calls:
        if call.owner not in methods:
            continue
        node = call.node
        q = f.qualname(node.func)
        runs = pyapi.is_process(q) or (pyapi.is_network(q) and not local(f, node))
        if q in pyapi.EXEC and node.args and not isinstance(node.args[0], ast.Constant):
            runs = True
        if runs and pyapi.is_process(q) and probe(node):
            detail = f"The install command asks the build environment through {q}."
            c.emit(HOOK_EXEC, node, detail, variant="probe")
        elif runs and pyapi.is_process(q) and call.owner in builders and _builds(f, node):
            program = _program(f, node) or "a command it assembles"
            c.emit(HOOK_EXEC, node, f"The build command runs {program}.", variant="build")
        elif runs:
            c.emit(HOOK_EXEC, node, f"The install command runs {q}.")


def _program(f: PyFacts, node: ast.Call) -> str | None:
    """The program a process call starts, when its command folds far enough to say."""
    word = f.pieces(node.args[0]).split(" ", 1)[0] if node.args else ""
    return word if word and "\0" not in word else None


def _builds(f: PyFacts, node: ast.Call) -> bool:
    """A build step: nothing decoded or fetched goes in, and the program is a build tool or
    cannot be named statically (a path the build computes)."""
    # (the environment handed to the child, `env=os.environ.copy()`, or CFLAGS read from it,
    # carry nothing the package ships)
    ran = [*node.args, *(k.value for k in node.keywords if k.arg not in {"env", "cwd"})]
    if any(f.value(a).origins & _HIDDEN for a in ran):
        return False
    program = _program(f, node)
    if program is None:
        return True
    name = program.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name in BUILD_TOOLS or (name.endswith((".sh", "-config")) and "/" in program)
