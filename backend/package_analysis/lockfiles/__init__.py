"""Lockfile parsing: which pinned package versions a dependency file names, and why every
other line was left out. Nothing from the file is ever installed or run; no network, no
database.

One module per format — requirements.py (pip's line format, parsed with `packaging`),
pylock.py (poetry.lock and uv.lock, tomllib), npm.py (package-lock.json and
npm-shrinkwrap.json v1 to v3, json), pnpm.py (pnpm-lock.yaml v5 to v9, PyYAML's safe
loader) — detect.py to pick one, and isolated.py to run the parse in a child process with a
memory and time budget (what the api does).
"""

from .detect import format_detect, lockfile_parse
from .isolated import PARSE_MEMORY_BYTES, PARSE_SECONDS, LockfileTooLarge, lockfile_parse_isolated
from .model import (
    BUNDLED,
    EDITABLE,
    FORMATS,
    INCLUDE,
    INVALID,
    LINE_MAX,
    LOCAL,
    OPTION,
    PATH_REQUIREMENT,
    UNPINNED,
    UNSUPPORTED,
    URL_REQUIREMENT,
    VCS,
    WORKSPACE,
    Format,
    LockfileError,
    Package,
    Parsed,
    Skipped,
)

__all__ = [
    "BUNDLED",
    "EDITABLE",
    "FORMATS",
    "INCLUDE",
    "INVALID",
    "LINE_MAX",
    "LOCAL",
    "OPTION",
    "PARSE_MEMORY_BYTES",
    "PARSE_SECONDS",
    "PATH_REQUIREMENT",
    "UNPINNED",
    "UNSUPPORTED",
    "URL_REQUIREMENT",
    "VCS",
    "WORKSPACE",
    "Format",
    "LockfileError",
    "LockfileTooLarge",
    "Package",
    "Parsed",
    "Skipped",
    "format_detect",
    "lockfile_parse",
    "lockfile_parse_isolated",
]
