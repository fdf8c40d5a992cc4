"""Real fetches through the registries this machine's pip and npm are configured for:
small pinned packages, their published hashes, and the refusal sentences."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from package_analysis.analysis import fetch
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
    resolved = fetch.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline())
    assert resolved.package.purl == "pkg:pypi/idna@3.7"
    assert [f.filename for f in resolved.files] == ["idna-3.7.tar.gz", "idna-3.7-py3-none-any.whl"]
    assert all(f.sha256 and len(f.sha256) == 64 for f in resolved.files)  # before any download
    for remote in resolved.files:
        artifact = fetch.download(remote, tmp_path, max_bytes=10 * MiB, deadline=deadline())
        assert artifact.sha256 == remote.sha256
        assert artifact.path is not None and artifact.path.stat().st_size == artifact.size > 0
        assert fetch.file_digests(artifact.path)["sha256"] == remote.sha256


def test_a_tampered_byte_fails_verification(tmp_path: Path) -> None:
    remote = fetch.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline()).files[1]
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
    remote = fetch.resolve(purl_parse("pkg:pypi/idna@3.7"), deadline=deadline()).files[0]
    with pytest.raises(
        AnalysisError,
        match=r"^Artifact too large: idna-3\.7\.tar\.gz is 0\.2 MiB, more than"
        r" ANALYSIS_MAX_ARTIFACT_BYTES \(0\.1 MiB\)$",
    ):
        fetch.download(remote, tmp_path, max_bytes=100_000, deadline=deadline())
    assert list(tmp_path.iterdir()) == []


def test_pypi_latest_is_resolved_and_recorded() -> None:
    resolved = fetch.resolve(purl_parse("pkg:pypi/IDNA"), deadline=deadline())
    version = resolved.package.version
    assert version is not None and resolved.package.purl == f"pkg:pypi/idna@{version}"
    from packaging.version import Version

    assert Version(version) >= Version("3.7") and not Version(version).is_prerelease


def test_npm_tarball_with_integrity(tmp_path: Path) -> None:
    resolved = fetch.resolve(purl_parse("pkg:npm/is-number@7.0.0"), deadline=deadline())
    (remote,) = resolved.files
    assert remote.filename == "is-number-7.0.0.tgz"
    assert remote.sha512 is not None and len(remote.sha512) == 128
    artifact = fetch.download(remote, tmp_path, max_bytes=MiB, deadline=deadline())
    assert artifact.path is not None
    assert fetch.file_digests(artifact.path)["sha512"] == remote.sha512
    assert artifact.sha256 == fetch.file_digests(artifact.path)["sha256"]


def test_npm_scoped_and_latest() -> None:
    resolved = fetch.resolve(purl_parse("pkg:npm/%40sindresorhus/is"), deadline=deadline())
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
        fetch.resolve(purl_parse(purl), deadline=deadline())
    assert str(exc.value) == sentence
