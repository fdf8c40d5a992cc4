"""The pipeline end to end (real registries, real unpacking child): progress, the per-artifact
cache, cancellation, the overall timeout, uploads' metadata, and a clean scratch dir."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest

from package_analysis.analysis.model import AnalysisError, Finding
from package_analysis.analysis.pipeline import CacheKey, Limits, analyze_file, analyze_purl
from package_analysis.analysis.stages import SCAN_GC_THRESHOLD, relaxed_gc

from . import archives

MiB = 1024 * 1024


def test_relaxed_gc_nests_and_restores() -> None:
    before = gc.get_threshold()
    with relaxed_gc():
        assert gc.get_threshold() == SCAN_GC_THRESHOLD
        assert gc.get_freeze_count() > 0
        with relaxed_gc():  # a second scan at the same time (the cli's threads)
            assert gc.get_threshold() == SCAN_GC_THRESHOLD
        assert gc.get_threshold() == SCAN_GC_THRESHOLD  # the first is still running
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), relaxed_gc():
        raise RuntimeError("a scan that fails")
    assert gc.get_threshold() == before


def test_limits_from_env() -> None:
    assert Limits.from_env({}) == Limits(100 * MiB, 512 * MiB, 20000, 300, None)
    env = {
        "ANALYSIS_MAX_ARTIFACT_BYTES": "1000",
        "ANALYSIS_MAX_UNPACKED_BYTES": "2000",
        "ANALYSIS_MAX_FILES": "30",
        "ANALYSIS_TIMEOUT_SECONDS": "40",
        "ANALYSIS_SCRATCH_DIR": "/var/scratch",
    }
    assert Limits.from_env(env) == Limits(1000, 2000, 30, 40, "/var/scratch")
    with pytest.raises(ValueError, match=r"^ANALYSIS_MAX_FILES must be a whole number, not '2e4'$"):
        Limits.from_env({"ANALYSIS_MAX_FILES": "2e4"})
    with pytest.raises(ValueError, match=r"^ANALYSIS_TIMEOUT_SECONDS must be positive, not 0$"):
        Limits.from_env({"ANALYSIS_TIMEOUT_SECONDS": "0"})


def test_purl_with_progress_then_from_cache_without_download(limits: Limits, scratch: Path) -> None:
    events: list[tuple[str, float]] = []
    asked: list[CacheKey] = []

    def miss(key: CacheKey) -> list[Finding] | None:
        asked.append(key)
        return None

    report = analyze_purl(
        "pkg:pypi/idna@3.7",
        limits=limits,
        on_progress=lambda s, f: events.append((s, f)),
        cache=miss,
    )
    assert report.summary()["package"] == {
        "ecosystem": "pypi",
        "name": "idna",
        "version": "3.7",
        "purl": "pkg:pypi/idna@3.7",
    }
    assert [a.filename for a in report.artifacts] == [
        "idna-3.7.tar.gz",
        "idna-3.7-py3-none-any.whl",
    ]
    assert all(a.path is None and a.size > 0 for a in report.artifacts)
    assert (report.verdict, report.cached, report.skipped) == ("clean", False, [])
    assert [key.sha256 for key in asked] == [a.sha256 for a in report.artifacts]
    # The key is everything the scan reads: the ecosystem and identity the rules were given.
    assert {(k.ecosystem, k.package, k.rules_version) for k in asked} == {
        ("pypi", "pkg:pypi/idna@3.7", report.rules_version)
    }
    assert report.provenance.as_dict() == {
        "source": "registry",
        "registry": report.provenance.registry,
        "verified": True,
        "claimed": False,
        "filename": None,
    }
    assert report.provenance.registry and "@" not in report.provenance.registry
    stages = [s for s, _ in events]
    assert (
        stages[0] == "resolved" and stages.count("fetched") == 2 and stages.count("unpacked") == 2
    )
    assert "scanning" in stages and events[-1] == ("scanning", 1.0)
    fractions = [f for _, f in events]
    assert fractions == sorted(fractions)
    assert list(scratch.iterdir()) == []

    stored = Finding(
        rule="TEST-STORED",
        title="a stored finding",
        category="test",
        severity="high",
        file="idna-3.7/setup.py",
        line=1,
        snippet="x",
        reachability="install",
        explanation="stored by the caller",
        artifact=report.artifacts[0].sha256,
    )
    by_sha = {report.artifacts[0].sha256: [stored], report.artifacts[1].sha256: []}
    events.clear()
    again = analyze_purl(
        "pkg:pypi/idna@3.7",
        limits=limits,
        on_progress=lambda s, f: events.append((s, f)),
        cache=lambda key: by_sha.get(key.sha256),
    )
    assert again.cached is True
    assert again.findings == [stored]
    assert (again.verdict, again.by_severity()["high"]) == ("suspicious", 1)
    assert [s for s, _ in events] == ["resolved", "fetched", "fetched"]  # nothing downloaded
    assert [a.as_dict() for a in again.artifacts] == [a.as_dict() for a in report.artifacts]


def test_npm_purl_and_cache_after_download(limits: Limits) -> None:
    seen: list[str] = []
    report = analyze_purl(
        "pkg:npm/is-number@7.0.0", limits=limits, cache=lambda key: seen.append(key.sha256) or []
    )
    (artifact,) = report.artifacts
    assert seen == [artifact.sha256]  # npm publishes no sha256: asked after the download
    assert report.cached is True and report.package.version == "7.0.0"


def test_cancel_between_stages(limits: Limits, scratch: Path) -> None:
    class Cancelled(Exception):
        pass

    calls = 0

    def check() -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        analyze_purl("pkg:pypi/idna@3.7", limits=limits, check=check)
    assert list(scratch.iterdir()) == []


def test_overall_timeout(scratch: Path) -> None:
    limits = Limits.from_env(
        {"ANALYSIS_TIMEOUT_SECONDS": "1", "ANALYSIS_SCRATCH_DIR": str(scratch)}
    )
    with pytest.raises(
        AnalysisError,
        match=r"^Analysis stopped: took longer than 1 s \(ANALYSIS_TIMEOUT_SECONDS\)$",
    ):
        analyze_purl("pkg:pypi/idna@3.7", limits=limits, check=lambda: time.sleep(0.6))
    assert list(scratch.iterdir()) == []


def test_file_metadata_and_ecosystem_come_from_the_archive(
    tmp_path: Path, limits: Limits, scratch: Path
) -> None:
    sdist = archives.sdist(tmp_path / "upload.bin", name="Demo_Pkg", version="1.2.3")
    report = analyze_file(sdist, limits=limits)
    assert report.summary()["package"] == {
        "ecosystem": "pypi",
        "name": "demo-pkg",
        "version": "1.2.3",
        "purl": "pkg:pypi/demo-pkg@1.2.3",
    }
    assert report.artifacts[0].filename == "upload.bin" and report.provenance.source == "file"

    tgz = archives.npm_tgz(tmp_path / "x.tgz", name="@demo/left-pad", version="0.0.1")
    report = analyze_file(tgz, filename="left-pad-0.0.1.tgz", limits=limits)
    assert report.package.purl == "pkg:npm/%40demo/left-pad@0.0.1"
    assert report.artifacts[0].filename == "left-pad-0.0.1.tgz"

    whl = archives.zip_file(
        tmp_path / "Some_Lib-2.0-py3-none-any.whl", {"some_lib/__init__.py": b"", "x/y.txt": b""}
    )
    report = analyze_file(whl, ecosystem="pypi", limits=limits)
    assert report.package.purl == "pkg:pypi/some-lib@2.0"  # no METADATA: from the file name

    odd = archives.zip_file(tmp_path / "odd.zip", {"readme.txt": b"hello"})
    with pytest.raises(AnalysisError, match=r"^Cannot tell whether odd\.zip is a PyPI or an npm"):
        analyze_file(odd, limits=limits)
    assert list(scratch.iterdir()) == []


def test_file_refusals(tmp_path: Path, limits: Limits, scratch: Path) -> None:
    empty = tmp_path / "e.tgz"
    empty.write_bytes(b"")
    with pytest.raises(AnalysisError, match=r"^Not an archive: the file is empty$"):
        analyze_file(empty, ecosystem="npm", limits=limits)
    evil = archives.tar_gz(tmp_path / "evil.tgz", {"package/../../../evil.js": b"x"})
    with pytest.raises(AnalysisError, match="points outside the package"):
        analyze_file(evil, ecosystem="npm", limits=limits)
    small = Limits.from_env(
        {"ANALYSIS_MAX_ARTIFACT_BYTES": "100", "ANALYSIS_SCRATCH_DIR": str(scratch)}
    )
    with pytest.raises(AnalysisError, match=r"^Artifact too large: evil\.tgz is"):
        analyze_file(evil, ecosystem="npm", limits=small)
    assert list(scratch.iterdir()) == []
    assert not (tmp_path.parent / "evil.js").exists()


def test_a_claimed_name_a_registry_would_refuse_is_kept_as_evidence(
    tmp_path: Path, limits: Limits
) -> None:
    # "ai\u043ehttp_proxy": a Cyrillic "o" in a look-alike of a popular name.
    sdist = archives.sdist(tmp_path / "x.tar.gz", name="ai\u043ehttp_proxy", version="0.1.2")
    report = analyze_file(sdist, limits=limits)
    assert report.package.name == "ai\u043ehttp-proxy"
    assert report.package.purl == "pkg:pypi/ai%d0%behttp-proxy@0.1.2"


def test_a_bdist_zip_without_top_level_metadata_is_pypi(tmp_path: Path, limits: Limits) -> None:
    base = "Program Files/Python311/Lib/site-packages"
    zf = archives.zip_file(
        tmp_path / "mouse-1.win-amd64.zip",
        {
            f"{base}/mouse/__init__.py": b"X = 1\n",
            f"{base}/mouse-1-py3.11.egg-info/PKG-INFO": b"Name: mouse\nVersion: 1\n",
        },
    )
    report = analyze_file(zf, limits=limits)
    assert report.package.purl == "pkg:pypi/mouse@1"  # from the file name
