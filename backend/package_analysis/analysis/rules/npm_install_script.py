"""NPM-INSTALL-SCRIPT and NPM-INSTALL-SCRIPT-SHELL: what npm runs while installing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..inputs import lines
from .base import Rule, Variant

if TYPE_CHECKING:
    from .subjects import ManifestCheck

INSTALL_SCRIPT = Rule(
    id="NPM-INSTALL-SCRIPT",
    title="package.json runs a script at install time",
    category="install-hook",
    severity="low",
    explanation=(
        "preinstall/install/postinstall scripts run on every machine that installs the "
        "package. Read the script and the files it runs (they are marked reachability=install)."
    ),
)
INSTALL_SHELL = Rule(
    id="NPM-INSTALL-SCRIPT-SHELL",
    title="An install script itself fetches, evaluates or hides code",
    category="download-exec",
    severity="high",
    explanation=(
        "An install script that calls curl/wget, node -e with anything but a local require, or "
        "an encoded command executes unreviewed code while installing."
    ),
    variants={
        "fetch-exec": Variant("critical", "the script downloads and runs, or decodes and runs")
    },
    strong_at_load=True,  # npm runs it on every install: downloading and running is the intent
    strong_critical_only=True,  # a bare URL or `node -e` in a hook is not
)
RULES = (INSTALL_SCRIPT, INSTALL_SHELL)
_SHELLY = re.compile(
    r"(\bcurl\b|\bwget\b|node +(-e|--eval|-p)\b|\bbase64\b|\| *(ba)?sh\b|powershell|"
    r"\bnslookup\b|\bdig\b +|\bping\b +-c|https?://|/dev/tcp|\beval\b|>\s*/dev/null\s*2>&1\s*&)",
    re.I,
)
_FETCH_EXEC = re.compile(
    r"(curl|wget|iwr|Invoke-WebRequest)[^|;&]*\|\s*(ba)?sh|base64 +(-d|--decode)[^|]*\|\s*(ba)?sh",
    re.I,
)
# `node -e "require('./x')"` (optionally in try/catch) only loads a local file: that file is
# scanned as install-time code, the line itself hides nothing
_LOCAL_REQUIRE = re.compile(
    r"""node +(-e|--eval) +(["'])\s*(try\s*\{\s*)?require\(\s*['"`]\.{1,2}/[^'"`]+['"`]\s*\)\s*;?"""
    r"""\s*(\}\s*catch\s*(\(\s*\w*\s*\))?\s*\{[^}]*\}\s*)?\2"""
)
# `node -p "require('node-addon-api').include"`: prints a property of an installed
# dependency (native addons ask for include folders this way); nothing of the line itself runs
_DEPENDENCY_PROPERTY = re.compile(
    r"""node +(-p|--print|-e|--eval) +(\\?["'])\s*"""
    r"""require\(\s*\\?['"]@?[\w.-]+(/[\w.-]+)?\\?['"]\s*\)(\.\w+)*\s*\2"""
)


def check_manifest(m: ManifestCheck) -> None:
    for hook, cmd in m.hooks.items():
        name = hook.split(":")[0]
        line = m.line_of(f'"{name}"')
        snippet = (lines(m.text)[line - 1] if line else "") or f'"{name}": "{cmd}"'
        m.emit(INSTALL_SCRIPT, line, snippet, f"{hook}: {cmd[:200]}")
        rest = _DEPENDENCY_PROPERTY.sub("", _LOCAL_REQUIRE.sub("", cmd))
        if _SHELLY.search(rest):
            variant = "fetch-exec" if _FETCH_EXEC.search(rest) else ""
            m.emit(INSTALL_SHELL, line, snippet, cmd[:200], reach="install", variant=variant)
