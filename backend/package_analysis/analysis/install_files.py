"""The files a package's install step runs, as its manifest names them: those an npm
lifecycle script hands to an interpreter (also through `sh -c '…'`), the commands node-gyp
runs from binding.gyp, the modules of a build backend that ships in the sdist (pyproject's
`backend-path`), the modules an `.npmrc` preloads, and the folders of an sdist its build
installs nowhere. Shared by the ecosystem adapters and the engine's layout."""

from __future__ import annotations

import ast
import configparser
import re
import shlex
import tomllib
from collections.abc import Callable
from typing import Any

INTERPRETERS = {
    "node", "sh", "bash", "dash", "python", "python3", "nodejs", "zsh", "pwsh", "powershell",
}  # fmt: skip


SHELLS = {"sh", "bash", "zsh", "dash", "ksh"}


def shell_commands(cmd: str, depth: int = 0) -> list[str]:
    """The line, and every command it hands to a shell as a string (`sh -c '…'`, also
    nested), unquoted: what the shell really runs."""
    out = [cmd]
    if depth >= 3:
        return out
    words = _words(cmd)
    for i, w in enumerate(words[:-2]):
        if w.rsplit("/", 1)[-1] in SHELLS and words[i + 1] == "-c":
            out += shell_commands(words[i + 2], depth + 1)
    return out


def _words(cmd: str) -> list[str]:
    try:
        return shlex.split(cmd, posix=True)
    except ValueError:
        return cmd.split()


def script_files(cmd: str) -> set[str]:
    """Files a script line hands to an interpreter: `node x.js && sh y.sh` → {x.js, y.sh},
    also inside `sh -c '…'`. Only a leading `./` goes: `.hidden.js` and `../x.js` keep their
    dots."""
    out: set[str] = set()
    for line in shell_commands(cmd):
        out |= _script_files(line)
    return out


def _script_files(cmd: str) -> set[str]:
    out: set[str] = set()
    words = _words(cmd)
    for i, w in enumerate(words):
        if w in SHELLS and words[i + 1 : i + 2] == ["-c"]:
            continue  # its string is read as a command line of its own (shell_commands)
        if w in INTERPRETERS:
            for nxt in words[i + 1 : i + 4]:
                if not nxt.startswith("-"):
                    out.add(nxt.removeprefix("./"))
                    break
        elif re.search(r"\.(js|cjs|mjs|sh|py)$", w) and not w.startswith("-"):
            out.add(w.removeprefix("./"))
    return out


def backend_files(system: dict[str, Any]) -> set[str]:
    """Files of a build backend that ships inside the sdist, from pyproject's
    `[build-system]` table (`backend-path` and `build-backend`)."""
    paths, backend = system.get("backend-path"), system.get("build-backend")
    if not isinstance(paths, list) or not isinstance(backend, str):
        return set()
    module = backend.split(":")[0].replace(".", "/")
    out: set[str] = set()
    for p in paths:
        if isinstance(p, str):
            base = p.strip("./")
            prefix = f"{base}/" if base else ""
            out |= {f"{prefix}{module}.py", f"{prefix}{module}/__init__.py"}
    return out


_GYP_COMMAND = re.compile(r"<!@?\(")


def gyp_commands(text: str) -> list[str]:
    """The commands of binding.gyp's `<!(...)` / `<!@(...)` expansions, parentheses balanced
    (`<!(node -p "require('x').dir")`)."""
    out = []
    for m in _GYP_COMMAND.finditer(text):
        depth, i = 1, m.end()
        while i < len(text) and depth and i - m.end() < 2000:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        out.append(text[m.end() : i - 1] if not depth else text[m.end() : i])
    return out


def gyp_actions(text: str) -> list[str]:
    """The command lines of binding.gyp's `actions` and `rules` (`"action": ["sh", "-c",
    "…"]`), which node-gyp's build runs. The file is a Python literal: read, never run."""
    try:
        tree = ast.literal_eval(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return []
    out: list[str] = []
    stack: list[Any] = [tree]
    while stack and len(out) < 50:
        node = stack.pop()
        if isinstance(node, dict):
            action = node.get("action")
            if isinstance(action, list) and all(isinstance(w, str) for w in action):
                out.append(shlex.join(action) if len(action) > 1 else "".join(action))
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return out


def declared_cmdclass(pyproject: bytes | None, setup_cfg: bytes | None) -> set[str]:
    """Module files of the command classes setuptools takes from its declarative config:
    `[tool.setuptools.cmdclass]` in pyproject.toml, `cmdclass =` under setup.cfg's
    `[options]` (`install = pkg._build.Install`). pip runs their commands while installing."""
    targets: list[str] = []
    if pyproject is not None:
        try:
            doc = tomllib.loads(pyproject.decode("utf-8", "replace"))
        except (tomllib.TOMLDecodeError, RecursionError):
            doc = {}
        table = doc.get("tool", {}).get("setuptools", {}).get("cmdclass", {})
        if isinstance(table, dict):
            targets += [v for v in table.values() if isinstance(v, str)]
    if setup_cfg is not None:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(setup_cfg.decode("utf-8", "replace"))
            raw = parser.get("options", "cmdclass", fallback="")
        except (configparser.Error, ValueError):
            raw = ""
        targets += [line.split("=", 1)[1] for line in raw.splitlines() if "=" in line]
    out: set[str] = set()
    for target in targets[:20]:
        module = target.strip().rpartition(".")[0]
        if re.fullmatch(r"[A-Za-z_][\w.]*", module):
            path = module.replace(".", "/")
            out |= {f"{path}.py", f"src/{path}.py", f"{path}/__init__.py"}
    return out


_NODE_OPTIONS = re.compile(r"^\s*node[-_]options\s*=\s*(.+)$", re.I | re.M)
_PRELOAD = re.compile(
    r"(?:--require|-r|--import|--loader|--experimental-loader)(?:\s+|=)[\"']?([^\s\"']+)"
)


def npmrc_preloads(npmrc: bytes | None) -> list[str]:
    """Local modules an .npmrc's `node-options` preloads (npm hands them to every node
    process it starts while installing, the lifecycle scripts of every dependency too)."""
    if npmrc is None:
        return []
    text = npmrc.decode("utf-8", "replace")
    found = [m for opts in _NODE_OPTIONS.findall(text) for m in _PRELOAD.findall(opts)]
    return [f for f in found if f.startswith(".")][:8]


def unshipped(
    inner: list[str], packages: set[str], read: Callable[[str], bytes | None]
) -> set[str]:
    """Top folders of an sdist its build installs nowhere (release scripts in `resources/`):
    no `__init__.py`, not in the egg-info's `top_level.txt`, not named by setup.py, setup.cfg
    or pyproject.toml, which ask for no namespace packages (else they would be installed)."""
    listing = next((f for f in inner if re.fullmatch(r"[^/]+\.egg-info/top_level\.txt", f)), "")
    listed = read(listing) if listing else None
    if listed is None:
        return set()
    config = b"\n".join(read(n) or b"" for n in ("setup.py", "setup.cfg", "pyproject.toml"))
    if b"namespace" in config.lower():
        return set()
    named = set(listed.decode("utf-8", "replace").split()) | {"src"}
    tops = {f.split("/", 1)[0] for f in inner if "/" in f and f.endswith(".py")}
    tops -= {p.split("/", 1)[0] for p in packages} | named
    found = (t for t in tops if not re.search(rb"\b%s\b" % re.escape(t.encode()), config))
    return {t + "/" for t in found if not t.endswith(".egg-info")}
