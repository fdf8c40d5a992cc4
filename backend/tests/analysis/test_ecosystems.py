"""The ecosystem adapters against the registries this machine's pip and npm use: versions
in order with their upload times, "latest" and "the previous release", yanked releases
skipped, and the layout hints read from real unpacked packages."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest

from package_analysis.analysis import ecosystems, fetch
from package_analysis.analysis.ecosystems import npm, pypi
from package_analysis.analysis.model import AnalysisError
from package_analysis.analysis.unpack import unpack

MiB = 1024 * 1024


def deadline() -> float:
    return time.monotonic() + 120


def unpacked(ecosystem: str, name: str, version: str, tmp: Path, which: int = 0) -> Path:
    project = ecosystems.adapter(ecosystem).project(name, deadline=deadline())
    release = project.release(version)
    assert release is not None
    remote = ecosystems.adapter(ecosystem).pick(release)[which]
    tmp.mkdir()
    artifact = fetch.download(remote, tmp, max_bytes=50 * MiB, deadline=deadline())
    assert artifact.path is not None
    tree = unpack(artifact.path, tmp / "tree", max_bytes=200 * MiB, max_files=20000, timeout=60)
    return tree.root


def files_of(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_pypi_versions_with_upload_times_and_yanked_releases_skipped() -> None:
    project = pypi.project("requests", deadline=deadline())
    versions = [r.version for r in project.releases]
    assert versions.index("2.31.0") < versions.index("2.32.0") < versions.index("2.32.2")
    yanked = project.release("2.32.0")
    assert yanked is not None and yanked.skip.startswith("yanked: ")
    current = project.release("2.32.2")
    assert current is not None and isinstance(current.uploaded, datetime)
    # 2.32.0 and 2.32.1 were yanked: the release before 2.32.2 is 2.31.0, either way counted
    for by in ("order", "time"):
        before = ecosystems.previous(project, "2.32.2", by=by)  # type: ignore[arg-type]
        assert before is not None and before.version == "2.31.0"
    assert ecosystems.latest(project).prerelease is False
    assert ecosystems.previous(project, versions[0]) is None


def test_pypi_closest_release_for_a_copy() -> None:
    project = pypi.project("idna", deadline=deadline())
    assert ecosystems.closest(project, "3.7").version == "3.7"
    assert ecosystems.closest(project, "3.7.99").version == "3.7"  # the highest lower one
    assert ecosystems.closest(project, "0.0.1").version == project.releases[0].version
    assert [r.version for r in ecosystems.earlier(project, "3.7", 2)] == ["3.6", "3.5"]


def test_npm_versions_in_semver_order() -> None:
    project = npm.project("is-number", deadline=deadline(), full=True)
    versions = [r.version for r in project.releases]
    assert versions[-3:] == ["5.0.0", "6.0.0", "7.0.0"]
    assert all(r.uploaded is not None for r in project.releases)  # the full document's `time`
    before = ecosystems.previous(project, "7.0.0")
    assert before is not None and before.version == "6.0.0"
    assert ecosystems.latest(project).version == project.latest_tag


def test_semver_precedence() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11"]
    ordered += ["1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "10.0.0"]
    assert sorted(reversed(ordered), key=npm.version_key) == ordered
    with pytest.raises(ValueError, match="not a semantic version"):
        npm.version_key("latest")


def test_npm_document_deprecation_provenance_and_publisher() -> None:
    """The registry's fields the mirror in front of this machine may leave out, read from a
    document of the public registry's shape."""
    tarball = "https://registry.example.invalid/x/-/x-{}.tgz"
    doc = {
        "dist-tags": {"latest": "1.2.0"},
        "time": {"1.0.0": "2024-01-01T00:00:00Z", "1.1.0": "2024-02-01T00:00:00Z"},
        "versions": {
            "1.0.0": {
                "dist": {
                    "tarball": tarball.format("1.0.0"),
                    "attestations": {
                        "url": "https://registry.example.invalid/-/npm/v1/attestations/x@1.0.0",
                        "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
                    },
                },
                "_npmUser": {"name": "alice"},
                "maintainers": [{"name": "alice"}, {"name": "bob"}],
            },
            "1.1.0": {"dist": {"tarball": tarball.format("1.1.0")}, "deprecated": "broken"},
            "1.2.0": {"dist": {"tarball": tarball.format("1.2.0")}, "_npmUser": {"name": "eve"}},
            "not-a-version": {"dist": {}},
            "2.0.0": "hostile: not an object",
        },
    }
    project = npm.parse_document("x", doc, "https://registry.example.invalid/")
    assert [r.version for r in project.releases] == ["1.0.0", "1.1.0", "1.2.0"]
    first, deprecated, last = project.releases
    assert first.attested and first.provenance_url.endswith("x@1.0.0")
    assert (first.publisher, first.maintainers) == ("alice", ("alice", "bob"))
    assert deprecated.skip == "deprecated: broken"
    assert (last.attested, last.publisher) == (False, "eve")
    before = ecosystems.previous(project, "1.2.0")
    assert before is not None and before.version == "1.0.0"  # the deprecated one skipped
    with pytest.raises(AnalysisError, match="no published versions"):
        npm.parse_document("x", {"versions": {}}, "")


def test_pypi_layout_hints_of_a_real_sdist_and_wheel(tmp_path: Path) -> None:
    sdist = unpacked("pypi", "requests", "2.32.3", tmp_path / "s", which=0)
    facts = pypi.facts(sdist, files_of(sdist))
    assert facts.prefix == "requests-2.32.3/"
    assert "setup.py" in facts.install_files and "setup.py" in facts.install_hooks
    assert {"charset-normalizer", "idna", "urllib3", "certifi"} <= set(facts.dependencies)
    assert facts.import_names == {"requests"}
    wheel = unpacked("pypi", "requests", "2.32.3", tmp_path / "w", which=1)
    facts = pypi.facts(wheel, files_of(wheel))
    assert facts.prefix == "" and facts.install_files == set()
    assert facts.import_names == {"requests"}
    assert facts.manifest == "requests-2.32.3.dist-info/METADATA"


def test_npm_layout_hints_of_a_real_tarball(tmp_path: Path) -> None:
    root = unpacked("npm", "esbuild", "0.20.2", tmp_path / "n")
    facts = npm.facts(root, files_of(root))
    assert facts.prefix == "package/" and facts.manifest == "package/package.json"
    assert facts.install_hooks == {"scripts.postinstall": "node install.js"}
    assert facts.install_files == {"install.js"}
    assert facts.entry_points["main"] == "lib/main.js"
    assert facts.entry_points["bin:esbuild"] == "bin/esbuild"
    assert "@esbuild/linux-x64" in facts.dependencies
    assert facts.import_names == {"esbuild"}


def test_every_adapter_module_has_all_the_protocol_names() -> None:
    """`adapter()` hands out modules typed as the Adapter protocol, which mypy cannot hold a
    module to: a name the protocol lists and a module lacks would fail only when called."""
    protocol = ecosystems.Adapter
    wanted = set(protocol.__annotations__) | {
        name for name, value in vars(protocol).items() if callable(value) and name[0] != "_"
    }
    assert {"MANIFESTS", "facts", "project", "pick"} <= wanted
    for eco in ("pypi", "npm"):
        module = ecosystems.adapter(eco)
        assert not sorted(n for n in wanted if not hasattr(module, n)), eco
        assert eco == module.ECOSYSTEM
