"""Fetch: list a package version's files through the configured registry, then download
and verify them.

The registry is whatever the machine's own clients are configured for — pip's index
(`pip config list`, `PIP_INDEX_URL`, pip.conf `index-url`; pip's built-in default only by
asking pip) and npm's registry (`npm config`) — with their proxy and CA settings, so a
machine behind a mirror just works. No registry host is written here.

What a registry's documents mean (versions, files, hashes, provenance) is the business of
the ecosystem adapters (`ecosystems/pypi.py`, `ecosystems/npm.py`); this module fetches
them (`get_document`). `ecosystems.resolve()` lists a version's files before anything is
downloaded, so a caller with a cached report for a published sha256 can skip the download.
Never `pip download`: pip would run an sdist's build hooks, i.e. the package's code.
"""

from __future__ import annotations

import ast
import configparser
import functools
import hashlib
import json
import os
import re
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from .model import AnalysisError, Artifact, Ecosystem, PackageRef

SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
INDEX_MAX_BYTES = 64 * 1024 * 1024  # a package document or index page, not an artifact
CHUNK = 64 * 1024
CLIENT_TIMEOUT = 60  # seconds for asking pip or npm about their configuration


@dataclass(frozen=True)
class Registry:
    """Where one ecosystem's packages come from, as its client is configured."""

    url: str  # the pip index base or the npm registry, ending in "/"
    ca_file: str | None
    proxy: str | None
    source: str  # how it was found, for error messages ("pip config global.index-url")


@dataclass(frozen=True)
class RemoteFile:
    """One file of a package version as the registry lists it (nothing downloaded yet)."""

    ecosystem: Ecosystem
    filename: str
    url: str
    sha256: str | None = None  # published by PyPI indexes; the report-cache key
    sha512: str | None = None  # npm `dist.integrity` (hex)
    sha1: str | None = None  # npm `dist.shasum`, for old packages without integrity
    size: int | None = None


@dataclass(frozen=True)
class Resolved:
    """A package version (latest resolved) and the files to analyse, sdist first."""

    package: PackageRef
    files: list[RemoteFile]
    registry: str  # the index URL without credentials, for the report's provenance


# --- registry configuration -------------------------------------------------------------


def _run_client(cmd: list[str]) -> str | None:
    """Run a package client's read-only config command; None when it is missing or fails."""
    exe = shutil.which(cmd[0])
    if exe is None:
        return None
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_UPDATE_NOTIFIER": "1"}
    try:
        proc = subprocess.run(
            [exe, *cmd[1:]],
            capture_output=True,
            text=True,
            timeout=CLIENT_TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _pip_config_files() -> dict[str, str]:
    """pip.conf settings read directly, for a machine with no pip client on PATH."""
    home = Path.home()
    files = [
        Path("/etc/pip.conf"),
        Path("/etc/xdg/pip/pip.conf"),
        home / ".pip" / "pip.conf",
        home / ".config" / "pip" / "pip.conf",
    ]
    if os.environ.get("VIRTUAL_ENV"):
        files.append(Path(os.environ["VIRTUAL_ENV"]) / "pip.conf")
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(Path(os.environ["PIP_CONFIG_FILE"]))
    parser = configparser.RawConfigParser()
    parser.read([str(f) for f in files if f.is_file()])
    return {f"{s}.{k}": v for s in parser.sections() for k, v in parser.items(s)}


def _pip_settings() -> dict[str, str]:
    out = _run_client(["pip", "config", "list"]) or _run_client(["pip3", "config", "list"])
    if out is None:
        settings = _pip_config_files()
    else:
        settings = {}
        for line in out.splitlines():
            key, sep, raw = line.partition("=")
            if not sep:
                continue
            try:
                value = ast.literal_eval(raw.strip())
            except (ValueError, SyntaxError):
                value = raw.strip().strip("'\"")
            settings[key.strip()] = str(value)
    for var, key in (("PIP_INDEX_URL", "index-url"), ("PIP_CERT", "cert"), ("PIP_PROXY", "proxy")):
        if os.environ.get(var):
            settings[f":env:.{key}"] = os.environ[var]
    return settings


def _pip_setting(settings: dict[str, str], key: str) -> tuple[str, str] | None:
    for section in (":env:", "download", "install", "global"):
        value = settings.get(f"{section}.{key}")
        if value:
            return value, f"{section}.{key}"
    return None


def _pip_default_index() -> str | None:
    """pip's built-in index, as pip itself documents it in `pip install --help`."""
    text = _run_client(["pip", "install", "--help"]) or _run_client(["pip3", "install", "--help"])
    match = re.search(r"Package Index \(default\s+(\S+?)\)", " ".join((text or "").split()))
    return match.group(1) if match else None


def _ca_file(client_value: str | None) -> str | None:
    for candidate in (
        client_value,
        os.environ.get("SSL_CERT_FILE"),
        os.environ.get("REQUESTS_CA_BUNDLE"),
        SYSTEM_CA_BUNDLE,
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None  # httpx's own bundle


@functools.cache
def pypi_registry() -> Registry:
    """pip's configured index (read once per process)."""
    settings = _pip_settings()
    found = _pip_setting(settings, "index-url")
    if found is None:
        default = _pip_default_index()
        if default is None:
            raise AnalysisError(
                "Cannot find the PyPI index: no pip client answers and neither PIP_INDEX_URL"
                " nor a pip.conf sets index-url"
            )
        found = (default, "default index")
    url, source = found
    if urlsplit(url).scheme not in ("http", "https"):
        raise AnalysisError(f"Unsupported PyPI index URL scheme in {source}: only http(s)")
    cert = _pip_setting(settings, "cert")
    proxy = _pip_setting(settings, "proxy")
    return Registry(
        url=url.rstrip("/") + "/",
        ca_file=_ca_file(cert[0] if cert else None),
        proxy=proxy[0] if proxy else None,
        source=f"pip {source}" if source == "default index" else f"pip config {source}",
    )


@functools.cache
def _npm_settings() -> dict[str, Any]:
    out = _run_client(["npm", "config", "list", "--json"])
    if out:
        try:
            data = json.loads(out)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
    # No npm client: its config files (global, then user), then its environment variables.
    settings: dict[str, Any] = {}
    for path in _npmrc_files():
        settings.update(_npmrc_read(path))
    env = {k.lower(): v for k, v in os.environ.items() if k.lower().startswith("npm_config_")}
    settings.update({k.removeprefix("npm_config_").replace("_", "-"): v for k, v in env.items()})
    return settings


def _npmrc_files() -> list[Path]:
    env = {k.lower(): v for k, v in os.environ.items()}
    prefix = env.get("npm_config_prefix") or env.get("prefix")
    globals_ = [Path(prefix) / "etc" / "npmrc"] if prefix else []
    globals_ += [Path("/usr/etc/npmrc"), Path("/usr/local/etc/npmrc"), Path("/etc/npmrc")]
    user = env.get("npm_config_userconfig") or str(Path.home() / ".npmrc")
    return [p for p in [*globals_, Path(user)] if p.is_file()]


def _npmrc_read(path: Path) -> dict[str, str]:
    """`key = value` lines of an npmrc (comments and ${VAR} references left out)."""
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith(("#", ";")) and "${" not in value:
            out[key.strip()] = value.strip().strip("'\"")
    return out


@functools.cache
def npm_registry(scope: str | None = None) -> Registry:
    """npm's configured registry for a scope (`@scope:registry`) or the default one."""
    settings = _npm_settings()
    key = f"{scope}:registry" if scope and settings.get(f"{scope}:registry") else "registry"
    url = settings.get(key)
    if not isinstance(url, str) or not url:
        raise AnalysisError(
            "Cannot find the npm registry: no npm client answers, no npmrc sets registry and"
            " npm_config_registry is unset"
        )
    if urlsplit(url).scheme not in ("http", "https"):
        raise AnalysisError(f"Unsupported npm registry URL scheme in npm config {key}")
    cafile = settings.get("cafile")
    proxy = settings.get("https-proxy") or settings.get("proxy")
    return Registry(
        url=url.rstrip("/") + "/",
        ca_file=_ca_file(cafile if isinstance(cafile, str) else None),
        proxy=proxy if isinstance(proxy, str) and proxy else None,
        source=f"npm config {key}",
    )


def registry_for(ecosystem: Ecosystem, name: str = "") -> Registry:
    if ecosystem == "pypi":
        return pypi_registry()
    return npm_registry(name.split("/")[0] if name.startswith("@") else None)


def redact(url: str) -> str:
    """A URL without user:password, fit for a message or a report."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


# --- HTTP -------------------------------------------------------------------------------


_clients: dict[tuple[Registry, int], httpx.Client] = {}
_clients_lock = threading.Lock()


def _client(registry: Registry) -> httpx.Client:
    """One pooled client per registry and process (keep-alive saves a TLS handshake per
    request; keyed by pid so a forked worker never shares its parent's sockets)."""
    key = (registry, os.getpid())
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _new_client(registry)
        return client


def _new_client(registry: Registry) -> httpx.Client:
    verify: ssl.SSLContext | bool = (
        ssl.create_default_context(cafile=registry.ca_file) if registry.ca_file else True
    )
    return httpx.Client(
        verify=verify,
        proxy=registry.proxy,
        trust_env=True,  # HTTPS_PROXY / NO_PROXY when the client config names no proxy
        timeout=httpx.Timeout(30.0, connect=10.0),
        follow_redirects=True,
        headers={"User-Agent": "packamal-analysis"},
    )


class DeadlineExceeded(AnalysisError):
    """The caller's deadline passed during a fetch (the pipeline words it with its limit)."""


def _timeout(deadline: float) -> httpx.Timeout:
    """Per-request timeouts, never past the caller's deadline."""
    left = _remaining(deadline)
    return httpx.Timeout(min(30.0, left), connect=min(10.0, left))


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("Analysis stopped: the time limit ran out while fetching")
    return left


def _get_document(
    registry: Registry, url: str, *, accept: str, deadline: float
) -> tuple[int, str, bytes, str]:
    """GET a small document: (status, content type, body, final URL)."""
    headers = {"Accept": accept}
    try:
        client = _client(registry)
        with client.stream("GET", url, headers=headers, timeout=_timeout(deadline)) as r:
            body = bytearray()
            if r.status_code == 200:
                for chunk in r.iter_bytes(CHUNK):
                    body += chunk
                    if len(body) > INDEX_MAX_BYTES:
                        raise AnalysisError(f"Registry answer too large: {redact(url)}")
                    _remaining(deadline)
            return r.status_code, r.headers.get("content-type", ""), bytes(body), str(r.url)
    except httpx.HTTPError as exc:
        raise AnalysisError(
            f"Registry unreachable ({registry.source}): {type(exc).__name__}: {exc}"
        ) from None


# --- for the ecosystem adapters (they read the registry documents) ----------------------


get_document = _get_document


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
                raise AnalysisError(
                    f"Hash mismatch for {remote.filename}: the registry published {algo}"
                    f" {expected.lower()}, the download has {digests[algo]}; not analysed"
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
    if remote.size is not None and remote.size > max_bytes:
        raise artifact_too_large(remote.filename, remote.size, max_bytes)
    registry = registry_for(remote.ecosystem)
    safe_name = re.sub(r"[^A-Za-z0-9._+-]", "_", remote.filename)[:200] or "artifact"
    path = dest_dir / safe_name
    hashers = _hashers()
    size = 0
    try:
        client = _client(registry)
        with (
            client.stream("GET", remote.url, timeout=_timeout(deadline)) as response,
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
