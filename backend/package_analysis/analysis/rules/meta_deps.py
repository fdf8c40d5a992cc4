"""META-DEP-CONFUSABLE and META-DEP-URL: dependencies with look-alike names or from URLs
(PKG-INFO, requires.txt, package.json, setup.py's install_requires)."""

from __future__ import annotations

import ast
import re
import unicodedata
from typing import TYPE_CHECKING

from .base import Rule, Variant

if TYPE_CHECKING:
    from ..pypass import PyCheck
    from .subjects import ManifestCheck, MetaCheck

CONFUSABLE = Rule(
    id="META-DEP-CONFUSABLE",
    title="A dependency name uses look-alike (non-ASCII) characters",
    category="typosquat",
    severity="high",
    explanation=(
        "A Cyrillic 'e' (U+0435) in 'requests' installs an attacker's package that reads like a "
        "popular one. Compare the dependency's bytes with the real name."
    ),
    strong=True,
)
DEP_URL = Rule(
    id="META-DEP-URL",
    title="A dependency is installed from a URL instead of the registry",
    category="metadata",
    severity="medium",
    explanation=(
        "Dependencies fetched from arbitrary URLs skip the registry and its hash checks. "
        "Check the host and what it serves."
    ),
    variants={"pypi": Variant("high", "a Python dependency: PyPI refuses direct URL dependencies")},
)
RULES = (CONFUSABLE, DEP_URL)


def confusable(name: str) -> bool:
    """A requirement whose name part has letters outside ASCII (homoglyphs)."""
    head = re.split(r"[<>=!~;\[ @]", name.strip(), maxsplit=1)[0]
    return any(ord(ch) > 127 and unicodedata.category(ch).startswith("L") for ch in head)


def non_ascii(text: str) -> str:
    chars = sorted({ch for ch in text if ord(ch) > 127})
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in chars[:3])


def _requirement(m: MetaCheck, req: str) -> None:
    line = m.line_of(req)
    if confusable(req):
        m.emit(CONFUSABLE, line, req, f"Dependency {req!r} is not plain ASCII.", reach="install")
    elif re.search(r"@\s*(https?://|git\+)", req):
        m.emit(DEP_URL, line, req, reach="install", variant="pypi")


def check_pkg_info(m: MetaCheck) -> None:
    if m.msg is not None:
        for req in m.msg.get_all("Requires-Dist") or []:
            _requirement(m, req)


def check_requires(m: MetaCheck) -> None:
    for line in m.text.splitlines():
        if line.strip() and not line.startswith("["):
            _requirement(m, line)


def check_manifest(m: ManifestCheck) -> None:
    for key in ("dependencies", "optionalDependencies", "peerDependencies"):
        deps = m.doc.get(key)
        if not isinstance(deps, dict):
            continue
        for name, spec in deps.items():
            if confusable(str(name)):
                m.emit(CONFUSABLE, m.line_of(str(name)), f"{name}: {spec}", reach="install")
            elif isinstance(spec, str) and re.match(r"^(https?://|git(\+\w+)?://|git@)", spec):
                m.emit(DEP_URL, m.line_of(spec), f"{name}: {spec}", reach="install")


def check_python(c: PyCheck) -> None:
    if not c.facts.is_setup:
        return
    for call in c.facts.calls:
        for kw in call.node.keywords:
            if kw.arg not in {"install_requires", "setup_requires", "requires"}:
                continue
            for n in ast.walk(kw.value):
                if not isinstance(n, ast.Constant) or not isinstance(n.value, str):
                    continue
                if confusable(n.value):
                    c.emit(
                        CONFUSABLE,
                        n,
                        f"{n.value!r} contains {non_ascii(n.value)}.",
                        reach="install",
                    )
                elif re.search(r"(https?://|git\+)", n.value):
                    c.emit(DEP_URL, n, reach="install", variant="pypi")
