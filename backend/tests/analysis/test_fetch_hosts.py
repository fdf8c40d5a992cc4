"""Review M3: file URLs from registry data are fetched only from the configured registries'
own origins or the hosts ANALYSIS_FETCH_ALLOWED_HOSTS lists, never from a loopback, private or
link-local address unless listed, every redirect hop checked, and no error echoes a digest of
what was fetched. A real hostile registry (PEP 691 JSON and npm documents, over HTTP on a
loopback port) and a real "internal service" that logs every request it gets."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import tarfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from package_analysis.analysis import fetch
from package_analysis.analysis.ecosystems.pypi import PEP691_JSON
from package_analysis.analysis.fetch import registries as fetch_registries
from package_analysis.analysis.model import AnalysisError
from package_analysis.analysis.pipeline import Limits, analyze_purl

SECRET = b"SECRET internal metadata token=abc123\n"


def tgz() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = json.dumps({"name": "npmssrf", "version": "1.0.0"}).encode()
        info = tarfile.TarInfo("package/package.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


TARBALL = tgz()


@dataclass
class Server:
    url: str
    port: int
    log: list[str] = field(default_factory=list)


def serve(routes: dict[str, tuple[int, dict[str, str], bytes]], log: list[str]) -> Iterator[int]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            log.append(self.path)
            status, headers, body = routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def internal() -> Iterator[Server]:
    """The service a hostile registry would point the worker at."""
    log: list[str] = []
    routes = {
        "/latest/meta-data/iam?x=1": (200, {}, SECRET),
        "/internal-after-redirect": (200, {}, SECRET),
        "/npm-internal.tgz": (200, {}, TARBALL),
        "/ok.tgz": (200, {}, TARBALL),
    }
    gen = serve(routes, log)
    port = next(gen)
    yield Server(f"http://127.0.0.1:{port}", port, log)
    next(gen, None)


def pep691(files: list[dict[str, object]]) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"meta": {"api-version": "1.0"}, "name": "x", "files": files}).encode()
    return 200, {"Content-Type": PEP691_JSON}, body


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def hostile(internal: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """A registry whose documents point at the internal service; pip and npm are configured
    for it (PIP_INDEX_URL, npm_config_registry)."""
    log: list[str] = []
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    gen = serve(routes, log)
    port = next(gen)
    base = f"http://127.0.0.1:{port}"
    routes.update({
        "/simple/ssrfpkg/": pep691([{
            "filename": "ssrfpkg-1.0.tar.gz",
            "url": f"{internal.url}/latest/meta-data/iam?x=1",
            "hashes": {"sha256": "0" * 64},
        }]),
        "/simple/redirpkg/": pep691([{
            "filename": "redirpkg-1.0.tar.gz", "url": "/redir",
            "hashes": {"sha256": sha256(SECRET)},
        }]),
        "/redir": (302, {"Location": f"{internal.url}/internal-after-redirect"}, b""),
        "/simple/samehost/": pep691([{
            "filename": "samehost-1.0.tar.gz", "url": "/files/samehost-1.0.tar.gz",
            "hashes": {"sha256": "1" * 64},
        }]),
        "/files/samehost-1.0.tar.gz": (200, {}, TARBALL),
        "/npm/npmssrf": (200, {"Content-Type": "application/json"}, json.dumps({
            "name": "npmssrf", "dist-tags": {"latest": "1.0.0"},
            "versions": {"1.0.0": {"dist": {
                "tarball": f"{internal.url}/npm-internal.tgz",
                "integrity": "sha512-" + base64.b64encode(hashlib.sha512(TARBALL).digest()).decode(),  # noqa: E501
            }}},
        }).encode()),
    })  # fmt: skip
    monkeypatch.setenv("PIP_INDEX_URL", f"{base}/simple/")
    monkeypatch.setenv("npm_config_registry", f"{base}/npm/")
    monkeypatch.delenv("ANALYSIS_FETCH_ALLOWED_HOSTS", raising=False)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    clear = _forget_registries
    clear()
    monkeypatch.setattr(
        fetch_registries, "_run_client", lambda cmd: None
    )  # the variables, not the clients
    yield Server(base, port, log)
    clear()
    next(gen, None)


def _forget_registries() -> None:
    fetch._clients.clear()
    fetch.pypi_registry.cache_clear()
    fetch.npm_registry.cache_clear()
    fetch._npm_settings.cache_clear()


def analyse(purl: str, tmp_path: Path) -> str:
    limits = Limits.from_env({"ANALYSIS_SCRATCH_DIR": str(tmp_path)})
    with pytest.raises(AnalysisError) as exc:
        analyze_purl(purl, limits=limits)
    return str(exc.value)


def test_an_index_url_at_an_internal_address_is_never_requested(
    hostile: Server, internal: Server, tmp_path: Path
) -> None:
    error = analyse("pkg:pypi/ssrfpkg@1.0", tmp_path)
    assert error == (
        f"Refused to fetch ssrfpkg-1.0.tar.gz from 127.0.0.1:{internal.port}: it resolves to"
        " a loopback, private, link-local or otherwise non-public address not listed in"
        " ANALYSIS_FETCH_ALLOWED_HOSTS"
    )
    assert internal.log == []  # nothing reached the internal service
    assert sha256(SECRET) not in error


def test_a_redirect_to_an_internal_address_is_refused_at_that_hop(
    hostile: Server, internal: Server, tmp_path: Path
) -> None:
    error = analyse("pkg:pypi/redirpkg@1.0", tmp_path)
    assert error.startswith(f"Refused to fetch redirpkg-1.0.tar.gz from 127.0.0.1:{internal.port}:")
    assert hostile.log[-1] == "/redir" and internal.log == []


def test_an_npm_tarball_at_an_internal_address_is_refused(
    hostile: Server, internal: Server, tmp_path: Path
) -> None:
    error = analyse("pkg:npm/npmssrf@1.0.0", tmp_path)
    assert error.startswith(f"Refused to fetch npm-internal.tgz from 127.0.0.1:{internal.port}:")
    assert internal.log == []


def test_files_on_the_registrys_own_origin_are_fetched_and_a_mismatch_leaks_no_digest(
    hostile: Server, tmp_path: Path
) -> None:
    error = analyse("pkg:pypi/samehost@1.0", tmp_path)
    assert hostile.log[-1] == "/files/samehost-1.0.tar.gz"  # same origin: fetched
    assert error == (
        "Hash mismatch for samehost-1.0.tar.gz: the registry published sha256 "
        f"{'1' * 64} and the download does not match it; not analysed"
    )
    assert sha256(TARBALL) not in error


def test_listed_hosts_are_the_only_others_and_a_listed_network_admits_its_addresses(
    hostile: Server, internal: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = fetch.RemoteFile(
        "npm", "ok.tgz", f"{internal.url}/ok.tgz", sha512=hashlib.sha512(TARBALL).hexdigest()
    )
    deadline = time.monotonic() + 60

    def download(where: str) -> str:
        target = tmp_path / where
        target.mkdir()
        artifact = fetch.download(remote, target, max_bytes=1 << 20, deadline=deadline)
        return artifact.sha256

    monkeypatch.setenv("ANALYSIS_FETCH_ALLOWED_HOSTS", "files.example.invalid")
    with pytest.raises(fetch.FetchRefused, match="not a configured registry's host and not in"):
        download("a")
    monkeypatch.setenv(
        "ANALYSIS_FETCH_ALLOWED_HOSTS", f"files.example.invalid, 127.0.0.1:{internal.port}"
    )
    assert download("b") == sha256(TARBALL)  # an address listed by the operator
    monkeypatch.setenv("ANALYSIS_FETCH_ALLOWED_HOSTS", "127.0.0.0/8")
    assert download("c") == sha256(TARBALL)
    monkeypatch.setenv("ANALYSIS_FETCH_ALLOWED_HOSTS", "localhost")
    remote = fetch.RemoteFile(
        "npm", "ok.tgz", f"http://localhost:{internal.port}/ok.tgz", sha512=remote.sha512
    )
    with pytest.raises(fetch.FetchRefused, match=r"not in ANALYSIS_FETCH_ALLOWED_HOSTS"):
        download("d")  # a bare host means the default port only
    assert internal.log == ["/ok.tgz", "/ok.tgz"]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "non-public"),
        ("http://[::1]:8080/x", "non-public"),
        ("http://10.1.2.3/x", "non-public"),
        ("http://[::ffff:127.0.0.1]/x", "non-public"),
        ("file:///etc/passwd", r"not an http\(s\) URL"),
        ("http://0.0.0.0:6379/", "non-public"),
    ],
)
def test_non_public_and_non_http_urls_are_refused_before_any_connection(url: str, why: str) -> None:
    with pytest.raises(fetch.FetchRefused, match=why):
        fetch.fetch_allowed(url, what="x", registries=set(), policy=fetch.FetchPolicy.parse(""))


def test_the_allowed_hosts_setting_is_parsed_strictly() -> None:
    policy = fetch.FetchPolicy.parse(
        " files.example.invalid, mirror.example.invalid:8443 ,10.0.0.0/8,"
    )
    assert policy.hosts == {("files.example.invalid", None), ("mirror.example.invalid", 8443)}
    assert [str(n) for n in policy.networks] == ["10.0.0.0/8"]
    with pytest.raises(AnalysisError, match="is not a host"):
        fetch.FetchPolicy.parse("http://x.example.invalid/path")
