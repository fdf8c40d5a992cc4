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
import contextlib
import functools
import hashlib
import ipaddress
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

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
        follow_redirects=False,  # every hop is checked by _open (fetch_allowed)
        headers={"User-Agent": "packamal-analysis"},
    )


# --- where files may come from ------------------------------------------------------------
#
# A registry document names the URLs of its files (PEP 691 `url`, npm `dist.tarball`), and a
# hostile or compromised mirror could name anything: the cloud metadata address, the api's
# own /metrics, a service on the worker's network. So every URL, and every redirect hop, is
# checked before it is requested: the configured registries' own origins are trusted as
# configured; any other host must be listed in ANALYSIS_FETCH_ALLOWED_HOSTS (when the list is
# set), and must resolve only to public addresses unless the address is in a network listed
# there too.

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchRefused(AnalysisError):
    """A URL from registry data that this worker may not fetch (review M3)."""


@dataclass(frozen=True)
class FetchPolicy:
    """ANALYSIS_FETCH_ALLOWED_HOSTS: comma-separated `host`, `host:port` (a bare host means
    the scheme's default port) and IP networks (`10.0.0.0/8`, `192.0.2.7`). Unset: any host
    with only public addresses. Set: only the listed hosts (beside the registries)."""

    hosts: frozenset[tuple[str, int | None]]
    networks: tuple[Network, ...]

    @property
    def strict(self) -> bool:
        return bool(self.hosts or self.networks)

    @classmethod
    def parse(cls, raw: str) -> FetchPolicy:
        hosts: set[tuple[str, int | None]] = set()
        networks: list[Network] = []
        for item in (i.strip() for i in raw.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            parts = urlsplit(f"//{item}")
            try:
                port = parts.port
            except ValueError:
                port = None
            if not parts.hostname or parts.path or parts.query:
                raise AnalysisError(f"ANALYSIS_FETCH_ALLOWED_HOSTS: {item!r} is not a host")
            hosts.add((parts.hostname.lower(), port))
        return cls(frozenset(hosts), tuple(networks))

    def lists_host(self, scheme: str, host: str, port: int) -> bool:
        return (host, port) in self.hosts or (
            port == _DEFAULT_PORTS.get(scheme) and (host, None) in self.hosts
        )

    def lists_address(self, address: Address) -> bool:
        return any(address in net for net in self.networks if net.version == address.version)


def fetch_policy() -> FetchPolicy:
    return FetchPolicy.parse(os.environ.get("ANALYSIS_FETCH_ALLOWED_HOSTS", ""))


def _origin(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not parts.hostname or port is None:
        return None
    return scheme, parts.hostname.lower(), port


def registry_origins() -> set[tuple[str, int]]:
    """(host, port) of every registry the clients are configured for (scoped npm ones too)."""
    found: list[str] = []
    with contextlib.suppress(AnalysisError):
        found.append(pypi_registry().url)
    with contextlib.suppress(AnalysisError):
        found.append(npm_registry().url)
    for key, value in _npm_settings().items():
        if key.endswith(":registry") and isinstance(value, str):
            found.append(value)
    origins = (_origin(url) for url in found)
    return {(o[1], o[2]) for o in origins if o is not None}


# Addresses a registry's file never legitimately lives at: this host, the local networks
# (RFC 1918, carrier-grade NAT, IPv6 unique-local), link-local (where cloud metadata answers),
# and the unspecified, multicast, benchmarking and reserved ranges.
_INTERNAL = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3",
        "::/127", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)  # fmt: skip


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not any(address in net for net in _INTERNAL if net.version == address.version)


def _resolve(host: str, port: int) -> list[Address]:
    literal = _ip_literal(host)
    if literal is not None:
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}, key=str)


def fetch_allowed(
    url: str,
    *,
    what: str,
    registries: Iterable[tuple[str, int]] | None = None,
    policy: FetchPolicy | None = None,
    proxied: bool = False,
) -> None:
    """Raise FetchRefused unless `url` may be fetched (see the section comment). `what` names
    the file in the message; nothing fetched is ever echoed."""
    origin = _origin(url)
    if origin is None:
        raise FetchRefused(f"Refused to fetch {what}: not an http(s) URL with a host")
    scheme, host, port = origin
    if (host, port) in (registry_origins() if registries is None else set(registries)):
        return
    policy = fetch_policy() if policy is None else policy
    where = f"{host}:{port}"
    literal = _ip_literal(host)
    listed = policy.lists_host(scheme, host, port)
    if literal is not None and listed:
        return  # the operator named this very address
    if policy.strict and not listed and not (literal is not None and policy.lists_address(literal)):
        raise FetchRefused(
            f"Refused to fetch {what} from {where}: not a configured registry's host"
            " and not in ANALYSIS_FETCH_ALLOWED_HOSTS"
        )
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError):
        if proxied:
            return  # the proxy resolves it, and the proxy is the way out
        raise FetchRefused(
            f"Refused to fetch {what} from {where}: the host does not resolve"
        ) from None
    for address in addresses:
        if not _is_public(address) and not policy.lists_address(address):
            raise FetchRefused(
                f"Refused to fetch {what} from {where}: it resolves to a loopback, private,"
                " link-local or otherwise non-public address not listed in"
                " ANALYSIS_FETCH_ALLOWED_HOSTS"
            )


def _ip_literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _proxied(registry: Registry, url: str) -> bool:
    """Whether the request goes through a proxy (the client's, or HTTP(S)_PROXY's)."""
    if registry.proxy:
        return True
    parts = urlsplit(url)
    env = urllib.request.getproxies()
    return bool(env.get(parts.scheme) or env.get("all")) and not urllib.request.proxy_bypass(
        parts.hostname or ""
    )


@contextlib.contextmanager
def _open(
    registry: Registry,
    url: str,
    *,
    what: str,
    deadline: float,
    headers: dict[str, str] | None = None,
) -> Iterator[httpx.Response]:
    """GET `url` as a stream, following at most MAX_REDIRECTS redirects, each hop checked by
    fetch_allowed before it is requested."""
    client = _client(registry)
    registries, policy = registry_origins(), fetch_policy()
    for _hop in range(MAX_REDIRECTS + 1):
        fetch_allowed(
            url,
            what=what,
            registries=registries,
            policy=policy,
            proxied=_proxied(registry, url),
        )
        request = client.build_request("GET", url, headers=headers, timeout=_timeout(deadline))
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            location = response.headers.get("location")
            if response.status_code in _REDIRECTS and location:
                url = urljoin(str(response.url), location)
                continue
            yield response
            return
        finally:
            response.close()
    raise AnalysisError(f"Too many redirects fetching {what} (more than {MAX_REDIRECTS})")


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
        with _open(registry, url, what=redact(url), deadline=deadline, headers=headers) as r:
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
