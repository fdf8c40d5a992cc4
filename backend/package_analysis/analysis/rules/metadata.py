"""Metadata rules: the package's name, version and declared metadata (PKG-INFO, METADATA,
package.json), install hooks in package.json, native executables."""

from __future__ import annotations

import email.parser
import functools
import itertools
import json
import re
import shlex
from pathlib import Path
from typing import Any

from ..model import Ecosystem, PackageRef
from .base import FileCtx, Sink, text_line
from .python_ast import confusable

DATA = Path(__file__).with_name("data")
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "preuninstall", "postuninstall")
_SHELLY = re.compile(
    r"(\bcurl\b|\bwget\b|node +-e\b|node +--eval\b|\bbase64\b|\| *(ba)?sh\b|powershell|"
    r"\bnslookup\b|\bdig\b +|\bping\b +-c|https?://|/dev/tcp|\beval\b|>\s*/dev/null\s*2>&1\s*&)",
    re.I,
)
_CONFUSABLE_MAP = str.maketrans(
    {
        ch: asc
        for ch, asc in zip(
            "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u04cf", "aeopcyxil", strict=True
        )
    }
)


@functools.cache
def popular(ecosystem: str) -> frozenset[str]:
    path = DATA / f"popular-{ecosystem}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def normalise(name: str, ecosystem: str) -> str:
    name = name.lower().strip()
    return re.sub(r"[-_.]+", "-", name) if ecosystem == "pypi" else name


def one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly 1 (insert, delete, substitute or swap)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def typosquat_target(name: str, ecosystem: str) -> str | None:
    """The popular name this one imitates, or None (popular names imitate nothing)."""
    names = popular(ecosystem)
    norm = normalise(name, ecosystem)
    if norm in names:
        return None
    ascii_form = norm.translate(_CONFUSABLE_MAP)
    if ascii_form != norm and ascii_form in names:
        return ascii_form
    scope, _, bare = norm.rpartition("/")
    if len(bare) < 4:
        return None
    for candidate in names:
        cand_scope, _, cand_bare = candidate.rpartition("/")
        if cand_scope != scope or len(cand_bare) < 4:
            continue
        if one_edit(bare, cand_bare) and not _plural_or_suffix(bare, cand_bare):
            return candidate
    return None


def _plural_or_suffix(a: str, b: str) -> bool:
    """'pkg' vs 'pkgs' or 'pkg2' vs 'pkg3': versions of a family, not typos."""
    short, long_ = sorted((a, b), key=len)
    if long_.startswith(short) and long_[len(short) :] in {"s", "2", "3", "x", "-"}:
        return True
    return a[:-1] == b[:-1] and a[-1:].isdigit() and b[-1:].isdigit()


def depconf_version(version: str | None) -> bool:
    """Versions like 99.0, 999.1.2 or 1337.0 that outrank any private package's."""
    if not version:
        return False
    m = re.match(r"^v?(\d+)", version)
    if not m:
        return False
    major = int(m.group(1))
    if 1990 <= major <= 2100 or 19900000 <= major <= 21001231:  # calendar versions
        return False
    return major >= 90


def check_package(package: PackageRef, sink: Sink, version_hint: str | None) -> None:
    """Name and version rules (reachability `metadata`)."""
    ctx = FileCtx(path="", reach="metadata", ecosystem=package.ecosystem)
    target = typosquat_target(package.name, package.ecosystem)
    if target:
        sink.add(
            "META-TYPOSQUAT",
            ctx,
            None,
            package.name,
            detail=f"'{package.name}' is one edit from the popular '{target}'.",
        )
    version = package.version or version_hint
    if depconf_version(version):
        sink.add(
            "META-DEPCONF-VERSION",
            ctx,
            None,
            f"{package.name} {version}",
            detail=f"Version {version}.",
        )


def _gibberish(text: str) -> bool:
    words = re.findall(r"[A-Za-z]{6,}", text)
    if len(words) < 2:
        return False
    odd = sum(
        1
        for w in words
        if sum(1 for a, b in itertools.pairwise(w) if a.islower() and b.isupper()) >= 2
    )
    return odd / len(words) >= 0.5


def check_pkg_info(data: bytes, ctx: FileCtx, sink: Sink) -> str | None:
    """PKG-INFO / METADATA: placeholder metadata, confusable or URL dependencies.
    Returns the declared version."""
    text = data.decode("utf-8", "replace")
    msg = email.parser.HeaderParser().parsestr(text)
    summary = (msg.get("Summary") or "").strip()
    author = (msg.get("Author") or msg.get("Author-email") or "").strip()
    home = (msg.get("Home-page") or msg.get("Project-URL") or "").strip()
    placeholder = []
    if summary.upper() in {"", "UNKNOWN"} or _gibberish(summary):
        placeholder.append("summary")
    if author.upper() in {"", "UNKNOWN"} or _gibberish(author):
        placeholder.append("author")
    if home.upper() in {"", "UNKNOWN"}:
        placeholder.append("home page")
    if len(placeholder) >= 2 or _gibberish(summary):
        sink.add(
            "META-PLACEHOLDER",
            ctx,
            None,
            f"Summary: {summary[:120]} Author: {author[:60]}",
            detail=f"Missing or random: {', '.join(placeholder) or 'summary'}.",
        )
    for req in msg.get_all("Requires-Dist") or []:
        _check_requirement(req, ctx, sink, text)
    return msg.get("Version")


def check_requires_txt(data: bytes, ctx: FileCtx, sink: Sink) -> None:
    text = data.decode("utf-8", "replace")
    for line in text.splitlines():
        if line.strip() and not line.startswith("["):
            _check_requirement(line, ctx, sink, text)


def _check_requirement(req: str, ctx: FileCtx, sink: Sink, text: str) -> None:
    line = next((i for i, ln in enumerate(text.splitlines(), 1) if req in ln), None)
    if confusable(req):
        sink.add(
            "META-DEP-CONFUSABLE",
            ctx,
            line,
            req,
            detail=f"Dependency {req!r} is not plain ASCII.",
            reach="install",
        )
    elif re.search(r"@\s*(https?://|git\+)", req):
        sink.add("META-DEP-URL", ctx, line, req, reach="install")


def package_json(data: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


def check_package_json(doc: dict[str, Any], raw: bytes, ctx: FileCtx, sink: Sink) -> set[str]:
    """npm manifest rules; returns the files its install scripts run (relative paths)."""
    text = raw.decode("utf-8", "replace")
    run_files: set[str] = set()
    scripts = doc.get("scripts")
    if isinstance(scripts, dict):
        for hook in INSTALL_SCRIPTS:
            cmd = scripts.get(hook)
            if not isinstance(cmd, str) or not cmd.strip():
                continue
            line = next((i for i, ln in enumerate(text.splitlines(), 1) if f'"{hook}"' in ln), None)
            snippet = text_line(text, line) or f'"{hook}": "{cmd}"'
            sink.add("NPM-INSTALL-SCRIPT", ctx, line, snippet, detail=f"{hook}: {cmd[:200]}")
            if _SHELLY.search(cmd):
                sink.add(
                    "NPM-INSTALL-SCRIPT-SHELL",
                    ctx,
                    line,
                    snippet,
                    reach="install",
                    detail=cmd[:200],
                )
            run_files |= script_files(cmd)
    description = doc.get("description")
    placeholder = []
    if not isinstance(description, str) or not description.strip():
        placeholder.append("description")
    if not doc.get("repository") and not doc.get("homepage"):
        placeholder.append("repository")
    if not doc.get("author") and not doc.get("maintainers") and not doc.get("contributors"):
        placeholder.append("author")
    if len(placeholder) >= 3:
        sink.add(
            "META-PLACEHOLDER",
            ctx,
            None,
            f"description: {str(description)[:120]}",
            detail=f"Missing: {', '.join(placeholder)}.",
        )
    for key in ("dependencies", "optionalDependencies", "peerDependencies"):
        deps = doc.get(key)
        if not isinstance(deps, dict):
            continue
        for name, spec in deps.items():
            if confusable(str(name)):
                sink.add("META-DEP-CONFUSABLE", ctx, None, f"{name}: {spec}", reach="install")
            elif isinstance(spec, str) and re.match(r"^(https?://|git(\+\w+)?://|git@)", spec):
                sink.add("META-DEP-URL", ctx, None, f"{name}: {spec}", reach="install")
    return run_files


def script_files(cmd: str) -> set[str]:
    """Files a script line hands to an interpreter: `node x.js && sh y.sh` → {x.js, y.sh}."""
    out: set[str] = set()
    try:
        words = shlex.split(cmd, posix=True)
    except ValueError:
        words = cmd.split()
    interp = {"node", "sh", "bash", "python", "python3", "nodejs", "zsh", "pwsh", "powershell"}
    for i, w in enumerate(words):
        if w in interp:
            for nxt in words[i + 1 : i + 4]:
                if not nxt.startswith("-"):
                    out.add(nxt.lstrip("./"))
                    break
        elif re.search(r"\.(js|cjs|mjs|sh|py)$", w) and not w.startswith("-"):
            out.add(w.lstrip("./"))
    return out


def is_executable(head: bytes) -> str:
    """'PE', 'ELF', 'Mach-O' when `head` starts like a native executable, else ''."""
    if head[:2] == b"MZ":
        return "PE"
    if head[:4] == b"\x7fELF":
        return "ELF"
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "Mach-O"
    return ""


def ecosystem_of(value: str) -> Ecosystem:
    return "npm" if value == "npm" else "pypi"
