"""Which format a file is (by name, else by content), and the parse that reads it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from .model import FORMATS, Format, LockfileError, Parsed
from .npm import npm_lock_parse
from .pnpm import pnpm_parse
from .pylock import poetry_parse, pylock_parse, uv_parse
from .requirements import requirements_parse


def lockfile_parse(*, filename: str, data: bytes) -> Parsed:
    """Parse a dependency file; the format comes from its name, else from its content."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LockfileError(f"The file is not UTF-8 text (byte {exc.start} is not).") from exc
    if "\x00" in text:
        raise LockfileError("The file is binary (it contains NUL bytes), not a lockfile.")
    fmt = format_detect(filename=filename, text=text)
    try:
        return _PARSERS[fmt](text)
    except RecursionError as exc:
        raise LockfileError(f"The {fmt} is nested too deeply to be a lockfile.") from exc


def format_detect(*, filename: str, text: str) -> Format:
    """By file name first (requirements*.txt, *.txt, poetry.lock, uv.lock, pylock.toml,
    package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml), then by content."""
    base = PurePosixPath(filename.replace("\\", "/")).name.lower()
    by_name: dict[str, Format] = {
        "poetry.lock": "poetry.lock",
        "uv.lock": "uv.lock",
        "package-lock.json": "package-lock.json",
        "npm-shrinkwrap.json": "package-lock.json",
        "pnpm-lock.yaml": "pnpm-lock.yaml",
        "pnpm-lock.yml": "pnpm-lock.yaml",
    }
    if base in by_name:
        return by_name[base]
    if base.startswith("pylock.") and base.endswith(".toml"):  # PEP 751: pylock.<name>.toml
        return "pylock.toml"
    if base.endswith(".txt"):
        return "requirements.txt"
    sniffed = _sniff(text)
    if sniffed is None:
        raise LockfileError(
            f"Cannot tell what kind of file {filename or 'this'!r} is; upload one of: "
            + ", ".join(FORMATS)
            + " (any name ending in .txt is read as a requirements file)."
        )
    return sniffed


def _sniff(text: str) -> Format | None:
    head = text.lstrip()[:4096]
    if head.startswith("{") and '"lockfileVersion"' in head:
        return "package-lock.json"
    if re.search(r"^lockfileVersion:", head, re.MULTILINE):
        return "pnpm-lock.yaml"
    if re.search(r"^lock-version\s*=", head, re.MULTILINE) and re.search(
        r"^\[\[packages\]\]", text, re.MULTILINE
    ):
        return "pylock.toml"
    if re.search(r"^\[\[package\]\]", text, re.MULTILINE):
        if re.search(r"^\[metadata\]", text, re.MULTILINE) and "content-hash" in text:
            return "poetry.lock"
        if re.search(r"^(revision|requires-python)\s*=", head, re.MULTILINE):
            return "uv.lock"
    return None


_PARSERS: dict[Format, Callable[[str], Parsed]] = {
    "requirements.txt": requirements_parse,
    "poetry.lock": poetry_parse,
    "uv.lock": uv_parse,
    "pylock.toml": pylock_parse,
    "package-lock.json": npm_lock_parse,
    "pnpm-lock.yaml": pnpm_parse,
}
