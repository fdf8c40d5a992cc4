"""Unpack: one archive into a directory, in a child process with resource limits.

The type is read from the content (gzip, bzip2, xz or plain tar; zip — wheels are zips),
never from the name. The child runs in the one sandbox (`package_analysis.sandbox`): memory
cut to what the worker's cgroup has left, CPU, file size and open files limited, first in
line for the OOM killer, killed at the wall-clock timeout; so a hostile archive can cost at
most those limits, never takes the worker down, and each limit is reported as what it is.

Member policy (both formats): an absolute path or a `..` component stops the unpacking with
an error; symbolic and hard links are never created (so no path below the destination can
lead outside it) and devices, FIFOs and encrypted zip members are skipped — each skip is
listed in `Unpacked.skipped`. Tar members also pass tarfile's `filter="data"`. Caps: the
declared size of every file counts against ANALYSIS_MAX_UNPACKED_BYTES before a byte is
written, every entry (file, folder or link) against ANALYSIS_MAX_FILES, and past 16 MiB the
unpacked size may be at most 200 times the archive's. Archives inside the package are not
opened (they stay files, scanned as bytes): one level keeps the limits simple to reason about.

This module imports only the standard library, `model` and `sandbox`, because the child runs
it with `python -I -S`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import re
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .. import sandbox
from .model import AnalysisError

MAX_RATIO = 200
RATIO_FLOOR = 16 * 1024 * 1024
CHILD_MEMORY_BYTES = 1024 * 1024 * 1024
CHILD_NOFILE = 64
SKIPPED_MAX = 100
CHUNK = 1024 * 1024

_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty zip
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)


@dataclass
class Unpacked:
    """Where an archive was unpacked and what was (and was not) written."""

    root: Path
    kind: str
    files: int
    bytes: int
    skipped: list[dict[str, str]] = field(default_factory=list)
    peak_rss_bytes: int = 0  # the child's maximum resident set size
    rlimits: dict[str, int] = field(default_factory=dict)  # the soft limits the child ran under


def archive_kind(path: Path) -> str:
    """ "zip", "gzip", "bzip2", "xz" or "tar", from the first bytes of the file (a zip also
    from its end: its central directory, wherever it starts)."""
    with path.open("rb") as fh:
        head = fh.read(512)
    if not head:
        raise AnalysisError("Not an archive: the file is empty")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[257:262] == b"ustar":
        return "tar"
    if zipfile.is_zipfile(path):  # bytes before the zip: zipfile and installers read it by its end
        return "zip"
    raise AnalysisError(
        "Not an archive: the file is neither a tar (plain, gzip, bzip2 or xz) nor a zip"
    )


def _mib(n: int) -> str:
    return f"{n / 1048576:.0f} MiB"


def unpack(
    archive: Path, dest: Path, *, max_bytes: int, max_files: int, timeout: float
) -> Unpacked:
    """Unpack `archive` into the new directory `dest` in a resource-limited child process."""
    archive, dest = archive.absolute(), dest.absolute()  # the child runs in `dest`
    kind = archive_kind(archive)
    dest.mkdir(mode=0o700)
    request = {"archive": str(archive), "dest": str(dest), "kind": kind}
    budget = sandbox.Budget(
        memory=CHILD_MEMORY_BYTES,
        cpu_seconds=max(1, int(timeout) + 1),
        wall_seconds=timeout,
        file_size=max_bytes + 1,
        open_files=CHILD_NOFILE,
    )
    limits = {"max_bytes": max_bytes, "max_files": max_files}
    try:
        out = sandbox.run(
            "package_analysis.analysis.unpack:child_main",
            json.dumps({**request, **limits}).encode(),
            budget,
            cwd=dest,
            site=False,
        )
    except sandbox.SandboxLimit as exc:
        text = _LIMIT_TEXT[exc.kind].format(amount=exc.amount, timeout=timeout)
        raise AnalysisError(text) from None
    except sandbox.SandboxCrash as exc:
        raise AnalysisError(f"Unpacking failed: {exc}") from None
    return _result(out, dest, kind)


_LIMIT_TEXT = {
    "time": "Unpacking stopped: the time left ({timeout:.1f} s) ran out (ANALYSIS_TIMEOUT_SECONDS)",
    "cpu": "Unpacking stopped: it used up its CPU time limit ({amount})",
    "memory": "Unpacking stopped: ran out of memory ({amount})",
}


def _result(out: sandbox.Outcome, dest: Path, kind: str) -> Unpacked:
    answer = out.answer
    if "error" in answer:
        raise AnalysisError(str(answer["error"]))
    return Unpacked(
        root=dest,
        kind=kind,
        files=int(answer["files"]),
        bytes=int(answer["bytes"]),
        skipped=list(answer["skipped"]),
        peak_rss_bytes=out.peak_rss_bytes,
        rlimits=out.rlimits,
    )


# --- the child --------------------------------------------------------------------------


def child_main(payload: bytes) -> dict[str, Any]:
    """The unpacking child's work (run by the sandbox, limits already set): one answer."""
    request = json.loads(payload)
    try:
        return _extract(
            Path(request["archive"]),
            Path(request["dest"]),
            kind=request["kind"],
            max_bytes=int(request["max_bytes"]),
            max_files=int(request["max_files"]),
        )
    except AnalysisError as exc:
        return {"error": str(exc)}


class _Budget:
    def __init__(self, *, max_bytes: int, max_files: int, archive_size: int) -> None:
        self.max_bytes, self.max_files, self.archive_size = max_bytes, max_files, archive_size
        self.entries = 0
        self.bytes = 0
        self.current = ""  # the member being unpacked, for error messages
        self.dirs: set[Path] = set()  # folders already created (saves a syscall per file)
        self.skipped: list[dict[str, str]] = []

    def entry(self) -> None:
        self.entries += 1
        if self.entries > self.max_files:
            raise AnalysisError(
                f"Unpacking stopped: more than {self.max_files} files (ANALYSIS_MAX_FILES)"
            )

    def data(self, size: int) -> None:
        self.bytes += size
        if self.bytes > self.max_bytes:
            raise AnalysisError(
                f"Unpacking stopped: more than {_mib(self.max_bytes)} unpacked"
                " (ANALYSIS_MAX_UNPACKED_BYTES)"
            )
        if self.bytes > RATIO_FLOOR and self.bytes > MAX_RATIO * self.archive_size:
            raise AnalysisError(
                f"Unpacking stopped: compression ratio above {MAX_RATIO}:1"
                f" ({_mib(self.bytes)} from {self.archive_size} bytes; a decompression bomb?)"
            )

    def stream(self, total: int) -> None:
        """Tar bytes read so far, headers and the zero blocks skipped between members too."""
        if total > 2 * self.max_bytes or total > max(
            RATIO_FLOOR, 2 * MAX_RATIO * self.archive_size
        ):
            raise AnalysisError(
                f"Unpacking stopped: {_mib(total)} of tar data from {self.archive_size} bytes"
                " (ANALYSIS_MAX_UNPACKED_BYTES; a decompression bomb?)"
            )

    def skip(self, name: str, reason: str) -> None:
        if len(self.skipped) < SKIPPED_MAX:
            self.skipped.append({"member": name[:300], "reason": reason[:300]})


def _clean(name: str) -> str:
    """The member's relative path with `/` separators; refuses absolute paths and `..`."""
    if "\x00" in name:
        raise AnalysisError(f"Archive member {name[:100]!r} has a NUL byte in its name")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise AnalysisError(f"Archive member {name[:200]!r} has an absolute path; not unpacked")
    # Names that are not UTF-8 get U+FFFD, so every later consumer sees a valid string.
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        raise AnalysisError(
            f"Archive member {name[:200]!r} points outside the package (..); not unpacked"
        )
    return "/".join(p for p in parts if p not in ("", "."))


def _target(dest: Path, name: str) -> Path:
    # `name` went through _clean (relative, no `..`) and no link is ever created below
    # `dest`, so the lexical path is the real one; this re-checks the first half cheaply.
    target = dest / name
    if ".." in target.relative_to(dest).parts or target.is_absolute() is not dest.is_absolute():
        raise AnalysisError(f"Archive member {name[:200]!r} resolves outside the package")
    return target


def _write(dest: Path, name: str, src: IO[bytes], declared: int, budget: _Budget) -> None:
    target = _target(dest, name)
    if target.parent not in budget.dirs:
        target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        budget.dirs.add(target.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(target, flags, 0o644)
    except FileExistsError:
        # Extractors and installers keep the last copy of a repeated name; so do we, noted.
        budget.skip(name, "repeated member name: an earlier copy was replaced by this one")
        fd = os.open(target, (flags & ~os.O_EXCL) | os.O_TRUNC, 0o644)
    written = 0
    with os.fdopen(fd, "wb") as out:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > declared:
                raise AnalysisError(f"Archive member {name[:200]!r} is larger than it declares")
            out.write(chunk)


def _extract(
    path: Path, dest: Path, *, kind: str, max_bytes: int, max_files: int
) -> dict[str, Any]:
    budget = _Budget(max_bytes=max_bytes, max_files=max_files, archive_size=path.stat().st_size)
    corrupt = (
        tarfile.ReadError,
        zipfile.BadZipFile,
        gzip.BadGzipFile,
        EOFError,
        zlib.error,
        lzma.LZMAError,
    )
    try:
        if kind == "zip":
            _extract_zip(path, dest, budget)
        else:
            _extract_tar(path, dest, budget, kind)
    except corrupt as exc:
        raise _corrupt(kind, budget, exc) from None
    except tarfile.FilterError as exc:
        raise AnalysisError(f"Archive member refused by the tar data filter: {exc}") from None
    except OSError as exc:
        raise AnalysisError(
            f"Unpacking failed at {budget.current[:200]!r}: {exc.strerror or exc}"
        ) from None
    return {"files": budget.entries, "bytes": budget.bytes, "skipped": budget.skipped}


def _corrupt(kind: str, budget: _Budget, exc: BaseException) -> AnalysisError:
    if budget.entries == 0 and kind != "zip" and isinstance(exc, tarfile.ReadError):
        return AnalysisError(f"Not an archive: {kind} data that is not a tar archive ({exc})")
    return AnalysisError(f"Archive is truncated or corrupt ({kind}): {exc}")


def _decompressed(path: Path, kind: str) -> io.BufferedIOBase:
    """The tar inside, through the modules that check the stream to its end (tarfile's own
    stream reader ignores a gzip checksum and a gzip cut short)."""
    if kind == "gzip":
        return gzip.GzipFile(path, "rb")
    if kind == "bzip2":
        return bz2.BZ2File(path, "rb")
    if kind == "xz":
        return lzma.LZMAFile(path, "rb")
    return path.open("rb")


class _Counted:
    """The tar stream, counted as tarfile reads it (`_Budget.stream`)."""

    def __init__(self, raw: io.BufferedIOBase, budget: _Budget) -> None:
        self.raw, self.budget, self.total = raw, budget, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.total += len(chunk)
        self.budget.stream(self.total)
        return chunk


def _extract_tar(path: Path, dest: Path, budget: _Budget, kind: str = "tar") -> None:
    """Every member any tar reader could find: tarfile and pip stop at the first zero block or
    bad header, npm's reader skips it and reads on, so this reads on too (`ignore_zeros`), to
    the end of the compressed stream (its checksum and length checked: truncation fails)."""
    # The child runs inside `dest`: a relative base spares realpath() an lstat per ancestor.
    base = os.curdir if os.getcwd() == str(dest) else str(dest)
    end, stopped = 0, False
    with (
        _decompressed(path, kind) as raw,
        tarfile.open(fileobj=_Counted(raw, budget), mode="r|", ignore_zeros=True) as tar,  # type: ignore[call-overload]
    ):
        for member in tar:
            stopped = stopped or member.offset != end  # blocks skipped: past tarfile's stop
            end = tar.offset
            budget.entry()
            budget.current = member.name
            name = _clean(member.name)
            if member.issym() or member.islnk():
                what = "symbolic" if member.issym() else "hard"
                budget.skip(member.name, f"{what} link to {member.linkname!r}, not followed")
            elif not (member.isdir() or member.isfile()):
                budget.skip(member.name, "device, FIFO or other special file, not created")
            elif name:
                tarfile.data_filter(member, base)  # the stdlib's own check, a second time
                if member.isdir():
                    _target(dest, name).mkdir(mode=0o755, parents=True, exist_ok=True)
                    continue
                budget.data(member.size)
                src = tar.extractfile(member)
                if src is None:
                    continue
                if stopped and _target(dest, name).is_file():
                    _same_or_refuse(_target(dest, name), name, src)
                    continue
                _write(dest, name, src, member.size, budget)
    if budget.entries == 0:  # blocks skipped, none a header: not a tar at all
        raise tarfile.ReadError("no tar header in it")


def _same_or_refuse(path: Path, name: str, src: IO[bytes]) -> None:
    """A name seen again past tarfile's stop: pip installs the first copy, npm the second;
    the same bytes are one file, other bytes an archive whose readers disagree."""
    with path.open("rb") as have:
        while True:
            chunk = src.read(CHUNK)
            if chunk != have.read(len(chunk) or 1):
                raise AnalysisError(
                    f"Archive member {name[:200]!r} appears again after the end of the tar"
                    " with other content: tar readers disagree on what it holds; not analysed"
                )
            if not chunk:
                return


def _extract_zip(path: Path, dest: Path, budget: _Budget) -> None:
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > budget.max_files:
            budget.entries = len(infos) - 1
            budget.entry()
        for info in infos:
            budget.entry()
            budget.current = info.filename
            name = _clean(info.filename)
            mode = info.external_attr >> 16
            if info.is_dir() or stat.S_ISDIR(mode):
                if name:
                    _target(dest, name).mkdir(mode=0o755, parents=True, exist_ok=True)
            elif stat.S_ISLNK(mode):
                budget.skip(info.filename, "symbolic link, not followed")
            elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):
                budget.skip(info.filename, "device, FIFO or other special file, not created")
            elif info.flag_bits & 0x1:
                budget.skip(info.filename, "encrypted member, not readable")
            elif name:
                budget.data(info.file_size)
                with zf.open(info) as src:
                    _write(dest, name, src, info.file_size, budget)
