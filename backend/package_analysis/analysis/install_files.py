"""The files a package's install step runs, as its manifest names them: those an npm
lifecycle script hands to an interpreter, and the modules of a build backend that ships in
the sdist (pyproject's `backend-path`). Shared by the ecosystem adapters and the engine's
layout."""

from __future__ import annotations

import re
import shlex
from typing import Any

INTERPRETERS = {"node", "sh", "bash", "python", "python3", "nodejs", "zsh", "pwsh", "powershell"}


def script_files(cmd: str) -> set[str]:
    """Files a script line hands to an interpreter: `node x.js && sh y.sh` → {x.js, y.sh}.
    Only a leading `./` goes: `.hidden.js` and `../x.js` keep their dots."""
    out: set[str] = set()
    try:
        words = shlex.split(cmd, posix=True)
    except ValueError:
        words = cmd.split()
    for i, w in enumerate(words):
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
