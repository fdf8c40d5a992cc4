"""Where packages come from: the registry each ecosystem's own client is configured for
(pip's index, npm's registry, with their CA and proxy settings). No registry host is
written here."""

from __future__ import annotations

import ast
import configparser
import functools
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..model import AnalysisError, Ecosystem

SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


CLIENT_TIMEOUT = 60  # seconds for asking pip or npm about their configuration


@dataclass(frozen=True)
class Registry:
    """Where one ecosystem's packages come from, as its client is configured."""

    url: str  # the pip index base or the npm registry, ending in "/"
    ca_file: str | None
    proxy: str | None
    source: str  # how it was found, for error messages ("pip config global.index-url")


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
