"""The Python pass: parse (never run) a module and look at what its load-time code does.

Load-time code is what runs when the file is used as intended without calling anything:
all of setup.py, in-tree build backends and .pth lines (reachability `install`/`import`),
and the top level of every other module plus whatever the top level calls or references
(`import`). Function bodies nobody calls at load time are `runtime`. Rules about ordinary
APIs (processes, network, exec) only fire on load-time code; rules about hiding code
(exec of decoded data, bytecode, encoded payloads) fire everywhere.
"""

from __future__ import annotations

import ast
import contextlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator

import yara_x

from ..model import Severity
from . import content, decode
from .base import FileCtx, Sink, text_line

MAX_AST_SOURCE = 1024 * 1024  # larger .py files are generated data; content rules still run
MAX_NODES = 400_000
MAX_DECODE_DEPTH = 3

PROCESS = {
    "os.system",
    "os.popen",
    "os.startfile",
    "os.execl",
    "os.execle",
    "os.execlp",
    "os.execv",
    "os.execve",
    "os.execvp",
    "os.execvpe",
    "os.spawnl",
    "os.spawnv",
    "os.spawnve",
    "os.spawnlp",
    "os.posix_spawn",
    "os.posix_spawnp",
    "subprocess.Popen",
    "subprocess.call",
    "subprocess.run",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "pty.spawn",
    "commands.getoutput",
    "asyncio.create_subprocess_shell",
    "asyncio.create_subprocess_exec",
    "ctypes.windll.shell32.ShellExecuteW",
    "win32api.ShellExecute",
}
NETWORK = {
    "urllib.request.urlopen",
    "urllib.request.urlretrieve",
    "urllib.urlopen",
    "urllib.urlretrieve",
    "urllib2.urlopen",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.patch",
    "requests.request",
    "requests.head",
    "httpx.get",
    "httpx.post",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
    "httplib.HTTPConnection",
    "httplib.HTTPSConnection",
    "socket.create_connection",
    "socket.gethostbyname",
    "ftplib.FTP",
    "smtplib.SMTP",
    "smtplib.SMTP_SSL",
    "telnetlib.Telnet",
    "urllib3.request",
    "wget.download",
    "dns.resolver.resolve",
    "dns.resolver.query",
    "pycurl.Curl",
}
RECON = {
    "socket.gethostname",
    "socket.getfqdn",
    "getpass.getuser",
    "os.getlogin",
    "os.getcwd",
    "os.uname",
    "platform.node",
    "platform.uname",
    "os.environ.copy",
    "os.environ.items",
    "psutil.users",
    "uuid.getnode",
}
EXEC = {"exec", "eval", "compile", "execfile", "builtins.exec", "builtins.eval"}
BYTECODE = {"marshal.loads", "types.CodeType", "pickle.loads"}
DECODERS = {
    "b64decode",
    "b32decode",
    "b16decode",
    "b85decode",
    "a85decode",
    "decodebytes",
    "decodestring",
    "urlsafe_b64decode",
    "standard_b64decode",
    "unhexlify",
    "a2b_base64",
    "a2b_hex",
    "fromhex",
    "decompress",
    "decrypt",
}
CODEC_NAMES = {"rot13", "rot_13", "base64", "hex", "zlib", "bz2", "hex_codec", "base64_codec"}
DANGEROUS_MODULES = {
    "os",
    "subprocess",
    "base64",
    "zlib",
    "marshal",
    "socket",
    "builtins",
    "ctypes",
    "urllib",
    "urllib.request",
    "requests",
    "codecs",
    "binascii",
    "pty",
}
INSTALL_COMMANDS = {"install", "develop", "egg_info", "bdist_egg", "easy_install"}
_OBF_NAME = re.compile(r"^(_0x[0-9a-fA-F]{3,}|[Il1]{6,}|[O0]{6,}|_{3,}[A-Za-z0-9]?)$")
_DECODER_HINT = re.compile(
    r"(decode|decompress|fromhex|unhexlify|a2b_|decrypt|reversed|::-1|chr|loads|CodeType)"
)
_RUN_METHODS = {"__init__", "__new__", "__enter__", "__init_subclass__", "__set_name__"}
_LOCAL_URL = re.compile(r"^(https?://)?(localhost|127\.|0\.0\.0\.0|\[::1\])")
_KEY_MATERIAL = re.compile(
    r"(priv(ate)?_?key|privkey|secret_?key|mnemonic|seed_?phrase|seed_?words|wallet_?key|keypair)",
    re.I,
)
_CONTAINERS = (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr, ast.BinOp, ast.Call)
# A module mentioning none of these cannot trigger a Python rule outside install-time files
# (plain substring tests: a regex alternation over every word boundary is far slower).
_TRIGGER_WORDS = (
    "exec(",
    "eval(",
    "exec,",
    "eval,",
    "execfile",
    "__import__",
    "marshal",
    "CodeType",
    "b64decode",
    "b32decode",
    "b85decode",
    "decodebytes",
    "unhexlify",
    "a2b_",
    "fromhex",
    "decompress",
    "decrypt",
    "subprocess",
    "system(",
    "popen(",
    "Popen",
    "spawn",
    "startfile",
    "pty.",
    "import pty",
    "socket.",
    "urlopen",
    "urlretrieve",
    "requests.",
    "httpx.",
    "http.client",
    "ftplib",
    "smtplib",
    "telnetlib",
    "wget",
    "ShellExecute",
    ".connect((",
    "codecs.decode",
    "builtins",
    "private_key",
    "privkey",
    "mnemonic",
    "seed_phrase",
    "keypair",
    "chr(",
    "pyarmor",
    "compile(",
    "::-1",
    "\\x",
    " " * 120,
)
_TRIGGER_SHAPES = re.compile(r"_0x[0-9a-fA-F]{3}|[Il1]{6}|[O0]{6}")
_LONG_RUN = re.compile(r"[A-Za-z0-9+/=]{40}")


def _triggers(src: str) -> bool:
    if any(word in src for word in _TRIGGER_WORDS) or _TRIGGER_SHAPES.search(src):
        return True
    return any(len(line) >= 40 and _LONG_RUN.search(line) for line in src.splitlines())


# capabilities that matter because install/import runs them (tests and docs excepted)
_LOAD_TIME_ONLY = {
    "PY-INSTALL-PROCESS",
    "PY-INSTALL-NETWORK",
    "PY-EXEC-DYNAMIC",
    "PY-BUILTINS-INDIRECTION",
}
_EMBEDDED = "code embedded in a string"
_READS = {"read", "read_text", "read_bytes", "readlines", "get_data", "getvalue"}
_ALIASABLE = {"exec", "eval", "compile", "__import__", "getattr", "globals", "open"}
_SHELL_LAUNCH = re.compile(
    r"^(powershell|pwsh|cmd|wscript|cscript|mshta|rundll32|regsvr32|start|bash|sh|pythonw)"
    r"(\.exe)?$"
    r"|^-c$|^/c$|^-(e|enc|encodedcommand)$",
    re.I,
)
_LITERAL_TYPES = (ast.Constant, ast.Subscript, ast.BinOp, ast.List, ast.Tuple, ast.JoinedStr)
_EMBEDDED_B64 = re.compile(rb"[A-Za-z0-9+/]{80,}={0,2}")
_CODE_HINT = re.compile(r"\b(import|exec|eval|urlopen|system|Popen|socket|requests)\b")
_HIDDEN_PAD = re.compile(
    r"\S[ \t]{120,}(?=[^\n]*?(import|exec|eval|system|compile|urlopen|requests|;))[^\s]"
)


def analyze(
    src: str,
    ctx: FileCtx,
    sink: Sink,
    scanner: yara_x.Scanner,
    *,
    loadtime_all: bool,
    is_setup: bool = False,
    depth: int = 0,
    load_calls: set[int] | None = None,
) -> set[int] | None:
    """Run the Python rules over one module's source. Returns the lines that are prose
    (docstrings, comments), or None when the source does not parse."""
    # install-time files are read whole (payloads make them big); others up to MAX_AST_SOURCE
    if len(src) > (4 * MAX_AST_SOURCE if loadtime_all else MAX_AST_SOURCE):
        return None
    if not loadtime_all and not _triggers(src):
        # nothing any Python rule looks at: skip the parse (most library files)
        return {i for i, line in enumerate(src.splitlines(), 1) if line.lstrip().startswith("#")}
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    prose: set[int] = {
        i for i, line in enumerate(src.splitlines(), 1) if line.lstrip().startswith("#")
    }
    # a pathologically deep tree: the content rules have still seen the file
    with contextlib.suppress(RecursionError):
        run = _Pass(src, tree, ctx, sink, scanner, loadtime_all, is_setup, depth)
        for n in run.nodes:
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant):
                prose.update(range(n.lineno, (n.end_lineno or n.lineno) + 1))
            elif (
                isinstance(n, ast.Call)
                and id(n) in run.loadtime
                and load_calls is not None
                and _runs_code(run.qualname(n.func))
            ):
                load_calls.update(range(n.lineno, (n.end_lineno or n.lineno) + 1))
        run.run()
    return prose


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Iterative walk (deep hostile trees would overflow a recursive one)."""
    stack = [node]
    count = 0
    while stack and count < MAX_NODES:
        current = stack.pop()
        count += 1
        yield current
        stack.extend(ast.iter_child_nodes(current))


def _walk_with_scopes(tree: ast.Module) -> tuple[list[ast.AST], dict[int, int]]:
    """Every node (iteratively, capped) and its enclosing function (or the module)."""
    nodes: list[ast.AST] = []
    scope: dict[int, int] = {}
    stack: list[tuple[ast.AST, int]] = [(tree, id(tree))]
    func_types = (ast.FunctionDef, ast.AsyncFunctionDef)
    while stack and len(nodes) < MAX_NODES:
        node, owner = stack.pop()
        nodes.append(node)
        scope[id(node)] = owner
        inner = id(node) if isinstance(node, func_types) else owner
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                stack.append((value, inner))
            elif isinstance(value, list):
                stack.extend((v, inner) for v in value if isinstance(v, ast.AST))
    return nodes, scope


def _is_main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` (also inside `and`): the module run as a script."""
    if not isinstance(node, ast.If):
        return False
    parts = list(_walk(node.test))
    return any(isinstance(n, ast.Name) and n.id == "__name__" for n in parts) and any(
        isinstance(n, ast.Constant) and n.value == "__main__" for n in parts
    )


class _Pass:
    def __init__(
        self,
        src: str,
        tree: ast.Module,
        ctx: FileCtx,
        sink: Sink,
        scanner: yara_x.Scanner,
        loadtime_all: bool,
        is_setup: bool,
        depth: int,
    ) -> None:
        self.src, self.tree, self.ctx, self.sink = src, tree, ctx, sink
        self.scanner, self.loadtime_all, self.is_setup, self.depth = (
            scanner,
            loadtime_all,
            is_setup,
            depth,
        )
        self.nodes, self.scope = _walk_with_scopes(tree)
        self.has_decoders = bool(_DECODER_HINT.search(src))
        self.aliases = self._aliases()
        self.loadtime: set[int] = (
            {id(n) for n in self.nodes} if loadtime_all else self._loadtime_nodes()
        )
        self.tainted = self._tainted_names()
        self.hook_methods = self._install_hook_methods()
        self.key_carriers = self._key_carriers()
        self.file_names = self._file_names()
        self.url_names = self._url_names()

    # ---- setup ----
    def _aliases(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for node in self.nodes:
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        aliases[a.asname] = a.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                # `run = exec` or `a, b = exec, eval`: the alias hides the call
                target, value = node.targets[0], node.value
                pairs = (
                    zip(target.elts, value.elts, strict=False)
                    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                    else [(target, value)]
                )
                for t, v in pairs:
                    if (
                        isinstance(t, ast.Name)
                        and isinstance(v, ast.Name)
                        and v.id in _ALIASABLE
                        and t.id != v.id
                    ):
                        aliases[t.id] = v.id
        return aliases

    def qualname(self, node: ast.AST) -> str:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            parts.append(self.aliases.get(node.id, node.id))
        elif isinstance(node, ast.Call):
            inner = self.qualname(node.func)
            if inner == "__import__" and node.args and isinstance(node.args[0], ast.Constant):
                parts.append(str(node.args[0].value))
            else:
                parts.append(f"{inner}()")
        else:
            return ""
        return ".".join(reversed(parts))

    def _exec_walk(self, stmts: Iterable[ast.AST]) -> list[ast.AST]:
        """Nodes that run when `stmts` run: not into function bodies, into class bodies."""
        out: list[ast.AST] = []
        stack = list(stmts)
        while stack and len(out) < MAX_NODES:
            node = stack.pop()
            if isinstance(node, ast.stmt) and _is_main_guard(node):
                continue
            out.append(node)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            stack.extend(ast.iter_child_nodes(node))
        return out

    def _loadtime_nodes(self) -> set[int]:
        defs: dict[str, list[ast.stmt]] = {}
        for node in self.nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                defs.setdefault(node.name, []).append(node)
        run = self._exec_walk(self.tree.body)
        done: set[int] = set()
        seen = {id(n) for n in run}
        frontier = run
        for _ in range(6):  # functions called by functions called at load time, a few deep
            names = _called_names(frontier)
            new: list[ast.AST] = []
            for name in names:
                for d in defs.get(name, []):
                    if id(d) in done:
                        continue
                    done.add(id(d))
                    members = d.body if isinstance(d, ast.ClassDef) else [d]
                    for b in members:
                        if not isinstance(b, ast.FunctionDef | ast.AsyncFunctionDef):
                            continue
                        if isinstance(d, ast.ClassDef) and b.name not in _RUN_METHODS:
                            continue
                        new.extend(n for n in self._exec_walk(b.body) if id(n) not in seen)
            if not new:
                break
            seen.update(id(n) for n in new)
            frontier = new
        return seen

    def _install_hook_methods(self) -> set[int]:
        """Methods of classes that replace pip's install/develop/egg_info commands."""
        out: set[int] = set()
        for node in self.nodes:
            if not isinstance(node, ast.ClassDef):
                continue
            for base in node.bases:
                q = self.qualname(base)
                from_setuptools = q.startswith(("setuptools.command.", "distutils.command."))
                if q.rsplit(".", 1)[-1] in INSTALL_COMMANDS and (from_setuptools or self.is_setup):
                    out.update(
                        id(m)
                        for m in node.body
                        if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
                    )
        return out

    def _in_hook(self, node: ast.AST) -> bool:
        return bool(self.hook_methods) and self.scope.get(id(node)) in self.hook_methods

    def _tainted_names(self) -> set[str]:
        tainted: set[str] = set()
        if not self.has_decoders:
            return tainted
        for _ in range(3):
            before = len(tainted)
            for node in self.nodes:
                if (
                    isinstance(node, ast.Assign)
                    and any(
                        isinstance(n, ast.Constant) and isinstance(n.value, str | bytes)
                        for n in _walk(node.value)
                    )
                    and self.decoded(node.value, tainted)
                ):
                    for t in node.targets:
                        tainted.update(n.id for n in _walk(t) if isinstance(n, ast.Name))
            if len(tainted) == before:
                break
        return tainted

    # ---- predicates ----
    def decoded(self, expr: ast.AST, tainted: set[str] | None = None) -> str:
        """How `expr` decodes data in place ('' when it does not)."""
        if not self.has_decoders:
            return ""
        tainted = self.tainted if tainted is None else tainted
        for n in _walk(expr):
            if isinstance(n, ast.Call):
                q = self.qualname(n.func)
                last = q.rsplit(".", 1)[-1]
                if last in DECODERS or q in BYTECODE:
                    return q
                if last == "decode" and any(
                    isinstance(a, ast.Constant) and str(a.value).lower() in CODEC_NAMES
                    for a in n.args
                ):
                    return q
                if last == "join" and any(
                    isinstance(m, ast.Name) and m.id == "chr" for a in n.args for m in _walk(a)
                ):
                    return "chr-join"
            elif isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice):
                step = n.slice.step
                if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):
                    return "reversed slice"
            elif isinstance(n, ast.Name) and n.id in tainted:
                return f"{n.id} (decoded earlier)"
        return ""

    def reads_file(self, expr: ast.AST) -> bool:
        """exec(open(f).read()) and exec(code) after code = f.read(): the file is scanned too."""
        return any(
            (isinstance(n, ast.Call) and _callee(n) in _READS)
            or (isinstance(n, ast.Name) and n.id in self.file_names)
            for n in _walk(expr)
        )

    def _file_names(self) -> set[str]:
        out: set[str] = set()
        for node in self.nodes:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                if any(isinstance(n, ast.Call) and _callee(n) in _READS for n in _walk(node.value)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    out.update(t.id for t in targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.With):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name):
                        out.add(item.optional_vars.id)
        return out

    def reach(self, node: ast.AST) -> str:
        if self.loadtime_all or id(node) not in self.loadtime:
            return self.ctx.reach
        return "import" if self.ctx.reach == "runtime" else self.ctx.reach

    def line(self, node: ast.AST) -> int | None:
        return getattr(node, "lineno", None)

    def add(
        self, rule: str, node: ast.AST, detail: str = "", severity: Severity | None = None
    ) -> None:
        embedded = self.ctx.origin is not None and self.ctx.origin[0] == _EMBEDDED
        if rule in _LOAD_TIME_ONLY and (
            self.ctx.reach in {"test", "docs"} or (embedded and self.ctx.reach == "runtime")
        ):
            return  # test/doc code, or a program kept as text by runtime code, is not load time
        line = self.line(node)
        self.sink.add(
            rule,
            self.ctx,
            line,
            text_line(self.src, line),
            detail=detail,
            reach=self.reach(node),  # type: ignore[arg-type]
            severity=severity,
        )

    # ---- the rules ----
    def run(self) -> None:
        network: list[ast.AST] = []
        process: list[ast.AST] = []
        recon: list[tuple[int, str]] = []
        execs: list[ast.AST] = []
        for node in self.nodes:
            lt = id(node) in self.loadtime
            if isinstance(node, ast.Call):
                q = self.qualname(node.func)
                self._call(node, q, lt, network, process, recon, execs)
            elif isinstance(node, ast.ClassDef):
                self._class(node)
            elif isinstance(node, ast.ImportFrom) and node.module == "builtins" and lt:
                names = {a.name for a in node.names}
                if names & {"exec", "eval", "compile", "__import__"}:
                    self.add("PY-BUILTINS-INDIRECTION", node, "Imports exec/eval from builtins.")
            elif isinstance(node, ast.Subscript) and lt:
                base = self.qualname(node.value)
                if base in {"__builtins__", "globals()", "builtins.__dict__", "vars()"}:
                    key = node.slice
                    if isinstance(key, ast.Constant) and str(key.value) in {
                        "exec",
                        "eval",
                        "__builtins__",
                        "__import__",
                        "compile",
                    }:
                        self.add("PY-BUILTINS-INDIRECTION", node)
        scope = self.scope.get
        for net in network:
            here = scope(id(net))
            seen = sorted({q for s, q in recon if s == here})
            if seen:
                self.add(
                    "PY-RECON-EXFIL",
                    net,
                    f"Collects {', '.join(seen[:4])} and uses the network in the same code.",
                )
            if any(scope(id(n)) == here for n in [*process, *execs]):
                self.add("PY-DOWNLOAD-EXEC", net, "Network access and code execution together.")
        self._literals()
        self._text_signals()
        if self.is_setup:
            self._setup_requires()

    def _call(
        self,
        node: ast.Call,
        q: str,
        lt: bool,
        network: list[ast.AST],
        process: list[ast.AST],
        recon: list[tuple[int, str]],
        execs: list[ast.AST],
    ) -> None:
        args = [*node.args, *(k.value for k in node.keywords)]
        if q in PROCESS or (q.startswith("subprocess.") and q.rsplit(".", 1)[-1][:1].isupper()):
            how = next((self.decoded(a) for a in args if self.decoded(a)), "")
            if how:
                self.add("PY-EXEC-DECODED", node, f"A process runs data decoded by {how}.")
            if self._in_hook(node):
                self.add("PY-INSTALL-HOOK-EXEC", node, f"The install command runs {q}.")
            if lt:
                process.append(node)
                words: list[str] = [
                    str(n.value).strip().split(" ")[0]
                    for a in args
                    for n in _walk(a)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                ]
                launch = [w for w in words if _SHELL_LAUNCH.match(w)]
                if "pip" in words and "install" in words:
                    launch.append("pip install")
                if launch:
                    self.add(
                        "PY-INSTALL-PROCESS",
                        node,
                        f"Calls {q} to run inline code through {launch[0]!r}.",
                        severity="high",
                    )
                else:
                    self.add("PY-INSTALL-PROCESS", node, f"Calls {q}.")
        elif q in NETWORK or (q.startswith("requests.") and q.count(".") == 1):
            first = node.args[0] if node.args else None
            local = (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and _LOCAL_URL.match(first.value) is not None
            )
            if self._in_hook(node) and not local:
                self.add("PY-INSTALL-HOOK-EXEC", node, f"The install command calls {q}.")
            secret = self._sends_key_material(node, first)
            if secret:
                self.add("PY-KEY-EXFIL", node, f"Sends {secret!r} with {q}.")
            # at import time only a fixed destination counts: libraries open URLs they are given
            fixed = self.reach(node) == "install" or self._fixed_destination(node)
            if lt and not local and fixed:
                network.append(node)
                self.add("PY-INSTALL-NETWORK", node, f"Calls {q}.")
        elif q in RECON:
            if lt:
                recon.append((self.scope.get(id(node), 0), q))
        elif q in EXEC:
            if not node.args:
                return
            arg = node.args[0]
            how = self.decoded(arg)
            fetched = any(
                isinstance(n, ast.Call) and self.qualname(n.func) in NETWORK for n in _walk(arg)
            )
            if how:
                self.add("PY-EXEC-DECODED", node, f"{q} runs data decoded by {how}.")
                execs.append(node)
            elif fetched:
                self.add("PY-DOWNLOAD-EXEC", node, f"{q} runs what it downloads.")
            elif lt and not isinstance(arg, ast.Constant) and not self.reads_file(arg):
                execs.append(node)
                if self._in_hook(node):
                    self.add("PY-INSTALL-HOOK-EXEC", node, f"The install command calls {q}.")
                # code generation at import time is a known idiom; at install time it is not
                install = self.reach(node) == "install"
                self.add(
                    "PY-EXEC-DYNAMIC",
                    node,
                    f"Calls {q} on a computed value.",
                    severity=None if install else "low",
                )
        elif q in BYTECODE and q != "pickle.loads":
            # caching compiled files at run time is normal; bytecode from literals is not
            literal = any(self._literal_bytes(a) or self.decoded(a) for a in node.args)
            if lt or literal:
                self.add("PY-MARSHAL-CODE", node, f"Calls {q}.")
        elif q.endswith(".connect") and lt and node.args:
            dest = node.args[0]
            if (
                isinstance(dest, ast.Tuple)
                and len(dest.elts) == 2
                and isinstance(dest.elts[0], ast.Constant)
                and isinstance(dest.elts[0].value, str)
            ):
                network.append(node)
                self.add("PY-INSTALL-NETWORK", node, "Connects a socket to a fixed host.")
        elif q == "__import__" and lt and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and str(arg.value) in DANGEROUS_MODULES:
                self.add("PY-BUILTINS-INDIRECTION", node, f"__import__({arg.value!r}).")
            elif not isinstance(arg, ast.Constant):
                self.add("PY-BUILTINS-INDIRECTION", node, "__import__ of a computed name.")
        elif q == "getattr" and lt and len(node.args) >= 2:
            target = self.qualname(node.args[0])
            name = node.args[1]
            if target in {"builtins", "__builtins__", "os", "subprocess"} or (
                isinstance(name, ast.Constant) and str(name.value) in {"exec", "eval", "system"}
            ):
                self.add("PY-BUILTINS-INDIRECTION", node, f"getattr on {target or 'a value'}.")

    def _fixed_destination(self, node: ast.Call) -> bool:
        """The call's target is written in the code (a URL or host literal, or a name
        assigned one), not something handed in by the caller."""
        args = [*node.args[:1], *(k.value for k in node.keywords if k.arg in {"url", "host"})]
        for arg in args:
            for n in _walk(arg):
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value:
                    return True
                if isinstance(n, ast.Name) and n.id in self.url_names:
                    return True
        return False

    def _url_names(self) -> set[str]:
        """Names that hold a destination written in the code: assigned from an expression
        with a string literal (`HOST = "x"`, `req = Request(URL + path)`), two steps deep."""
        out: set[str] = set()
        assigns = [n for n in self.nodes if isinstance(n, ast.Assign)]
        for _ in range(2):
            for node in assigns:
                if any(
                    (isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value)
                    or (isinstance(n, ast.Name) and n.id in out)
                    for n in _walk(node.value)
                ):
                    out.update(t.id for t in node.targets if isinstance(t, ast.Name))
        return out

    def _sends_key_material(self, node: ast.Call, first: ast.AST | None) -> str:
        """The secret-looking name sent by a network call to a hard-coded URL, or ''."""
        url = next((k.value for k in node.keywords if k.arg == "url"), first)
        literal = isinstance(url, ast.Constant | ast.JoinedStr) and "http" in ast.unparse(url)[:12]
        if not literal:
            return ""
        rest = [*node.args[1:], *(k.value for k in node.keywords if k.arg != "url")]
        if isinstance(url, ast.JoinedStr):
            rest.append(url)
        for arg in rest:
            for n in _walk(arg):
                name = (
                    n.id
                    if isinstance(n, ast.Name)
                    else n.attr
                    if isinstance(n, ast.Attribute)
                    else ""
                )
                if name and (_KEY_MATERIAL.search(name) or name in self.key_carriers):
                    return name
        return ""

    def _key_carriers(self) -> set[str]:
        """Names assigned from something holding key material (`data = [private_key]`)."""
        out: set[str] = set()
        for node in self.nodes:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, _CONTAINERS):
                continue
            if any(
                isinstance(n, ast.Name) and _KEY_MATERIAL.search(n.id) for n in _walk(node.value)
            ):
                out.update(t.id for t in node.targets if isinstance(t, ast.Name))
        return out

    def _class(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            q = self.qualname(base)
            last = q.rsplit(".", 1)[-1]
            from_setuptools = q.startswith(("setuptools.command.", "distutils.command."))
            if last in INSTALL_COMMANDS and (from_setuptools or self.is_setup):
                self.sink.add(
                    "PY-INSTALL-CMD-OVERRIDE",
                    self.ctx,
                    node.lineno,
                    text_line(self.src, node.lineno),
                    detail=f"class {node.name}({last}).",
                    reach="install" if self.is_setup else self.ctx.reach,
                )

    def _literal_bytes(self, node: ast.AST) -> tuple[bytes, str] | None:
        """The bytes a literal-like expression stands for, and how they were assembled."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            value = node.value
            return (value.encode("utf-8", "replace") if isinstance(value, str) else value), ""
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            inner = self._literal_bytes(node.value)
            step = node.slice.step
            if inner and isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):
                return inner[0][::-1], "reversed"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts: list[bytes] = []
            stack: list[ast.AST] = [node]
            while stack:
                cur = stack.pop()
                if isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Add):
                    stack.extend([cur.right, cur.left])
                elif isinstance(cur, ast.Constant) and isinstance(cur.value, str):
                    parts.append(cur.value.encode("utf-8", "replace"))
                else:
                    return None
            return b"".join(parts), "joined fragments"
        if isinstance(node, ast.List | ast.Tuple) and len(node.elts) >= 3:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) != len(node.elts):
                return None
            if all(isinstance(v, str) for v in values):
                return "".join(values).encode("utf-8", "replace"), "joined fragments"  # type: ignore[arg-type]
            if len(values) >= 20 and all(
                isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 256 for v in values
            ):
                return bytes(values), "int list"  # type: ignore[arg-type]
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            return text.encode("utf-8", "replace"), "f-string"
        return None

    def _literals(self) -> None:
        if self.depth >= MAX_DECODE_DEPTH:
            return
        docstrings = {
            id(n.value)
            for n in self.nodes
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        }
        budget = 300
        for node in self.nodes:
            if id(node) in docstrings or not isinstance(node, _LITERAL_TYPES):
                continue
            got = self._literal_bytes(node)
            if got is None or len(got[0]) < 24:
                continue
            budget -= 1
            if budget < 0:
                break
            raw, how = got
            if how in {"joined fragments", "f-string"}:
                sub = self._sub_ctx(node, how)
                content.scan(self.scanner, raw, sub, self.sink)
            layers = decode.decode_layers(raw) if len(raw) >= decode.MIN_LITERAL else None
            if layers is not None:
                chain = ([how] if how else []) + layers[0]
                self._scan_decoded(node, " → ".join(chain), layers[1])
                continue
            if how in {"reversed", "int list"}:
                self._scan_decoded(node, how, raw)
                continue
            for m in _EMBEDDED_B64.finditer(raw[: decode.MAX_DECODED]):
                inner = decode.decode_layers(m.group(0))
                if inner is not None:
                    chain = ([how] if how else []) + ["embedded " + inner[0][0], *inner[0][1:]]
                    self._scan_decoded(node, " → ".join(chain), inner[1])
            if b"\n" in raw or b";" in raw:
                self._embedded_code(node, raw)

    def _sub_ctx(self, node: ast.AST, chain: str) -> FileCtx:
        return FileCtx(
            self.ctx.path, self.ctx.reach, self.ctx.ecosystem, (chain, self.line(node) or 0)
        )

    def _embedded_code(self, node: ast.AST, raw: bytes) -> None:
        """A plain string that is itself a program (written to a file, or run later)."""
        text = raw.decode("utf-8", "replace")
        if not _CODE_HINT.search(text):
            return
        analyze(
            text,
            self._sub_ctx(node, _EMBEDDED),
            self.sink,
            self.scanner,
            loadtime_all=True,
            depth=self.depth + 1,
        )

    def _scan_decoded(self, node: ast.AST, chain: str, data: bytes) -> None:
        line = self.line(node) or 0
        reach = self.ctx.reach  # a literal is data: the call that runs it carries load time
        sub = FileCtx(self.ctx.path, reach, self.ctx.ecosystem, (chain, line))
        if decode.looks_like_marshal(data):
            self.sink.add(
                "PY-MARSHAL-CODE",
                self.ctx,
                line,
                text_line(self.src, line),
                detail=f"The literal decodes ({chain}) to marshalled bytecode.",
                reach=reach,
            )
            content.scan(self.scanner, data, sub, self.sink)
            return
        text = decode.as_text(data)
        if text is None:
            return
        content.scan(self.scanner, data, sub, self.sink)
        parsed = analyze(
            text, sub, self.sink, self.scanner, loadtime_all=True, depth=self.depth + 1
        )
        looks_code = parsed is not None and _has_code(text)
        shell = re.search(r"(powershell|cmd(\.exe)? /c|curl |wget |/bin/(ba)?sh)", text, re.I)
        if looks_code or shell:
            self.sink.add(
                "PY-ENCODED-CODE",
                self.ctx,
                line,
                text_line(self.src, line),
                detail=f"Decodes ({chain}) to: {text[:160]!r}.",
                reach=reach,
            )

    def _text_signals(self) -> None:
        m = (
            _HIDDEN_PAD.search(self.src)
            if " " * 120 in self.src or "\t" * 120 in self.src
            else None
        )
        if m:
            line = self.src.count("\n", 0, m.start()) + 1
            self.sink.add("PY-HIDDEN-PADDING", self.ctx, line, text_line(self.src, line).strip())
        names = [
            n.id
            for n in self.nodes
            if isinstance(n, ast.Name) and (_OBF_NAME.match(n.id) or _random_ident(n.id))
        ]
        names += [
            n.name
            for n in self.nodes
            if isinstance(n, ast.FunctionDef | ast.ClassDef) and _random_ident(n.name)
        ]
        pyarmor = "__pyarmor__" in self.src or "pyarmor_runtime" in self.src
        if len(set(names)) >= 5 or pyarmor or any(len(n) >= 60 for n in names):
            detail = "pyarmor-protected code." if pyarmor else f"e.g. {sorted(set(names))[:3]}."
            self.sink.add(
                "PY-OBFUSCATED-NAMES",
                self.ctx,
                1,
                text_line(self.src, 1),
                detail=detail,
                reach="import" if self.ctx.reach == "runtime" else self.ctx.reach,
            )

    def _setup_requires(self) -> None:
        for node in self.nodes:
            if not isinstance(node, ast.keyword) or node.arg not in {
                "install_requires",
                "setup_requires",
                "requires",
            }:
                continue
            for n in _walk(node.value):
                if isinstance(n, ast.Constant) and isinstance(n.value, str):
                    if confusable(n.value):
                        self.sink.add(
                            "META-DEP-CONFUSABLE",
                            self.ctx,
                            n.lineno,
                            text_line(self.src, n.lineno),
                            detail=f"{n.value!r} contains {_non_ascii(n.value)}.",
                            reach="install",
                        )
                    elif re.search(r"(https?://|git\+)", n.value):
                        self.sink.add(
                            "META-DEP-URL",
                            self.ctx,
                            n.lineno,
                            text_line(self.src, n.lineno),
                            reach="install",
                        )


def _runs_code(q: str) -> bool:
    """Calls that execute what they are given: processes, exec/eval, packer runtimes."""
    return q in PROCESS or q in EXEC or "pyarmor" in q or q.startswith("subprocess.")


def _callee(call: ast.Call) -> str:
    """The called name's last part: f() → f, x.y.f() → f, (a / b).f() → f."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _called_names(nodes: list[ast.AST]) -> set[str]:
    """Functions that load-time code calls, or hands to something that will call them
    (Thread(target=f), atexit.register(f), setup(cmdclass={"install": C}))."""
    names: set[str] = set()
    for n in nodes:
        if not isinstance(n, ast.Call):
            continue
        if isinstance(n.func, ast.Name):
            names.add(n.func.id)
        func = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
        handed = [k.value for k in n.keywords if k.arg in {"target", "cmdclass"}]
        if func in {"register", "Thread", "Process", "Timer", "setup"}:
            handed += n.args
        for arg in handed:
            for m in _walk(arg):
                if isinstance(m, ast.Name):
                    names.add(m.id)
    return names


def _has_code(text: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return any(isinstance(n, ast.Import | ast.ImportFrom | ast.Call) for n in _walk(tree))


def _random_ident(name: str) -> bool:
    """Long identifiers with many case flips (ZkQvTpLm…) are generated, not written."""
    if len(name) < 24 or "_" in name.strip("_"):
        return False
    flips = sum(1 for a, b in itertools.pairwise(name) if a.islower() and b.isupper())
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)
    mean_word = sum(len(w) for w in words) / max(len(words), 1)
    return flips >= len(name) / 6 and mean_word < 3.0


def confusable(name: str) -> bool:
    """A requirement whose name part has letters outside ASCII (homoglyphs)."""
    head = re.split(r"[<>=!~;\[ @]", name.strip(), maxsplit=1)[0]
    return any(ord(ch) > 127 and unicodedata.category(ch).startswith("L") for ch in head)


def _non_ascii(text: str) -> str:
    chars = sorted({ch for ch in text if ord(ch) > 127})
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in chars[:3])
