"""HTTP to a registry: one pooled client per registry, redirects checked hop by hop,
the caller's deadline kept, small documents read whole."""

from __future__ import annotations

import contextlib
import os
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from ..model import AnalysisError
from .hosts import fetch_allowed, fetch_policy, registry_origins
from .registries import Registry, redact

if TYPE_CHECKING:  # imported when first used: a scan that fetches nothing never loads httpx
    import httpx  # (with its CLI's rich, click and pygments: ~17 MiB of a scanning process)

INDEX_MAX_BYTES = 64 * 1024 * 1024  # a package document or index page, not an artifact
CHUNK = 64 * 1024


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
    import httpx

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


MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
    import httpx

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
    import httpx

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
