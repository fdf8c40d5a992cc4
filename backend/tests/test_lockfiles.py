"""Lockfile parsing (pure): every format on a hand-made fixture, whole results compared;
every skip reason; files that are not lockfiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from package_analysis import lockfiles as lf
from package_analysis.analysis.purl import purl_parse
from package_analysis.lockfiles import LockfileError, lockfile_parse

FIXTURES = Path(__file__).parent / "fixtures" / "lockfiles"


def parse(fixture: str, filename: str | None = None) -> lf.Parsed:
    data = (FIXTURES / fixture).read_bytes()
    return lockfile_parse(filename=filename or fixture, data=data)


def purls(parsed: lf.Parsed) -> list[str]:
    return [p.purl for p in parsed.packages]


def skips(parsed: lf.Parsed) -> list[tuple[str, str]]:
    return [(s.line, s.reason) for s in parsed.skipped]


def test_requirements_txt() -> None:
    parsed = parse("requirements.txt")
    assert parsed.format == "requirements.txt"
    # extras and markers do not change the artifact; names are PEP 503; duplicates once
    assert purls(parsed) == [
        "pkg:pypi/requests@2.32.3",
        "pkg:pypi/django@5.2.1",
        "pkg:pypi/typing-extensions@4.12.2",
        "pkg:pypi/pyyaml@6.0.2",
    ]
    assert skips(parsed) == [
        ("--index-url https://packages.example.invalid/simple", lf.OPTION),
        ("--extra-index-url=https://mirror.example.invalid/simple", lf.OPTION),
        ("-r base.txt", lf.INCLUDE),
        ("-c constraints.txt", lf.INCLUDE),
        ("--requirement=more.txt", lf.INCLUDE),
        ("flask>=2.0", lf.UNPINNED),
        ("urllib3~=2.2", lf.UNPINNED),
        ("click", lf.UNPINNED),
        ("numpy==1.26.*", lf.UNPINNED),
        ("-e git+https://example.invalid/acme/tool.git#egg=tool", lf.EDITABLE),
        ("-e ./libs/local-editable", lf.EDITABLE),
        ("git+https://example.invalid/acme/other.git@v1.0#egg=other", lf.VCS),
        (
            "acme-vendored @ https://files.example.invalid/acme_vendored-1.0-py3-none-any.whl",
            lf.URL_REQUIREMENT,
        ),
        (
            "acme-local @ file:///srv/wheels/acme_local-1.0-py3-none-any.whl",
            lf.PATH_REQUIREMENT,
        ),
        ("./vendor/acme_pkg-2.0.tar.gz", lf.PATH_REQUIREMENT),
        ("https://files.example.invalid/bare-1.0.tar.gz", lf.URL_REQUIREMENT),
        (
            "not a requirement !!",
            f"{lf.INVALID}: Expected semicolon (after name with no version specifier) or end",
        ),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Foo_Bar.baz==1.0", "pkg:pypi/foo-bar-baz@1.0"),
        ("foo==1.0-post1", "pkg:pypi/foo@1.0.post1"),  # normalised version
        ("foo[a,b] == 2.0 ; sys_platform == 'win32'", "pkg:pypi/foo@2.0"),
        ("foo==3.0 --hash=sha256:abc --config-settings=x=y", "pkg:pypi/foo@3.0"),
        ("foo===weird-1", "pkg:pypi/foo@weird-1"),  # arbitrary equality, kept as written
        ("foo==1!2.0", "pkg:pypi/foo@1%212.0"),
    ],
)
def test_requirement_line_forms(line: str, expected: str) -> None:
    assert purls(lockfile_parse(filename="requirements.txt", data=line.encode())) == [expected]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("-rbase.txt", lf.INCLUDE),
        ("-e.", lf.EDITABLE),
        ("--editable=../x", lf.EDITABLE),
        ("--pre", lf.OPTION),
        ("--only-binary :all:", lf.OPTION),
        ("foo!=1.0", lf.UNPINNED),
        ("foo==1.0,!=1.1", None),  # pinned despite the extra clause
        ("hg+https://example.invalid/r#egg=r", lf.VCS),
        ("/abs/path/pkg", lf.PATH_REQUIREMENT),
        ("C:\\wheels\\pkg.whl", lf.PATH_REQUIREMENT),
        ("pkg.whl", lf.PATH_REQUIREMENT),
        ("file:///srv/pkg", lf.PATH_REQUIREMENT),
        ("r @ git+https://example.invalid/r.git", lf.VCS),
    ],
)
def test_requirement_line_reasons(line: str, reason: str | None) -> None:
    parsed = lockfile_parse(filename="requirements-dev.txt", data=line.encode())
    assert skips(parsed) == ([(line, reason)] if reason else [])
    assert len(parsed.packages) == (0 if reason else 1)


def test_requirements_comments_continuations_and_blank_lines() -> None:
    text = (
        b"\xef\xbb\xbf# header\n\n"  # a byte-order mark, as some editors write
        b"foo==1.0 \\\n  --hash=sha256:aa \\\n  --hash=sha256:bb\n  # via bar\n"
    )
    parsed = lockfile_parse(filename="r.txt", data=text)
    assert purls(parsed) == ["pkg:pypi/foo@1.0"]
    assert parsed.skipped == []


def test_poetry_lock() -> None:
    parsed = parse("poetry.lock")
    assert parsed.format == "poetry.lock"
    assert purls(parsed) == [
        "pkg:pypi/certifi@2024.8.30",
        "pkg:pypi/charset-normalizer@3.3.2",
        "pkg:pypi/internal-lib@0.4.0",  # a named index: analysed by name, like any other
    ]
    assert skips(parsed) == [
        ("forked-dep 1.2.0 (git https://example.invalid/acme/forked-dep.git)", lf.VCS),
        ("sibling 0.1.0 (directory ../sibling)", lf.PATH_REQUIREMENT),
        (
            "wheel-from-url 2.0.0 (url https://files.example.invalid/"
            "wheel_from_url-2.0.0-py3-none-any.whl)",
            lf.URL_REQUIREMENT,
        ),
    ]


def test_uv_lock() -> None:
    parsed = parse("uv.lock")
    assert parsed.format == "uv.lock"
    assert purls(parsed) == [
        "pkg:pypi/anyio@4.6.2.post1",
        "pkg:pypi/idna@3.10",
        "pkg:pypi/sniffio@1.3.1",
    ]
    assert skips(parsed) == [
        ("demo-app 0.1.0", lf.LOCAL),
        ("demo-lib 0.1.0", lf.WORKSPACE),
        (
            "patched 0.9.0 (git https://example.invalid/acme/patched.git?rev=v0.9.0"
            "#0123456789abcdef0123456789abcdef01234567)",
            lf.VCS,
        ),
        ("vendored 1.0.0 (vendor/vendored-1.0.0-py3-none-any.whl)", lf.PATH_REQUIREMENT),
        (
            "remote-wheel 3.0 (url https://files.example.invalid/remote_wheel-3.0-py3-none-any.whl)",
            lf.URL_REQUIREMENT,
        ),
        ("tools", lf.WORKSPACE),
    ]


def test_package_lock_v1_nested_tree_aliases_and_bundles() -> None:
    parsed = parse("package-lock-v1.json", "package-lock.json")
    assert parsed.format == "package-lock.json"
    assert purls(parsed) == [
        "pkg:npm/%40babel/code-frame@7.24.7",
        "pkg:npm/debug@4.3.7",
        "pkg:npm/ms@2.1.3",  # nested under debug
        "pkg:npm/ms@2.0.0",  # a second version of the same package is its own job
        "pkg:npm/string-width@4.2.3",  # the alias string-width-cjs → the real package
        "pkg:npm/with-bundle@2.0.0",
    ]
    assert skips(parsed) == [
        ("left-pad github:acme/left-pad#2fcd1c9a8b2d0f7e6c5b4a39281706f5e4d3c2b1", lf.VCS),
        ("local-utils file:../local-utils", lf.PATH_REQUIREMENT),
        ("tarball-dep 1.0.0", lf.URL_REQUIREMENT),
        ("with-bundle>inner 1.1.0", lf.BUNDLED),
    ]


def test_package_lock_v2_reads_packages_not_the_legacy_tree() -> None:
    parsed = parse("package-lock-v2.json", "npm-shrinkwrap.json")
    assert purls(parsed) == [
        "pkg:npm/debug@4.3.7",
        "pkg:npm/express@4.21.1",
        "pkg:npm/debug@2.6.9",
        "pkg:npm/ms@2.1.3",
    ]
    assert skips(parsed) == [("demo-web", lf.LOCAL)]


def test_package_lock_v3_workspaces_links_git_and_urls() -> None:
    parsed = parse("package-lock.json")
    assert purls(parsed) == [
        "pkg:npm/%40types/node@22.7.5",
        "pkg:npm/lodash@4.17.21",
        "pkg:npm/lodash-es@4.17.21",
        "pkg:npm/fsevents@2.3.3",
        "pkg:npm/npm-bundled-parent@1.0.0",
    ]
    assert skips(parsed) == [
        ("demo-monorepo", lf.LOCAL),
        ("node_modules/@demo/app -> packages/app", lf.WORKSPACE),
        ("node_modules/from-git 1.0.0", lf.VCS),
        ("node_modules/from-url 3.1.0", lf.URL_REQUIREMENT),
        ("node_modules/npm-bundled-parent/node_modules/inner 0.3.0", lf.BUNDLED),
        ("packages/app", lf.WORKSPACE),
    ]


def test_pnpm_lock_v5() -> None:
    parsed = parse("pnpm-lock-v5.yaml", "pnpm-lock.yaml")
    assert purls(parsed) == [
        "pkg:npm/%40vue/shared@3.4.38",
        "pkg:npm/react-dom@18.3.1",  # the peer suffix _react@18.3.1 is not the version
        "pkg:npm/react@18.3.1",
    ]
    assert skips(parsed) == [
        (".: shared-utils link:../shared-utils", lf.WORKSPACE),
        (
            "github.com/acme/forked/0123456789abcdef0123456789abcdef01234567",
            lf.URL_REQUIREMENT,
        ),
    ]


def test_pnpm_lock_v6() -> None:
    parsed = parse("pnpm-lock-v6.yaml", "pnpm-lock.yaml")
    assert purls(parsed) == [
        "pkg:npm/%40scope/widget@2.1.0",
        "pkg:npm/react@18.3.1",
        "pkg:npm/loose-envify@1.4.0",
    ]
    assert skips(parsed) == [
        ("packages/ui: @demo/core link:../core", lf.WORKSPACE),
        ("file:../local-tarball.tgz", lf.PATH_REQUIREMENT),
    ]


def test_pnpm_lock_v9() -> None:
    parsed = parse("pnpm-lock.yaml")
    assert purls(parsed) == [
        "pkg:npm/%40babel/runtime@7.25.6",
        "pkg:npm/chalk@5.3.0",
        "pkg:npm/regenerator-runtime@0.14.1",
    ]
    assert skips(parsed) == [
        (".: @demo/tools link:packages/tools", lf.WORKSPACE),
        ("local-dir@file:local-dir", lf.PATH_REQUIREMENT),
        (
            "my-fork@git+https://example.invalid/acme/my-fork.git"
            "#0123456789abcdef0123456789abcdef01234567",
            lf.VCS,
        ),
    ]


@pytest.mark.parametrize(
    ("fixture", "fmt"),
    [
        ("poetry.lock", "poetry.lock"),
        ("uv.lock", "uv.lock"),
        ("package-lock.json", "package-lock.json"),
        ("package-lock-v1.json", "package-lock.json"),
        ("pnpm-lock.yaml", "pnpm-lock.yaml"),
        ("pnpm-lock-v5.yaml", "pnpm-lock.yaml"),
    ],
)
def test_format_is_detected_from_content_when_the_name_says_nothing(fixture: str, fmt: str) -> None:
    assert parse(fixture, "upload.bin").format == fmt


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("deps.bin", b"hello world\n", "Cannot tell what kind of file 'deps.bin' is"),
        ("package-lock.json", b"{not json", "The package-lock.json is not valid JSON"),
        ("package-lock.json", b"[1, 2]", "This is not a package-lock.json"),
        ("package-lock.json", b'{"lockfileVersion": 7}', "lockfileVersion 7 is not supported"),
        ("poetry.lock", b"[[package]\nname=", "The poetry.lock is not valid TOML"),
        ("poetry.lock", b'[[package]]\nname = "a"\n', "it has no [metadata] table"),
        ("uv.lock", b'package = "x"\nversion = 1\n', "has no [[package]] tables"),
        ("pnpm-lock.yaml", b"a: [unclosed", "The pnpm-lock.yaml is not valid YAML"),
        ("pnpm-lock.yaml", b"lockfileVersion: '3.0'\n", "is not supported"),
        ("pnpm-lock.yaml", b"- just\n- a list\n", "it has no lockfileVersion"),
        ("requirements.txt", b"\xff\xfe\x00r", "not UTF-8"),
        ("requirements.txt", b"foo==1\x00", "binary"),
        ("package-lock.json", b"[" * 100_000, "nested too deeply"),
    ],
)
def test_files_that_are_not_lockfiles_get_a_sentence(
    filename: str, data: bytes, message: str
) -> None:
    with pytest.raises(LockfileError) as caught:
        lockfile_parse(filename=filename, data=data)
    assert message in str(caught.value)


def test_yaml_tags_are_refused_not_constructed() -> None:
    data = b"lockfileVersion: '9.0'\npackages: !!python/object/apply:os.system ['true']\n"
    with pytest.raises(LockfileError, match="not valid YAML"):
        lockfile_parse(filename="pnpm-lock.yaml", data=data)


def test_long_skipped_lines_are_cut() -> None:
    line = "x" * 1000 + ">=1"
    parsed = lockfile_parse(filename="requirements.txt", data=line.encode())
    assert len(parsed.skipped[0].line) == lf.LINE_MAX
    assert parsed.skipped[0].line.endswith("…")


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir()))
def test_every_purl_parses_back_to_its_package(fixture: str) -> None:
    """The analyze task validates purls with purl_parse; every one made here must pass."""
    name = fixture.replace("-v1", "").replace("-v2", "").replace("-v5", "").replace("-v6", "")
    for package in parse(fixture, name).packages:
        ref = purl_parse(package.purl)
        assert (ref.ecosystem, ref.name, ref.version) == (
            package.ecosystem,
            package.name,
            package.version,
        )
        assert ref.purl == package.purl


# ------------------------------------------------------------------ the isolated parse


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir()))
def test_the_isolated_parse_answers_as_the_in_process_one(fixture: str) -> None:
    data = (FIXTURES / fixture).read_bytes()
    name = fixture.replace("-v1", "").replace("-v2", "").replace("-v5", "").replace("-v6", "")
    inside = lockfile_parse(filename=name, data=data)
    child = lf.lockfile_parse_isolated(filename=name, data=data)
    assert (child.format, child.packages, child.skipped) == (
        inside.format,
        inside.packages,
        inside.skipped,
    )


def test_the_isolated_parse_passes_errors_through() -> None:
    with pytest.raises(LockfileError, match=r"The poetry\.lock is not valid TOML") as caught:
        lf.lockfile_parse_isolated(filename="poetry.lock", data=b"[[package]\n")
    assert not isinstance(caught.value, lf.LockfileTooLarge)


def yaml_lock(packages: int) -> bytes:
    entries = "".join(
        f"  pkg-{i}@1.0.{i}:\n    resolution: {{integrity: sha512-{'A' * 86}==}}\n"
        for i in range(packages)
    )
    return f"lockfileVersion: '9.0'\n\npackages:\n\n{entries}".encode()


def test_a_file_that_needs_more_memory_than_the_budget_is_refused() -> None:
    budget = 64 * 2**20
    small = lf.lockfile_parse_isolated(filename="pnpm-lock.yaml", data=yaml_lock(10), memory=budget)
    assert len(small.packages) == 10
    big = yaml_lock(20_000)  # 2.6 MiB of YAML: loading it takes a few times that
    with pytest.raises(lf.LockfileTooLarge) as caught:
        lf.lockfile_parse_isolated(filename="pnpm-lock.yaml", data=big, memory=budget)
    assert str(caught.value) == (
        "Reading the file needs over 64 MiB of memory; a lockfile that size or shape is "
        "not accepted."
    )


def test_a_file_that_takes_longer_than_the_budget_is_refused() -> None:
    with pytest.raises(lf.LockfileTooLarge, match=r"took over 0\.001 s"):
        lf.lockfile_parse_isolated(filename="pnpm-lock.yaml", data=yaml_lock(10), seconds=0.001)


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        ("requirements/base.txt", "requirements.txt"),
        ("C:\\proj\\package-lock.json", "package-lock.json"),
        ("npm-shrinkwrap.json", "package-lock.json"),
        ("PNPM-LOCK.YAML", "pnpm-lock.yaml"),
        ("../../uv.lock", "uv.lock"),
        ("dev-requirements.txt", "requirements.txt"),
    ],
)
def test_format_from_the_file_name_whatever_its_folder(filename: str, fmt: str) -> None:
    assert lf.format_detect(filename=filename, text="") == fmt
