"""Download one artifact, capped in size, and verify it against the hash its registry
published."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import AnalysisError, Artifact
from .listing import RemoteFile
from .registries import registry_for
from .transport import CHUNK, _open, _remaining

if TYPE_CHECKING:  # imported when first used (transport.py says why)
    import httpx

# --- download ---------------------------------------------------------------------------


def _mib(n: int) -> str:
    return f"{n / 1048576:.1f} MiB"


def artifact_too_large(filename: str, size: int, max_bytes: int) -> AnalysisError:
    return AnalysisError(
        f"Artifact too large: {filename} is {_mib(size)}, more than"
        f" ANALYSIS_MAX_ARTIFACT_BYTES ({_mib(max_bytes)})"
    )


def _hashers() -> dict[str, Any]:
    return {"sha256": hashlib.sha256(), "sha512": hashlib.sha512(), "sha1": hashlib.sha1()}  # noqa: S324


def verify(remote: RemoteFile, digests: dict[str, str]) -> None:
    """Compare a download's digests with the strongest hash the registry published."""
    for algo in ("sha256", "sha512", "sha1"):
        expected = getattr(remote, algo)
        if expected:
            if digests[algo] != expected.lower():
                # Never the download's own digest: that would tell whoever wrote the URL
                # the hash of whatever answered it (a hash oracle for internal URLs).
                raise AnalysisError(
                    f"Hash mismatch for {remote.filename}: the registry published {algo}"
                    f" {expected.lower()} and the download does not match it; not analysed"
                )
            return
    raise AnalysisError(f"The registry publishes no hash for {remote.filename}; not analysed")


def file_digests(path: Path) -> dict[str, str]:
    """sha256, sha512 and sha1 of a local file, read in chunks."""
    hashers = _hashers()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            for h in hashers.values():
                h.update(chunk)
    return {k: h.hexdigest() for k, h in hashers.items()}


CHECK_EVERY = 0.5  # seconds between cancellation checks while downloading


def _stream(
    response: httpx.Response, *, deadline: float, check: Callable[[], None] | None
) -> Iterator[bytes]:
    checked = time.monotonic()
    for chunk in response.iter_bytes(CHUNK):
        _remaining(deadline)
        if check is not None and time.monotonic() - checked >= CHECK_EVERY:
            check()
            checked = time.monotonic()
        yield chunk


def download(
    remote: RemoteFile,
    dest_dir: Path,
    *,
    max_bytes: int,
    deadline: float,
    check: Callable[[], None] | None = None,
) -> Artifact:
    """Stream one file into `dest_dir`, capped at `max_bytes`, and verify its published hash.
    `check()` runs every half second of the transfer (it raises to cancel)."""
    import httpx

    if remote.size is not None and remote.size > max_bytes:
        raise artifact_too_large(remote.filename, remote.size, max_bytes)
    registry = registry_for(remote.ecosystem)
    safe_name = re.sub(r"[^A-Za-z0-9._+-]", "_", remote.filename)[:200] or "artifact"
    path = dest_dir / safe_name
    hashers = _hashers()
    size = 0
    try:
        with (
            _open(registry, remote.url, what=remote.filename, deadline=deadline) as response,
            path.open("xb") as out,
        ):
            if response.status_code != 200:
                raise AnalysisError(
                    f"Registry answered HTTP {response.status_code} for {remote.filename}"
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise artifact_too_large(remote.filename, int(declared), max_bytes)
            for chunk in _stream(response, deadline=deadline, check=check):
                size += len(chunk)
                if size > max_bytes:
                    raise artifact_too_large(remote.filename, size, max_bytes)
                out.write(chunk)
                for h in hashers.values():
                    h.update(chunk)
        verify(remote, {k: h.hexdigest() for k, h in hashers.items()})
    except httpx.HTTPError as exc:
        path.unlink(missing_ok=True)
        raise AnalysisError(
            f"Download failed for {remote.filename}: {type(exc).__name__}: {exc}"
        ) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Artifact(
        filename=remote.filename, sha256=hashers["sha256"].hexdigest(), size=size, path=path
    )
