"""Which Python modules are worth parsing, and how load time crosses module boundaries.

The prefilter is conservative and evasion-aware (docs/performance.md lists what it
guarantees): a module is parsed only when its text, after NFKC folding (what Python's
tokenizer does to identifiers), holds a trigger, i.e. one of the words or shapes some Python
rule needs to fire (an API name, a decoder, an escape or a folding trick, an encoded blob),
or when it runs at install time. A module without a trigger can make no Python rule fire;
the content rules still read every file's bytes. Modules that import a triggering module,
directly or through others, are not parsed but summarised (their top-level imports and calls,
read by regular expressions), so load time still flows across them into the triggering one.
The words and shapes are matched in one pass per module by a compiled YARA-X rule set.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import yara_x

TRIGGER_WORDS = (
    "execfile", "__import__", "marshal", "CodeType", "b64decode", "b32decode", "b16decode",
    "b85decode", "a85decode", "decodebytes", "decodestring", "unhexlify", "a2b_", "fromhex",
    "decompress", "decrypt", "createDecipher", "subprocess", "Popen", "spawn", "startfile",
    "getoutput", "import pty", "socket", "urlopen", "urlretrieve", "urllib.request",
    "urllib3", "urllib2", "httplib", "requests.", "httpx.", "aiohttp", "pycurl",
    "dns.resolver", "http.client", "ftplib", "smtplib", "telnetlib", "wget", "ShellExecute",
    "CreateProcess", "WinExec", ".connect((", "codecs", "builtins", "private_key", "privkey",
    "mnemonic", "seed_phrase", "keypair", "pyarmor", "::-1", "\\x", "\\N{", "\\u00",
    "\\U000", " " * 120, "\t" * 60, "importlib", "ctypes", "dill", "runpy",
    "FunctionType", "maketrans", "getaddrinfo", "gethostbyname", "(os.environ)",
    "os.environ.copy()", "**os.environ", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "webbrowser", "install_requires", "cmdclass",
    "build_opener", "xmlrpc", "ServerProxy", "imaplib", "poplib", "nntplib", "open_connection",
    "pipepager", "methodcaller", "attrgetter", ".bashrc", ".zshrc", ".bash_profile",
    "LaunchAgents", "autostart", "Startup'", 'Startup"', "winreg", "systemd/user",
    "pyperclip", "clipboard", "cProfile", "runctx", "runsource", "runcode",
    "InteractiveConsole", "InteractiveInterpreter", "compile_command", "unsafe_load",
    "jsonpickle", "getsitepackages", "getusersitepackages", "USER_SITE", "customize.py",
    "get_python_lib", "purelib", "site-packages", "dist-packages",
)  # fmt: skip
# Shapes, as YARA regular expressions: names that run or build code wherever they appear
# (spacing before a call, a line continuation, or handed over as a value: `map(chr, ...)`),
# `os.exec*`, octal escapes, obfuscator-style names, namespace lookups by string, the `pty`
# and `pickle` / `cloudpickle` modules as words (the rules read `pty.spawn`, `pickle.loads`,
# `cloudpickle.loads`: not `x.empty.`, `read_pickle`). eval, compile, chr, reversed, vars and
# bytearray count where they can be code, i.e. what follows them (after spaces, tabs, form
# feeds, a line continuation) is a newline, the end, a punctuation mark or a keyword that
# may follow a name (`f = eval if a else b`), not the next word of prose ("compile the
# expression", "in reversed order"). `exec` counts before anything: `exec code in ns` is a
# Python 2 statement, which the pass reads (`py2`).
_CODE_NEXT = (
    r"[ \t\x0b\x0c\\]*"
    r"([\r\n]|$|[^\sA-Za-z0-9_]|(if|else|or|and|in|is|not|for|async|as|from)\b)"
)
TRIGGER_SHAPES = (
    r"(^|[^A-Za-z0-9_.])exec\b",
    rf"\b(chr|reversed|vars|bytearray){_CODE_NEXT}",
    r"\b(system|popen)[\s\\]*\(",
    r"\bbytes[\s\\]*\([\s\\]*\[",
    r"\bexec[lv]p?e?\b",
    r"\\[0-7]{3}",
    r"\b_0x[0-9a-fA-F]{3}",
    r"\b[Il][Il1]{5}",
    r"\bO[O0]{5}",
    r"from\s+os\s+import\s+[^\n]*\b(system|popen|exec\w*|spawn\w*|startfile)\b",
    r"\bpty[\s\\]*\.",
    r"\b(cloud)?pickle\b",
    rf"(^|[^A-Za-z0-9_.])(eval|compile){_CODE_NEXT}",
    # a process function named without being called (handed to a thread, atexit, map), also
    # of `posix`/`nt`, the modules os is built on
    r"\b(os|posix|nt)\s*\.\s*(system|popen|exec[lv]\w*|spawn\w*|posix_spawn\w*|startfile)\b",
    r"\bfrom\s+(posix|nt)\s+import\b",
    # the standard library's runners of a code string (pyapi.EXEC): the debugger, the
    # profiler, the tracer, the interactive interpreter, the timer, as modules (an import
    # statement's, not a name imported `from x import …, trace`), and the timer's calls
    r"(^|[\n;])[ \t]*import[ \t]+([\w.]+([ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*"
    r"(pdb|bdb|profile|trace|code|codeop|timeit)\b",
    r"\bfrom[ \t]+(pdb|bdb|profile|trace|code|codeop|timeit)[ \t]+import\b",
    r"\btimeit[ \t]*\.[ \t]*(timeit|repeat|Timer)\b",
)
# An encoded blob the literal decoder would try: a whole string literal of the base64 /
# urlsafe-base64 / hex alphabets (decode.MIN_LITERAL long, so a run between quotes or
# whitespace), or a run of 80 inside any literal (pypass's embedded base64). It mixes letters
# and digits (every real payload does; a rule line, a number, a plain name not). Found with
# bytes.translate and bytes.find, both in C.
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = b"0123456789"
_ALPHABET = frozenset(_LETTERS + _DIGITS + b"+/=_-")
_RUNS = bytes(ord("a") if i in _ALPHABET else ord(" ") for i in range(256))
_STANDARD = frozenset(_LETTERS + _DIGITS + b"+/")  # pypass's embedded base64
_EDGES = frozenset(b"\"' \t\r\n\\")  # a backslash: an escaped newline inside a literal
_BLOB_LEN, _EMBEDDED_LEN = 40, 80
_IMPORTS = re.compile(  # `\n` for `^` under re.M, on the text after a newline (_TOP_FROM)
    r"\n[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import[ \t]+([^\n#]+)|import[ \t]+([^\n#]+))"
)
_WORD = re.compile(r"\w+")


def _yara_text(word: str) -> str:
    out = []
    for byte in word.encode("utf-8"):
        ch = chr(byte)
        out.append(ch if 0x20 <= byte < 0x7F and ch not in '"\\' else f"\\x{byte:02x}")
    return '"' + "".join(out) + '"'


def _source() -> str:
    words = "\n".join(f"    $w{i} = {_yara_text(w)}" for i, w in enumerate(TRIGGER_WORDS))
    shapes = "\n".join(f"    $s{i} = /{r}/" for i, r in enumerate(TRIGGER_SHAPES))
    return f"""
rule trigger {{
  strings:
{words}
{shapes}
    $defined = /def\\s+(exec|eval|compile)\\b/
    $modules = /sys\\.modules\\s*(\\[|\\.\\s*get\\b)/
    $own_module = /sys\\.modules\\s*\\[\\s*__name__\\s*\\]/
    $by_name = /(__dict__|globals\\s*\\(\\s*\\))\\s*(\\[|\\.\\s*get\\b)/
    $by_dunder = /(__dict__|globals\\s*\\(\\s*\\))\\s*\\[\\s*["']__[a-z]+__["']\\s*\\]/
    $getattr = /\\bgetattr\\s*\\(/
    $risky = /\\bimport\\s+([\\w.]+\\s*,\\s*)*(os|sys|subprocess)\\b/
  condition:
    any of ($w*) or any of ($s1, $s2, $s3, $s4, $s5, $s6, $s7, $s8, $s9, $s10, $s11, $s13)
    or any of ($s14, $s15, $s16, $s17)
    or #s0 + #s12 > #defined or #modules > #own_module or #by_name > #by_dunder
    or ($getattr and $risky)
}}
"""


@functools.cache
def _rules() -> yara_x.Rules:
    return yara_x.compile(_source())


def triggers(src: str, scanner: yara_x.Scanner | None = None) -> bool:
    """Whether some Python rule may fire on this module's text (NFKC-folded first)."""
    if not src.isascii():
        src = unicodedata.normalize("NFKC", src)
    data = src.encode("utf-8", "replace")
    scanner = scanner or yara_x.Scanner(_rules())
    if scanner.scan(data).matching_rules:
        return True
    return has_blob(data)


def has_blob(data: bytes) -> bool:
    runs = data.translate(_RUNS)
    pos = runs.find(b"a" * _BLOB_LEN)
    while pos >= 0:
        end = runs.find(b" ", pos)
        end = len(data) if end < 0 else end
        run = data[pos:end]
        size = len(run)
        delimited = (pos == 0 or data[pos - 1] in _EDGES) and (
            end == len(data) or data[end] in _EDGES
        )
        if (
            (delimited or _embedded(run))
            and len(run.translate(None, _DIGITS)) < size
            and len(run.translate(None, _LETTERS)) < size
        ):
            return True
        pos = runs.find(b"a" * _BLOB_LEN, end)
    return False


def _embedded(run: bytes) -> bool:
    if len(run) < _EMBEDDED_LEN:
        return False
    standard = bytes(c if c in _STANDARD else 32 for c in run)
    return any(len(part) >= _EMBEDDED_LEN for part in standard.split())


def python_files(texts: dict[str, str], install: set[str], install_modules: set[str]) -> list[str]:
    """The files to parse: install-time files and triggering files."""
    chosen = {
        rel for rel in texts if rel in install or any(rel.endswith(m) for m in install_modules)
    }
    scanner = yara_x.Scanner(_rules())
    chosen |= {rel for rel, text in texts.items() if rel not in chosen and triggers(text, scanner)}
    return sorted(chosen)


def choose(
    files: list[str],
    source: Callable[[str], tuple[str, str]],
    install: set[str],
    install_modules: set[str],
) -> tuple[list[str], list[str]]:
    """(the files to parse, the files to summarise: those and their importers). Each file's
    (text, codec) comes from `source`, one at a time, and only its import words are kept: no
    text of the whole package is held at once. The same choice as `python_files` and
    `importers`, plus a file with an unusual coding cookie."""
    scanner = yara_x.Scanner(_rules())
    chosen, odd, words = [], [], {}
    for rel in files:
        text, codec = source(rel)
        words[rel] = _imported_words(text)
        installed = rel in install or any(rel.endswith(m) for m in install_modules)
        if installed or triggers(text, scanner):
            chosen.append(rel)
        elif unusual_codec(codec):
            odd.append(rel)
    parse = sorted(chosen) + odd
    return parse, parse + _importers(words, set(parse))


def importers(texts: dict[str, str], hot: set[str]) -> list[str]:
    """The files that import one of `hot`, directly or through other files (by module name,
    as a regular expression reads the import lines): their load time may reach `hot`."""
    return _importers({rel: _imported_words(text) for rel, text in texts.items()}, hot)


def _importers(imports: dict[str, set[str]], hot: set[str]) -> list[str]:
    found = set(hot)
    names = {_module_name(rel) for rel in hot}
    seen = set(names)
    while names:
        new = {rel for rel, words in imports.items() if rel not in found and words & names}
        found |= new
        names = {_module_name(rel) for rel in new} - seen
        seen |= names
    return sorted(found - hot)


def _imported_words(text: str) -> set[str]:
    return {
        w
        for m in _IMPORTS.finditer("\n" + text)
        for w in _WORD.findall(" ".join(filter(None, m.groups())))
    }


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


# `\nfrom`, not `^from` under re.M: a literal start the regex engine can search for (the
# text gets a leading newline)
_TOP_FROM = re.compile(r"\nfrom[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)")
_TOP_IMPORT = re.compile(r"^import[ \t]+([^\n#;]+)", re.M)
# a module loaded by its path at the top level: `spec_from_file_location("pkg.mod", path)`,
# then `name = module_from_spec(spec)`: `name.f()` runs pkg.mod's f like an import would
_SPEC_NAME = re.compile(r"spec_from_file_location\(\s*[\x27\x22]([\w.]+)[\x27\x22]")
_SPEC_MODULE = re.compile(r"^([A-Za-z_]\w*)[ \t]*=[ \t]*(?:[\w.]+\.)?module_from_spec\(", re.M)
_TOP_CALL = re.compile(
    r"^(?:[\w.\[\]][\w.\[\]'\", ]*=[ \t]*)?([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?[ \t]*\(", re.M
)
_HANDED = re.compile(
    r"^[^ \t#\n][^\n]*?(?:\b(?:target|callback|function)[ \t]*=[ \t]*([A-Za-z_]\w*)"
    r"|(?:register|Thread|Timer|signal)\([^)\n]*?\b([A-Za-z_]\w*)\))",
    re.M,
)
_LONG_STRING = re.compile(r"(\"\"\"|\'\'\')[\s\S]*?\1")


_TOP_LINES = re.compile(r"\n([^ \t\n][^\n]*)")  # (a leading newline added, as for _TOP_FROM)
_HANDED_WORDS = ("target", "callback", "function", "register", "Thread", "Timer", "signal")


def summary(rel: str, text: str) -> Summary:
    out = Summary()
    text = _LONG_STRING.sub("''", text)  # docstrings and templates are not statements
    # the one-line patterns only match a line that starts in column 0: read those lines only
    top = "\n".join(_TOP_LINES.findall("\n" + text))
    package = list(PurePosixPath(rel).parent.parts)
    for dots, module, names in _TOP_FROM.findall("\n" + text):
        base = _absolute(len(dots), module, package)
        if base is None:
            continue
        bound: dict[str, str] = {}
        for item in names.strip("() \t\n").replace("\n", " ").split(","):
            words = item.split()
            if words:
                bound[words[-1]] = words[0]
        out.imports.append((base, bound))
    for names in _TOP_IMPORT.findall(top):
        for item in names.split(","):
            words = item.split()
            if words:
                out.imports.append((words[0], {}))
    for name, attr in _TOP_CALL.findall(top):
        if attr:
            out.attr_calls.setdefault(name, set()).add(attr)
        else:
            out.calls.add(name)
    if any(word in top for word in _HANDED_WORDS):
        for a, b in _HANDED.findall(top):
            out.calls.add(a or b)
    if "module_from_spec(" not in top:
        return out
    for spec, alias in zip(_SPEC_NAME.findall(text), _SPEC_MODULE.findall(top), strict=False):
        base, _, last = spec.rpartition(".")
        out.imports.append((base, {alias: last}))
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


def _module_name(rel: str) -> str:
    """The last part of a file's dotted module name (a package's for its __init__.py)."""
    path = PurePosixPath(rel)
    return path.parent.name if path.stem == "__init__" else path.stem


def unusual_codec(codec: str) -> bool:
    """A coding cookie other than UTF-8/ASCII: the file is parsed (a rule looks at it)."""
    return bool(codec) and codec.lower().replace("_", "-") not in {
        "utf-8",
        "utf8",
        "ascii",
        "us-ascii",
        "utf-8-sig",
    }
