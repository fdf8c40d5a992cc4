"""Package-level rules over the whole tree: a distribution that installs another popular
distribution's import package (a trojanized copy), commands named like system or packaging
tools, and dependencies from URLs in pyproject.toml or setup.cfg."""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .base import Rule
from .meta_deps import DEP_URL
from .subjects import line_with

if TYPE_CHECKING:
    from .subjects import TreeCheck

TROJAN = Rule(
    id="META-TROJAN-COPY",
    title="Installs the import package of another popular distribution",
    category="typosquat",
    severity="high",
    explanation=(
        "This distribution has its own name but installs the module a popular distribution "
        "provides, so `import <that module>` loads this copy instead (or on top of) the real "
        "one. Forks and binary builds do this openly under a name that says so; trojanized "
        "copies add a few lines. Diff the module against the popular distribution's."
    ),
    strong=True,
)
SHADOW = Rule(
    id="META-COMMAND-SHADOW",
    title="Installs a command named like a system or packaging tool",
    category="command-hijack",
    severity="high",
    explanation=(
        "A console script or npm bin named pip, npm, git, ls or sudo shadows the real tool on "
        "PATH: the next time the user runs it, the package's code runs instead. Check what the "
        "entry point does."
    ),
)
RULES = (TROJAN, SHADOW)

SYSTEM_TOOLS = frozenset(
    {
        "pip", "pip3", "python", "python3", "node", "npm", "npx", "yarn", "pnpm", "git", "ssh",
        "scp", "sudo", "su", "ls", "cd", "cp", "mv", "rm", "cat", "ps", "kill", "env", "which",
        "bash", "sh", "zsh", "curl", "wget", "tar", "chmod", "chown", "grep", "find", "make",
        "gcc", "cc", "apt", "apt-get", "brew", "docker", "kubectl", "aws", "gcloud", "az",
        "twine", "uv", "poetry", "conda", "login", "passwd", "crontab", "systemctl",
    }
)  # fmt: skip
# import names too generic to say anything about the distribution that ships them
_GENERIC = frozenset(
    {"test", "tests", "testing", "docs", "doc", "examples", "example", "src", "lib", "scripts",
     "benchmarks", "utils", "util", "common", "core", "setup", "build", "dist", "tools", "data"}
)  # fmt: skip
_NAMESPACE = re.compile(r"extend_path|declare_namespace")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.lower().strip())


def _import_packages(t: TreeCheck) -> dict[str, str]:
    """import name → the file that proves it (its __init__.py, or top_level.txt)."""
    out: dict[str, str] = {}
    for rel in t.files:
        inner = rel[len(t.prefix) :] if rel.startswith(t.prefix) else rel
        parts = PurePosixPath(inner).parts
        if parts and parts[0] == "src":
            parts = parts[1:]
        if (
            len(parts) == 2
            and parts[1] == "__init__.py"
            and not parts[0].endswith((".dist-info", ".data", ".egg-info"))
            and not _NAMESPACE.search(t.read(rel, 4096))
        ):
            out.setdefault(parts[0], rel)
    return out


def check_tree(t: TreeCheck) -> None:
    if t.package.ecosystem == "pypi":
        _trojan_copy(t)
        _url_dependencies(t)
    _shadowing_commands(t)


def _trojan_copy(t: TreeCheck) -> None:
    popular = t.popular("pypi")
    own = _norm(t.package.name)
    if own in popular:
        return
    ends = (".dist-info/top_level.txt", ".egg-info/top_level.txt")
    top_level = next((f for f in t.files if f.endswith(ends)), None)
    listed = t.read(top_level, 65536).splitlines() if top_level else []
    for name, proof in sorted(_import_packages(t).items()):
        norm = _norm(name)
        if len(norm) < 3 or norm in _GENERIC or norm == own or norm not in popular:
            continue
        where, line = proof, None
        if top_level and name in listed:
            where, line = top_level, listed.index(name) + 1
        t.emit_at(
            TROJAN, where, line, name,
            f"The distribution {t.package.name!r} installs the import package {name!r}, which "
            f"belongs to the popular distribution {norm!r}.",
        )  # fmt: skip


def _shadowing_commands(t: TreeCheck) -> None:
    own = _norm(t.package.name).rsplit("/", 1)[-1]
    for rel, line, command in t.commands():
        cmd = command.lower()
        base = re.sub(r"[\d.]+$", "", cmd)  # pip3, pip3.13: the package's own, versioned
        if cmd in SYSTEM_TOOLS and not (own == base or own.startswith(base)):
            detail = f"The package installs a command named {command!r}."
            t.emit_at(SHADOW, rel, line, command, detail)


def _url_dependencies(t: TreeCheck) -> None:
    for name in ("pyproject.toml", "setup.cfg"):
        rel = t.prefix + name
        if rel not in t.files:
            continue
        text = t.read(rel, 1 << 20)
        for req in _requirements(name, text):
            if re.search(r"@\s*(https?://|git\+|file:|svn\+|hg\+)", req):
                line = line_with(text, req.strip())
                t.emit_at(DEP_URL, rel, line, req.strip(), reach="install", variant="pypi")


def _requirements(name: str, text: str) -> list[str]:
    if name == "pyproject.toml":
        try:
            project = tomllib.loads(text).get("project")
        except (tomllib.TOMLDecodeError, RecursionError):
            return []
        if not isinstance(project, dict):
            return []
        reqs = list(project.get("dependencies") or [])
        for extra in (project.get("optional-dependencies") or {}).values():
            reqs += list(extra or [])
        return [r for r in reqs if isinstance(r, str)]
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    raw = parser.get("options", "install_requires", fallback="")
    return [ln for ln in raw.splitlines() if ln.strip()]
