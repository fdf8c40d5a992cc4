"""Which hosts a URL from registry data may be fetched from (the allowlist and the
public-address check)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..model import AnalysisError
from .registries import _npm_settings, npm_registry, pypi_registry

# --- where files may come from ------------------------------------------------------------
#
# A registry document names the URLs of its files (PEP 691 `url`, npm `dist.tarball`), and a
# hostile or compromised mirror could name anything: the cloud metadata address, the api's
# own /metrics, a service on the worker's network. So every URL, and every redirect hop, is
# checked before it is requested: the configured registries' own origins are trusted as
# configured; any other host must be listed in ANALYSIS_FETCH_ALLOWED_HOSTS (when the list is
# set), and must resolve only to public addresses unless the address is in a network listed
# there too.


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
