"""Which Python modules are worth parsing, and how load time crosses module boundaries.

The prefilter is conservative and evasion-aware: it looks at the text after NFKC folding
(what Python's tokenizer does to identifiers) for any word a Python rule needs, and a module
without one is still parsed when it imports a module that has one (its top level may call
into it). Install-time files are always parsed.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import PurePosixPath

from .facts.loadtime import called_names as _called_names
from .facts.python import PyFacts

TRIGGER_WORDS = (
    "exec(", "eval(", "exec,", "eval,", "execfile", "__import__", "marshal", "CodeType",
    "b64decode", "b32decode", "b85decode", "a85decode", "decodebytes", "unhexlify", "a2b_",
    "fromhex", "decompress", "decrypt", "subprocess", "system(", "popen(", "Popen", "spawn",
    "startfile", "pty.", "import pty", "socket", "urlopen", "urlretrieve", "requests.",
    "httpx.", "http.client", "ftplib", "smtplib", "telnetlib", "wget", "ShellExecute",
    ".connect((", "codecs", "builtins", "private_key", "privkey", "mnemonic", "seed_phrase",
    "keypair", "chr(", "pyarmor", "compile(", "::-1", "\\x", " " * 120, "importlib", "ctypes",
    "globals()[", "vars(", "__dict__[", "pickle", "runpy", "FunctionType", "reversed(",
    "getaddrinfo", "WinExec", "webbrowser", "install_requires", "cmdclass", "dill", "\t" * 60,
)  # fmt: skip
_SHAPES = re.compile(r"_0x[0-9a-fA-F]{3}|[Il1]{6}|[O0]{6}|[A-Za-z0-9+/=]{40}")
_GETATTR_OS = re.compile(r"\bgetattr\s*\(")
_OS_IMPORT = re.compile(r"from\s+os\s+import\s+[^\n]*\b(system|popen|exec\w*|spawn\w*|startfile)\b")
_IMPORTS = re.compile(
    r"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import[ \t]+([^\n#]+)|import[ \t]+([^\n#]+))", re.M
)


def triggers(src: str) -> bool:
    if not src.isascii():
        src = unicodedata.normalize("NFKC", src)
    if any(word in src for word in TRIGGER_WORDS):
        return True
    if _GETATTR_OS.search(src) and re.search(r"\bimport\s+(os|sys|subprocess)\b", src):
        return True
    return _SHAPES.search(src) is not None or _OS_IMPORT.search(src) is not None


def python_files(texts: dict[str, str], install: set[str], install_modules: set[str]) -> list[str]:
    """The files to parse: install-time files, triggering files, and files that import one."""
    chosen = {
        rel for rel in texts if rel in install or any(rel.endswith(m) for m in install_modules)
    }
    hot = {rel for rel, text in texts.items() if rel not in chosen and triggers(text)}
    chosen |= hot
    names = {_stem(rel) for rel in hot}
    names.discard("__init__")
    if names:
        for rel, text in texts.items():
            if rel in chosen:
                continue
            for m in _IMPORTS.finditer(text):
                words = set(re.findall(r"\w+", " ".join(g for g in m.groups() if g)))
                if words & names:
                    chosen.add(rel)
                    break
    return sorted(chosen)


def module_index(py: dict[str, PyFacts], prefix: str) -> dict[str, str]:
    """Dotted module name → file, for every parsed module (also under `src/`)."""
    out: dict[str, str] = {}
    for rel in py:
        inner = rel[len(prefix) :] if rel.startswith(prefix) else rel
        parts = list(PurePosixPath(inner).with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        for start in range(len(parts)):
            out.setdefault(".".join(parts[start:]), rel)
    return out


def load_time_imports(
    rel: str, facts: PyFacts, modules: dict[str, str]
) -> list[tuple[str, set[str], bool]]:
    """(module file, names of its functions called at load time, imported at load time)."""
    out: list[tuple[str, set[str], bool]] = []
    package = list(PurePosixPath(rel).parent.parts)
    called: set[str] = set()
    attr_calls: dict[str, set[str]] = {}
    for c in facts.calls:
        if facts.loadtime(c.node):
            called |= _called_names(c.node)
            func = c.node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                attr_calls.setdefault(func.value.id, set()).add(func.attr)
    for node in facts.imports_from:
        if not facts.loadtime(node):
            continue
        base = _absolute(node, package)
        if base is None:
            continue
        names = {a.asname or a.name: a.name for a in node.names}
        target = modules.get(base)
        if target is not None:
            out.append((target, {names[n] for n in names if n in called}, True))
        for alias, real in names.items():  # `from . import mod` then `mod.f()`
            sub = modules.get(f"{base}.{real}" if base else real)
            if sub is not None:
                out.append((sub, attr_calls.get(alias, set()), True))
    return out


def _absolute(node: ast.ImportFrom, package: list[str]) -> str | None:
    if node.level == 0:
        return node.module
    if node.level - 1 > len(package):
        return None
    parts = package[: len(package) - (node.level - 1)]
    base = parts[-1:] if parts else []  # the package's own name is enough for the index
    dotted = ".".join([*base, *(node.module.split(".") if node.module else [])])
    return dotted


def _stem(rel: str) -> str:
    return PurePosixPath(rel).stem


def unusual_codec(codec: str) -> bool:
    """A coding cookie other than UTF-8/ASCII: the file is parsed (a rule looks at it)."""
    return bool(codec) and codec.lower().replace("_", "-") not in {
        "utf-8",
        "utf8",
        "ascii",
        "us-ascii",
        "utf-8-sig",
    }
