"""Hostile and benign archives through the real unpacking child process: each ends in a
clear AnalysisError or a clean tree, and nothing is ever written outside the scratch dir."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from package_analysis.analysis.model import AnalysisError
from package_analysis.analysis.unpack import archive_kind, unpack

from . import archives
from .conftest import tree

MiB = 1024 * 1024


def run(archive: Path, scratch: Path, **limits: float):
    opts = {"max_bytes": 512 * MiB, "max_files": 20000, "timeout": 60, **limits}
    return unpack(archive, scratch / "out", **opts)  # type: ignore[arg-type]


def assert_contained(tmp_path: Path, archive: Path) -> None:
    """Only the archive and the scratch dir exist in tmp_path: nothing escaped."""
    assert {p.name for p in tmp_path.iterdir()} == {archive.name, "scratch"}


def test_benign_tar_gz_and_zip_unpack_exactly(tmp_path: Path, scratch: Path) -> None:
    files = {
        "pkg-1.0/setup.py": b"print('x')\n",
        "pkg-1.0/pkg/__init__.py": b"",
        "./pkg-1.0/a/b/c.txt": b"abc",
    }
    tgz = archives.tar_gz(tmp_path / "pkg.tar.gz", files)
    out = run(tgz, scratch)
    assert (out.kind, out.files, out.bytes, out.skipped) == ("gzip", 3, 14, [])
    assert tree(out.root) == {
        "pkg-1.0",
        "pkg-1.0/setup.py",
        "pkg-1.0/pkg",
        "pkg-1.0/pkg/__init__.py",
        "pkg-1.0/a",
        "pkg-1.0/a/b",
        "pkg-1.0/a/b/c.txt",
    }
    assert (out.root / "pkg-1.0/a/b/c.txt").read_bytes() == b"abc"

    assert out.rlimits == {
        "as": 1024 * MiB,
        "cpu": 61,
        "fsize": 512 * MiB + 1,
        "nofile": 64,
        "core": 0,
    }
    assert 0 < out.peak_rss_bytes < 1024 * MiB

    whl = archives.zip_file(
        tmp_path / "pkg-1.0-py3-none-any.whl",
        {"pkg/__init__.py": b"X = 1\n", "pkg-1.0.dist-info/METADATA": b"Name: pkg\n"},
    )
    out = unpack(whl, scratch / "whl", max_bytes=MiB, max_files=10, timeout=60)
    assert (out.kind, out.files, out.bytes) == ("zip", 2, 16)
    assert (out.root / "pkg/__init__.py").read_bytes() == b"X = 1\n"


@pytest.mark.parametrize("name", ["../evil.py", "pkg/../../evil.py", "pkg/..\\..\\evil.py"])
def test_path_traversal_is_refused(tmp_path: Path, scratch: Path, name: str) -> None:
    tgz = archives.tar_gz(tmp_path / "t.tar.gz", {"pkg/ok.py": b"", name: b"pwned"})
    zf = archives.zip_file(tmp_path / "t.zip", {"pkg/ok.py": b"", name: b"pwned"})
    for i, archive in enumerate((tgz, zf)):
        with pytest.raises(
            AnalysisError, match=r"points outside the package \(\.\.\); not unpacked"
        ):
            unpack(archive, scratch / str(i), max_bytes=MiB, max_files=10, timeout=60)
        assert tree(scratch / str(i)) == {"pkg", "pkg/ok.py"}  # written before the bad member
    assert {p.name for p in tmp_path.iterdir()} == {"t.tar.gz", "t.zip", "scratch"}


def test_absolute_paths_are_refused(tmp_path: Path, scratch: Path) -> None:
    target = tmp_path / "abs" / "pwned.txt"
    tgz = archives.tar_gz(tmp_path / "a.tar.gz", {str(target): b"pwned"})
    with pytest.raises(AnalysisError, match="has an absolute path; not unpacked"):
        run(tgz, scratch)
    zf = archives.zip_file(tmp_path / "a.zip", {"C:/Windows/evil.dll": b"MZ"})
    with pytest.raises(AnalysisError, match="has an absolute path"):
        unpack(zf, scratch / "z", max_bytes=MiB, max_files=10, timeout=60)
    assert not target.exists()
    assert {p.name for p in tmp_path.iterdir()} == {"a.tar.gz", "a.zip", "scratch"}


def test_links_out_of_the_tree_are_never_created_or_followed(tmp_path: Path, scratch: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    tgz = archives.tar_gz(
        tmp_path / "l.tar.gz",
        {},
        extra=[
            archives.link("pkg/passwd", "/etc/passwd"),
            archives.link("pkg/up", "../../outside"),
            archives.link("pkg/hard", "/etc/passwd", hard=True),
            archives.link("pkg/hard2", "../../outside/x", hard=True),
        ],
    )
    # A file "through" a link that was not created lands in a real folder inside the tree.
    with tarfile.open(tmp_path / "l2.tar", "w") as tar:
        tar.addfile(archives.link("pkg/up", str(outside)))
        data = b"pwned"
        info = tarfile.TarInfo("pkg/up/pwned.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    out = run(tgz, scratch)
    assert out.files == 4
    assert [s["reason"] for s in out.skipped] == [
        "symbolic link to '/etc/passwd', not followed",
        "symbolic link to '../../outside', not followed",
        "hard link to '/etc/passwd', not followed",
        "hard link to '../../outside/x', not followed",
    ]
    assert tree(out.root) == set()
    out2 = unpack(tmp_path / "l2.tar", scratch / "out2", max_bytes=MiB, max_files=10, timeout=60)
    assert out2.kind == "tar"
    assert tree(out2.root) == {"pkg", "pkg/up", "pkg/up/pwned.txt"}
    assert not (out2.root / "pkg/up").is_symlink()
    assert list(outside.iterdir()) == []

    zf = archives.zip_file(
        tmp_path / "l.zip", {"pkg/a.py": b"1"}, symlinks={"pkg/link": "/etc/shadow"}
    )
    out3 = unpack(zf, scratch / "out3", max_bytes=MiB, max_files=10, timeout=60)
    assert out3.skipped == [{"member": "pkg/link", "reason": "symbolic link, not followed"}]
    assert tree(out3.root) == {"pkg", "pkg/a.py"}


def test_devices_and_fifos_are_skipped(tmp_path: Path, scratch: Path) -> None:
    tgz = archives.tar_gz(
        tmp_path / "d.tar.gz",
        {"pkg/a.py": b"1"},
        extra=[
            archives.device("pkg/null"),
            archives.device("pkg/sda", tarfile.BLKTYPE),
            archives.device("pkg/fifo", tarfile.FIFOTYPE),
        ],
    )
    out = run(tgz, scratch)
    assert [s["member"] for s in out.skipped] == ["pkg/null", "pkg/sda", "pkg/fifo"]
    assert {s["reason"] for s in out.skipped} == {"device, FIFO or other special file, not created"}
    assert tree(out.root) == {"pkg", "pkg/a.py"}


def _zeros_tar_gz(path: Path, size: int) -> Path:
    """A gzip'd tar holding one file of `size` zero bytes (compresses about 1000:1)."""

    class Zeros:
        def __init__(self, n: int) -> None:
            self.left = n

        def read(self, n: int = -1) -> bytes:
            n = self.left if n < 0 else min(n, self.left)
            self.left -= n
            return bytes(n)

    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("bomb/zeros.bin")
        info.size = size
        tar.addfile(info, Zeros(size))  # type: ignore[arg-type]
    return path


def test_decompression_bomb_stops_on_the_ratio(tmp_path: Path, scratch: Path) -> None:
    bomb = _zeros_tar_gz(tmp_path / "bomb.tar.gz", 100 * MiB)
    assert bomb.stat().st_size < 2 * MiB
    with pytest.raises(AnalysisError, match=r"compression ratio above 200:1 .*decompression bomb"):
        run(bomb, scratch)
    assert tree(scratch) <= {"out", "out/bomb"}
    assert_contained(tmp_path, bomb)


def test_unpacked_bytes_cap(tmp_path: Path, scratch: Path) -> None:
    files = {f"pkg/f{i}.bin": os.urandom(256 * 1024) for i in range(8)}  # 2 MiB, incompressible
    archive = archives.zip_file(tmp_path / "big.zip", files)
    with pytest.raises(
        AnalysisError,
        match=r"^Unpacking stopped: more than 1 MiB unpacked \(ANALYSIS_MAX_UNPACKED_BYTES\)$",
    ):
        run(archive, scratch, max_bytes=MiB)
    assert_contained(tmp_path, archive)


@pytest.mark.slow  # a minute of creating files: make test runs it, make check does not
def test_a_hundred_thousand_tiny_files_stop_at_the_file_cap(tmp_path: Path, scratch: Path) -> None:
    path = archives.many_empty_files_tar(tmp_path / "many.tar.gz", 100_000, compress=True)
    with pytest.raises(
        AnalysisError, match=r"^Unpacking stopped: more than 20000 files \(ANALYSIS_MAX_FILES\)$"
    ):
        # Creating 20,000 files takes a minute on a loaded machine: the clock must not win.
        run(path, scratch, timeout=600)
    assert len(tree(scratch / "out" / "pkg")) == 20000  # it stopped at the cap, no further
    assert_contained(tmp_path, path)

    many_zip = tmp_path / "many.zip"
    with zipfile.ZipFile(many_zip, "w") as zf:
        for i in range(20_001):
            zf.writestr(f"pkg/{i}.txt", b"")
    with pytest.raises(AnalysisError, match=r"more than 20000 files \(ANALYSIS_MAX_FILES\)"):
        unpack(many_zip, scratch / "z", max_bytes=MiB, max_files=20000, timeout=60)
    assert not (scratch / "z" / "pkg").exists()  # refused from the central directory alone


def test_a_dictionary_larger_than_the_child_may_have_is_out_of_memory(
    tmp_path: Path, scratch: Path
) -> None:
    # 1.5 GiB declared in a few hundred bytes (the review's L2): the sandbox's address-space
    # limit stops the decoder's allocation, and the error says memory, never CPU time.
    small = archives.tar_xz_declaring_dictionary(tmp_path / "ok.tar.xz", {"p/a.py": b"x"}, 20)
    assert run(small, scratch).files == 1  # the same archive, declaring 2 MiB
    path = archives.tar_xz_declaring_dictionary(tmp_path / "dict.tar.xz", {"p/a.py": b"x"}, 37)
    assert path.stat().st_size < 400
    with pytest.raises(AnalysisError, match=r"^Unpacking stopped: ran out of memory \(\d+ MiB\)$"):
        unpack(path, scratch / "big", max_bytes=MiB, max_files=10, timeout=60)


def test_wall_clock_timeout_kills_the_child(tmp_path: Path, scratch: Path) -> None:
    path = archives.many_empty_files_tar(tmp_path / "slow.tar", 100_000, compress=False)
    with pytest.raises(
        AnalysisError,
        match=r"^Unpacking stopped: the time left \(0\.2 s\) ran out \(ANALYSIS_TIMEOUT_SECONDS\)$",
    ):
        run(path, scratch, max_files=200_000, timeout=0.2)


def test_truncated_gzip(tmp_path: Path, scratch: Path) -> None:
    files = {f"pkg/m{i}.py": os.urandom(4096) for i in range(20)}
    whole = archives.tar_gz(tmp_path / "whole.tar.gz", files).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(AnalysisError, match=r"^Archive is truncated or corrupt \(gzip\)"):
        run(cut, scratch)


def test_gzip_that_is_not_a_tar(tmp_path: Path, scratch: Path) -> None:
    path = tmp_path / "notes.tar.gz"
    path.write_bytes(gzip.compress(b"just some text, not a tar archive\n" * 20))
    with pytest.raises(
        AnalysisError, match=r"^Not an archive: gzip data that is not a tar archive"
    ):
        run(path, scratch)


def test_a_zip_with_bytes_in_front_is_unpacked_as_installers_read_it(
    tmp_path: Path, scratch: Path
) -> None:
    """zipfile (and so pip) finds a zip by its end record; junk before it hides nothing."""
    path = tmp_path / "prefixed.whl"
    with path.open("wb") as raw:
        raw.write(b"MZ" + b"\0" * 4094)
        with zipfile.ZipFile(raw, "w") as zf:
            zf.writestr("demo/__init__.py", "VALUE = 1\n")
    assert archive_kind(path) == "zip"
    result = run(path, scratch)
    assert (result.root / "demo" / "__init__.py").read_text() == "VALUE = 1\n"


def test_not_an_archive_and_empty_file_are_named_by_content(tmp_path: Path, scratch: Path) -> None:
    text = tmp_path / "looks-like.tar.gz"
    text.write_text("#!/bin/sh\necho hi\n")
    with pytest.raises(AnalysisError, match=r"^Not an archive: the file is neither a tar"):
        archive_kind(text)
    with pytest.raises(AnalysisError, match=r"^Not an archive: the file is neither a tar"):
        run(text, scratch)
    empty = tmp_path / "empty.whl"
    empty.write_bytes(b"")
    with pytest.raises(AnalysisError, match=r"^Not an archive: the file is empty$"):
        run(empty, scratch)
    # A zip named .tar.gz is a zip: the name never decides.
    zf = archives.zip_file(tmp_path / "named-wrong.tar.gz", {"a.py": b"1"})
    assert archive_kind(zf) == "zip"
    assert list(scratch.iterdir()) == []


def test_repeated_names_keep_the_last_copy_and_say_so(tmp_path: Path, scratch: Path) -> None:
    path = tmp_path / "dup.tar"
    with tarfile.open(path, "w") as tar:
        for data in (b"first", b"second"):
            info = tarfile.TarInfo("pkg/setup.py")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out = run(path, scratch)
    assert (out.root / "pkg/setup.py").read_bytes() == b"second"
    assert out.skipped == [
        {
            "member": "pkg/setup.py",
            "reason": "repeated member name: an earlier copy was replaced by this one",
        }
    ]


def test_names_that_are_not_utf8_get_a_replacement_character(tmp_path: Path, scratch: Path) -> None:
    path = tmp_path / "latin1.tar"
    with tarfile.open(path, "w", encoding="utf-8", errors="surrogateescape") as tar:
        info = tarfile.TarInfo("pkg/caf\udce9.py")  # the raw byte 0xE9
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    out = run(path, scratch)
    assert tree(out.root) == {"pkg", "pkg/caf\ufffd.py"}


@pytest.mark.parametrize(("mode", "kind"), [("w:bz2", "bzip2"), ("w:xz", "xz"), ("w", "tar")])
def test_other_tar_compressions_are_read_by_content(
    tmp_path: Path, scratch: Path, mode: str, kind: str
) -> None:
    path = tmp_path / "pkg.tgz"  # the name says gzip; the content decides
    with tarfile.open(path, mode) as tar:  # type: ignore[call-overload]
        info = tarfile.TarInfo("pkg/index.js")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"x=1"))
    out = run(path, scratch)
    assert (out.kind, tree(out.root)) == (kind, {"pkg", "pkg/index.js"})


def test_zip_folder_marked_only_by_its_mode(tmp_path: Path, scratch: Path) -> None:
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("pkg")
        info.external_attr = (0o040755 << 16) | 0x10
        zf.writestr(info, b"")
        zf.writestr("pkg/a.py", b"1")
    out = run(path, scratch)
    assert (out.skipped, tree(out.root)) == ([], {"pkg", "pkg/a.py"})


def test_a_zip_with_bytes_before_it_is_unpacked(tmp_path: Path, scratch: Path) -> None:
    # zipfile and installers find the central directory from the end: a prefix hides nothing
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("pkg/setup.py", "print('hi')\n")
    prefixed = tmp_path / "prefixed.whl"
    prefixed.write_bytes(b"#!/bin/sh\nexit 0\n" + b"\0" * 600 + plain.read_bytes())
    out = unpack(prefixed, scratch / "out", max_bytes=1 << 20, max_files=10, timeout=30)
    assert (out.kind, out.files) == ("zip", 1)
    assert (out.root / "pkg" / "setup.py").read_text() == "print('hi')\n"


# --- what other tar readers see (docs/security.md "Could not analyse") -------------------
# tarfile, and so pip, stop at the first zero block or bad header; npm's reader skips the
# block and unpacks the members after it (checked with the tar module npm bundles: both gap
# kinds below).


def _tar(files: dict[str, bytes]) -> bytes:
    """A plain tar of `files` without its two end-of-archive blocks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            tar.addfile(archives._tarinfo(name, size=len(data), mode=0o644), io.BytesIO(data))
    return buf.getvalue().rstrip(b"\0")  # the contents end in text, never in a zero byte


def _blocks(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 512)


@pytest.mark.parametrize("gap", [b"\x01" * 512, b"\0" * 512], ids=["bad-block", "zero-block"])
def test_members_past_a_bad_or_zero_block_are_unpacked_as_npm_reads_them(
    tmp_path: Path, scratch: Path, gap: bytes
) -> None:
    first = _blocks(_tar({"package/README.md": b"hello\n"}))
    hidden = _tar({"package/package.json": b'{"scripts": {"preinstall": "sh x.sh"}}'})
    path = tmp_path / "hidden.tgz"
    path.write_bytes(gzip.compress(first + gap + _blocks(hidden) + b"\0" * 1024))
    with tarfile.open(path, "r:gz") as tar:
        assert tar.getnames() == ["package/README.md"]  # what tarfile alone sees
    run(path, scratch)
    assert tree(scratch / "out") >= {"package/README.md", "package/package.json"}


def test_a_name_repeated_past_the_stop_with_other_bytes_is_not_analysed(
    tmp_path: Path, scratch: Path
) -> None:
    first = _blocks(_tar({"package/package.json": b'{"name": "x"}'}))
    other = _tar({"package/package.json": b'{"name": "x", "scripts": {"install": "sh x"}}'})
    path = tmp_path / "two-faced.tgz"
    path.write_bytes(gzip.compress(first + b"\x01" * 512 + _blocks(other) + b"\0" * 1024))
    with pytest.raises(AnalysisError, match=r"appears again after the end of the tar"):
        run(path, scratch)


def test_a_tar_gz_stored_twice_over_is_one_package(tmp_path: Path, scratch: Path) -> None:
    one = archives.tar_gz(tmp_path / "one.tar.gz", {"pkg-1.0/setup.py": b"print(1)\n"})
    path = tmp_path / "twice.tar.gz"  # two gzip members, the same tar in each
    path.write_bytes(one.read_bytes() * 2)
    one.unlink()
    run(path, scratch)
    assert tree(scratch / "out") == {"pkg-1.0", "pkg-1.0/setup.py"}


@pytest.mark.parametrize("damage", ["trailer-cut", "crc"])
def test_a_tar_gz_whose_tar_is_whole_but_gzip_is_damaged_is_not_analysed(
    tmp_path: Path, scratch: Path, damage: str
) -> None:
    whole = archives.tar_gz(tmp_path / "w.tar.gz", {"pkg/setup.py": b"x = 1\n"}).read_bytes()
    broken = whole[:-4] if damage == "trailer-cut" else whole[:-8] + b"\xff" * 4 + whole[-4:]
    path = tmp_path / "w.tar.gz"
    path.write_bytes(broken)
    with tarfile.open(path, "r:gz") as tar:  # pip's reader accepts it: the tar is all there
        assert tar.getnames() == ["pkg/setup.py"]
    with pytest.raises(AnalysisError, match=r"^Archive is truncated or corrupt \(gzip\)"):
        run(path, scratch)


def test_a_small_tar_gz_cut_short_is_called_truncated_not_a_non_archive(
    tmp_path: Path, scratch: Path
) -> None:
    # The whole stream is read before the first member is: the cut shows before any entry.
    whole = archives.tar_gz(tmp_path / "s.tar.gz", {"package/package.json": b"{}"}).read_bytes()
    path = tmp_path / "s.tar.gz"
    path.write_bytes(whole[:-4])
    with pytest.raises(AnalysisError, match=r"^Archive is truncated or corrupt \(gzip\)"):
        run(path, scratch)


def test_zero_blocks_read_past_the_tar_end_count_like_data(tmp_path: Path, scratch: Path) -> None:
    # Reading on past the first zero block (as npm's reader does) must not make a bomb of
    # zeros cheap: the tar stream itself is held to the unpacking limits.
    path = tmp_path / "zeros.tgz"
    path.write_bytes(gzip.compress(_blocks(_tar({"package/index.js": b"1;\n"})) + b"\0" * 64 * MiB))
    assert path.stat().st_size < 256 * 1024
    with pytest.raises(
        AnalysisError, match=r"^Unpacking stopped: \d+ MiB of tar data from \d+ bytes"
    ):
        run(path, scratch)
    small = tmp_path / "small.tgz"  # the usual padding is nowhere near it
    small.write_bytes(gzip.compress(_blocks(_tar({"package/index.js": b"1;\n"})) + b"\0" * 10240))
    assert unpack(small, scratch / "small", max_bytes=512 * MiB, max_files=9, timeout=60).files == 1
