"""Real fetches through the registries this machine's pip and npm are configured for:
small pinned packages, their published hashes, and the refusal sentences."""

from __future__ import annotations

import contextlib
import select
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from package_analysis.analysis import ecosystems, fetch
from package_analysis.analysis.fetch import artifact as fetch_artifact
from package_analysis.analysis.model import AnalysisError
from package_analysis.analysis.purl import purl_parse

MiB = 1024 * 1024


def deadline() -> float:
    return time.monotonic() + 120


def test_the_registries_come_from_the_clients_configuration() -> None:
    pypi, npm = fetch.pypi_registry(), fetch.npm_registry()
    for reg in (pypi, npm):
        assert reg.url.startswith(("https://", "http://")) and reg.url.endswith("/")
        assert reg.ca_file is None or Path(reg.ca_file).is_file()
    assert pypi.source.startswith("pip ")
    assert npm.source.startswith("npm config ")


def test_pypi_sdist_and_wheel_are_listed_then_downloaded_and_verified(tmp_path: Path) -> None:
    resolved = ecosystems.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline())
    assert resolved.package.purl == "pkg:pypi/idna@3.7"
    assert [f.filename for f in resolved.files] == ["idna-3.7.tar.gz", "idna-3.7-py3-none-any.whl"]
    assert all(f.sha256 and len(f.sha256) == 64 for f in resolved.files)  # before any download
    for remote in resolved.files:
        artifact = fetch.download(remote, tmp_path, max_bytes=10 * MiB, deadline=deadline())
        assert artifact.sha256 == remote.sha256
        assert artifact.path is not None and artifact.path.stat().st_size == artifact.size > 0
        assert fetch.file_digests(artifact.path)["sha256"] == remote.sha256


def test_a_tampered_byte_fails_verification(tmp_path: Path) -> None:
    remote = ecosystems.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline()).files[1]
    artifact = fetch.download(remote, tmp_path, max_bytes=10 * MiB, deadline=deadline())
    assert artifact.path is not None
    data = bytearray(artifact.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    artifact.path.write_bytes(bytes(data))
    with pytest.raises(
        AnalysisError,
        match=r"^Hash mismatch for idna-3\.7-py3-none-any\.whl: the registry published sha256 ",
    ):
        fetch.verify(remote, fetch.file_digests(artifact.path))
    # And a download whose published hash does not match is refused and deleted.
    wrong = fetch.RemoteFile("pypi", remote.filename, remote.url, sha256="0" * 64)
    (tmp_path / "again").mkdir()
    with pytest.raises(AnalysisError, match="Hash mismatch"):
        fetch.download(wrong, tmp_path / "again", max_bytes=10 * MiB, deadline=deadline())
    assert list((tmp_path / "again").iterdir()) == []


def test_artifact_size_cap(tmp_path: Path) -> None:
    remote = ecosystems.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline()).files[0]
    with pytest.raises(
        AnalysisError,
        match=r"^Artifact too large: idna-3\.7\.tar\.gz is 0\.2 MiB, more than"
        r" ANALYSIS_MAX_ARTIFACT_BYTES \(0\.1 MiB\)$",
    ):
        fetch.download(remote, tmp_path, max_bytes=100_000, deadline=deadline())
    assert list(tmp_path.iterdir()) == []


def test_pypi_latest_is_resolved_and_recorded() -> None:
    resolved = ecosystems.resolve(purl_parse("pkg:pypi/IDNA"), deadline=deadline())
    version = resolved.package.version
    assert version is not None and resolved.package.purl == f"pkg:pypi/idna@{version}"
    from packaging.version import Version

    assert Version(version) >= Version("3.7") and not Version(version).is_prerelease


def test_npm_tarball_with_integrity(tmp_path: Path) -> None:
    resolved = ecosystems.resolve(purl_parse("pkg:npm/is-number@7.0.0"), deadline=deadline())
    (remote,) = resolved.files
    assert remote.filename == "is-number-7.0.0.tgz"
    assert remote.sha512 is not None and len(remote.sha512) == 128
    artifact = fetch.download(remote, tmp_path, max_bytes=MiB, deadline=deadline())
    assert artifact.path is not None
    assert fetch.file_digests(artifact.path)["sha512"] == remote.sha512
    assert artifact.sha256 == fetch.file_digests(artifact.path)["sha256"]


def test_npm_scoped_and_latest() -> None:
    resolved = ecosystems.resolve(purl_parse("pkg:npm/%40sindresorhus/is"), deadline=deadline())
    assert resolved.package.name == "@sindresorhus/is"
    assert resolved.package.version
    assert resolved.package.purl == f"pkg:npm/%40sindresorhus/is@{resolved.package.version}"


@pytest.mark.parametrize(
    ("purl", "sentence"),
    [
        (
            "pkg:pypi/packamal-no-such-package-4f1c9e",
            "No such package: pkg:pypi/packamal-no-such-package-4f1c9e",
        ),
        ("pkg:pypi/idna@9.9", "No such version: pkg:pypi/idna@9.9"),
        (
            "pkg:npm/packamal-no-such-package-4f1c9e",
            "No such package: pkg:npm/packamal-no-such-package-4f1c9e",
        ),
        ("pkg:npm/is-number@99.0.0", "No such version: pkg:npm/is-number@99.0.0"),
    ],
)
def test_no_such_package_or_version(purl: str, sentence: str) -> None:
    with pytest.raises(AnalysisError) as exc:
        ecosystems.resolve(purl_parse(purl), deadline=deadline())
    assert str(exc.value) == sentence


@pytest.fixture
def fresh_config(monkeypatch: pytest.MonkeyPatch):
    """Forget the registries read so far; forget the ones this test sets up afterwards."""

    def clear() -> None:
        fetch._clients.clear()
        fetch.pypi_registry.cache_clear()
        fetch.npm_registry.cache_clear()
        fetch._npm_settings.cache_clear()

    configured = (fetch.pypi_registry(), fetch.npm_registry())
    clear()
    yield configured
    clear()


def test_pip_index_url_from_the_environment(
    fresh_config: tuple[fetch.Registry, fetch.Registry], monkeypatch: pytest.MonkeyPatch
) -> None:
    pypi, _ = fresh_config
    monkeypatch.setenv("PIP_INDEX_URL", pypi.url.rstrip("/"))
    reg = fetch.pypi_registry()
    assert (reg.url, reg.source) == (pypi.url, "pip config :env:.index-url")


def test_without_pip_or_npm_on_path_their_config_files_and_variables_still_count(
    fresh_config: tuple[fetch.Registry, fetch.Registry],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pypi, npm = fresh_config
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\nindex-url = {pypi.url}\n")
    monkeypatch.setenv("PATH", str(tmp_path))  # neither pip nor npm is found
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.setenv("npm_config_registry", npm.url)
    reg = fetch.pypi_registry()
    assert (reg.url, reg.source) == (pypi.url, "pip config global.index-url")
    assert fetch.npm_registry().url == npm.url
    resolved = ecosystems.resolve(purl_parse("pkg:npm/is-number@7.0.0"), deadline=deadline())
    assert resolved.files[0].filename == "is-number-7.0.0.tgz"
    resolved = ecosystems.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline())
    assert len(resolved.files) == 2

    monkeypatch.delenv("npm_config_registry")
    npmrc = tmp_path / "npmrc"
    npmrc.write_text(f"; a user npmrc\nregistry = {npm.url}\n//host/:_authToken=${{TOKEN}}\n")
    monkeypatch.setenv("NPM_CONFIG_USERCONFIG", str(npmrc))
    fetch._npm_settings.cache_clear()
    fetch.npm_registry.cache_clear()
    assert fetch.npm_registry().url == npm.url
    assert fetch.npm_registry().ca_file is not None  # cafile from the global npmrc, or the system's

    npmrc.unlink()
    fetch._npm_settings.cache_clear()
    fetch.npm_registry.cache_clear()
    with pytest.raises(
        AnalysisError, match=r"^Cannot find the npm registry: no npm client answers"
    ):
        fetch.npm_registry()


@contextlib.contextmanager
def connect_proxy() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP CONNECT proxy on a loopback port; yields its URL and the targets asked."""
    server = socket.create_server(("127.0.0.1", 0))
    asked: list[str] = []

    def relay(client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target = head.split(b" ")[:2]
            asked.append(f"{method.decode()} {target.decode()}")
            host, _, port = target.decode().rpartition(":")
            with socket.create_connection((host, int(port)), timeout=30) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pair = [client, upstream]
                while True:
                    ready, _, _ = select.select(pair, [], [], 30)
                    if not ready:
                        return
                    for sock in ready:
                        data = sock.recv(65536)
                        if not data:
                            return
                        (upstream if sock is client else client).sendall(data)

    def serve() -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=relay, args=(client,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", asked
    finally:
        server.close()


@pytest.mark.usefixtures("fresh_config")
def test_proxies_from_pip_config_and_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with connect_proxy() as (proxy, asked):
        monkeypatch.setenv("PIP_PROXY", proxy)  # pip's own `proxy` setting
        assert fetch.pypi_registry().proxy == proxy
        ecosystems.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline())
        assert asked and all(a.startswith("CONNECT ") and a.endswith(":443") for a in asked)
    with connect_proxy() as (proxy, asked):
        monkeypatch.setenv("HTTPS_PROXY", proxy)  # no npm proxy setting: the environment's
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        ecosystems.resolve(purl_parse("pkg:npm/is-number@7.0.0"), deadline=deadline())
        assert asked and all(a.startswith("CONNECT ") for a in asked)


@pytest.mark.usefixtures("fresh_config")
def test_the_configured_ca_bundle_is_the_one_trusted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """pip's `cert` names a CA that signed nothing the index serves: TLS is refused."""
    ca = tmp_path / "other-ca.pem"
    key = str(tmp_path / "k.pem")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=Not The Index CA", "-keyout", key, "-out", str(ca)),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("PIP_CERT", str(ca))
    assert fetch.pypi_registry().ca_file == str(ca)
    with pytest.raises(
        AnalysisError, match=r"^Registry unreachable \(pip .*CERTIFICATE_VERIFY_FAILED"
    ):
        ecosystems.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline())


def test_a_download_can_be_cancelled_mid_transfer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Cancelled(Exception):
        pass

    def cancel() -> None:
        raise Cancelled

    monkeypatch.setattr(fetch_artifact, "CHECK_EVERY", 0.0)  # check on every chunk, not every 0.5 s
    remote = ecosystems.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline()).files[0]
    with pytest.raises(Cancelled):
        fetch.download(remote, tmp_path, max_bytes=10 * MiB, deadline=deadline(), check=cancel)
    assert list(tmp_path.iterdir()) == []  # the partial file is gone
