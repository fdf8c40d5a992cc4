"""Package URLs: what is accepted, how names are normalised, and the refusal sentences."""

from __future__ import annotations

import pytest

from package_analysis.analysis.model import AnalysisError, PackageRef
from package_analysis.analysis.purl import purl_build, purl_parse, pypi_normalize


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        (
            "pkg:pypi/requests@2.32.3",
            PackageRef("pypi", "requests", "2.32.3", "pkg:pypi/requests@2.32.3"),
        ),
        (
            "pkg:pypi/Foo_Bar.baz@1.0",
            PackageRef("pypi", "foo-bar-baz", "1.0", "pkg:pypi/foo-bar-baz@1.0"),
        ),
        ("pkg:PyPI/idna", PackageRef("pypi", "idna", None, "pkg:pypi/idna")),
        (
            "pkg:npm/is-number@7.0.0",
            PackageRef("npm", "is-number", "7.0.0", "pkg:npm/is-number@7.0.0"),
        ),
        (
            "pkg:npm/%40scope/name@1.0.0",
            PackageRef("npm", "@scope/name", "1.0.0", "pkg:npm/%40scope/name@1.0.0"),
        ),
        (
            "  pkg:npm/@types/node  ",
            PackageRef("npm", "@types/node", None, "pkg:npm/%40types/node"),
        ),
    ],
)
def test_parse(purl: str, expected: PackageRef) -> None:
    assert purl_parse(purl) == expected


@pytest.mark.parametrize(
    ("purl", "sentence"),
    [
        ("requests", "Not a package URL: 'requests' ("),
        ("pkg:pypi/", "Not a package URL: 'pkg:pypi/' ("),
        (
            "pkg:maven/org.example/lib@1.0",
            "Unsupported ecosystem 'maven' in pkg:maven/org.example/lib@1.0:"
            " only pypi and npm packages are analysed",
        ),
        ("pkg:pypi/-bad-@1", "Not a valid PyPI project name in pkg:pypi/-bad-@1: '-bad-'"),
        ("pkg:pypi/ns/name@1", "Not a valid PyPI project name in pkg:pypi/ns/name@1: 'name'"),
        (
            "pkg:npm/scope/name@1",
            "Not a valid npm scope in pkg:npm/scope/name@1: 'scope' (expected @scope)",
        ),
        ("pkg:npm/.hidden@1", "Not a valid npm package name in pkg:npm/.hidden@1: '.hidden'"),
        (
            "pkg:npm/x@1.0%2F..%2Fadmin",
            "Not a valid version in pkg:npm/x@1.0%2F..%2Fadmin: '1.0/../admin'",
        ),
    ],
)
def test_refusals_are_sentences(purl: str, sentence: str) -> None:
    with pytest.raises(AnalysisError) as exc:
        purl_parse(purl)
    assert str(exc.value).startswith(sentence)


def test_normalize_and_build_round_trip() -> None:
    assert pypi_normalize("Django_REST---framework..x") == "django-rest-framework-x"
    purl = purl_build(ecosystem="npm", name="@babel/core", version="7.0.0")
    assert purl == "pkg:npm/%40babel/core@7.0.0"
    assert purl_parse(purl).name == "@babel/core"
