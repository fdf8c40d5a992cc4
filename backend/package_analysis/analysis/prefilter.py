"""Which Python modules are worth parsing, and how load time crosses module boundaries.

The prefilter is conservative and evasion-aware: it looks at the text after NFKC folding
(what Python's tokenizer does to identifiers) for any word a Python rule needs, and a module
without one is still parsed when it imports a module that has one (its top level may call
into it). Install-time files are always parsed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath

TRIGGER_WORDS = (
    "exec(", "eval(", "exec,", "eval,", "execfile", "__import__", "marshal", "CodeType",
    "b64decode", "b32decode", "b85decode", "a85decode", "decodebytes", "unhexlify", "a2b_",
    "fromhex", "decompress", "decrypt", "subprocess", "system(", "popen(", "Popen", "spawn",
    "startfile", "pty.", "import pty", "socket", "urlopen", "urlretrieve", "requests.",
    "httpx.", "http.client", "ftplib", "smtplib", "telnetlib", "wget", "ShellExecute",
    ".connect((", "codecs", "builtins", "private_key", "privkey", "mnemonic", "seed_phrase",
    "keypair", "chr(", "pyarmor", "compile(", "::-1", "\\x", " " * 120, "importlib", "ctypes",
    "globals()[", "vars(", "__dict__[", "pickle", "runpy", "FunctionType", "reversed(",
    "getaddrinfo", "(os.environ)", "os.environ.copy()", "**os.environ",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "WinExec", "webbrowser", "install_requires", "cmdclass", "dill", "\t" * 60,
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


def module_index(files: list[str], prefix: str) -> dict[str, str]:
    """Dotted module name → file, for every module (also under `src/`)."""
    out: dict[str, str] = {}
    for rel in files:
        inner = rel[len(prefix) :] if rel.startswith(prefix) else rel
        parts = list(PurePosixPath(inner).with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        for start in range(len(parts)):
            out.setdefault(".".join(parts[start:]), rel)
    return out


@dataclass
class Summary:
    """What a module does at its top level, read from its text without parsing it: the
    modules it imports (with the names bound) and the names it calls or hands over."""

    imports: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # module, alias→name
    calls: set[str] = field(default_factory=set)
    attr_calls: dict[str, set[str]] = field(default_factory=dict)  # `mod.f()`: mod → {f}


_TOP_FROM = re.compile(r"^from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)", re.M)
_TOP_IMPORT = re.compile(r"^import[ \t]+([^\n#;]+)", re.M)
_TOP_CALL = re.compile(
    r"^(?:[\w.\[\]][\w.\[\]'\", ]*=[ \t]*)?([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?[ \t]*\(", re.M
)
_HANDED = re.compile(
    r"^[^ \t#\n][^\n]*?(?:\b(?:target|callback|function)[ \t]*=[ \t]*([A-Za-z_]\w*)"
    r"|(?:register|Thread|Timer|signal)\([^)\n]*?\b([A-Za-z_]\w*)\))",
    re.M,
)
_LONG_STRING = re.compile(r"(\"\"\"|\'\'\')[\s\S]*?\1")


def summary(rel: str, text: str) -> Summary:
    out = Summary()
    text = _LONG_STRING.sub("''", text)  # docstrings and templates are not statements
    package = list(PurePosixPath(rel).parent.parts)
    for dots, module, names in _TOP_FROM.findall(text):
        base = _absolute(len(dots), module, package)
        if base is None:
            continue
        bound: dict[str, str] = {}
        for item in names.strip("() \t\n").replace("\n", " ").split(","):
            words = item.split()
            if words:
                bound[words[-1]] = words[0]
        out.imports.append((base, bound))
    for names in _TOP_IMPORT.findall(text):
        for item in names.split(","):
            words = item.split()
            if words:
                out.imports.append((words[0], {}))
    for name, attr in _TOP_CALL.findall(text):
        if attr:
            out.attr_calls.setdefault(name, set()).add(attr)
        else:
            out.calls.add(name)
    for a, b in _HANDED.findall(text):
        out.calls.add(a or b)
    return out


def load_time_imports(rel: str, s: Summary, modules: dict[str, str]) -> list[tuple[str, set[str]]]:
    """(module file, names of its functions called at load time) for each module `rel`
    imports at its top level."""
    out: list[tuple[str, set[str]]] = []
    for base, bound in s.imports:
        target = modules.get(base)
        if target is not None:
            out.append((target, {real for alias, real in bound.items() if alias in s.calls}))
        for alias, real in bound.items():  # `from . import mod` then `mod.f()`
            sub = modules.get(f"{base}.{real}" if base else real)
            if sub is not None:
                out.append((sub, s.attr_calls.get(alias, set())))
    return out


def _absolute(level: int, module: str, package: list[str]) -> str | None:
    if level == 0:
        return module
    if level - 1 > len(package):
        return None
    parts = package[: len(package) - (level - 1)]
    return ".".join([*parts[-1:], *(module.split(".") if module else [])])


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
