"""Archives built by the tests, byte by byte: benign packages and hostile ones. Nothing
here is ever run; the tests only hand the files to the unpacker."""

from __future__ import annotations

import gzip
import io
import json
import stat
import tarfile
import zipfile
from pathlib import Path


def _tarinfo(name: str, **attrs: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    for key, value in attrs.items():
        setattr(info, key, value)
    return info


def tar_gz(
    path: Path, files: dict[str, bytes], *, extra: list[tarfile.TarInfo] | None = None
) -> Path:
    """A gzip'd tar of `files`, then the special `extra` members (links, devices...)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            tar.addfile(_tarinfo(name, size=len(data), mode=0o644), io.BytesIO(data))
        for info in extra or []:
            tar.addfile(info)
    return path


def link(name: str, target: str, *, hard: bool = False) -> tarfile.TarInfo:
    return _tarinfo(name, type=tarfile.LNKTYPE if hard else tarfile.SYMTYPE, linkname=target)


def device(name: str, kind: bytes = tarfile.CHRTYPE) -> tarfile.TarInfo:
    return _tarinfo(name, type=kind, devmajor=1, devminor=3)


def zip_file(
    path: Path, files: dict[str, bytes], *, symlinks: dict[str, str] | None = None
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def sdist(path: Path, *, name: str = "demo-pkg", version: str = "1.2.3") -> Path:
    top = f"{name.replace('-', '_')}-{version}"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    return tar_gz(
        path,
        {
            f"{top}/PKG-INFO": metadata.encode(),
            f"{top}/pyproject.toml": b"[project]\nname = 'demo-pkg'\n",
            f"{top}/src/demo_pkg/__init__.py": b"VALUE = 1\n",
        },
    )


def npm_tgz(path: Path, *, name: str = "@demo/left-pad", version: str = "0.0.1") -> Path:
    manifest = json.dumps({"name": name, "version": version, "main": "index.js"}).encode()
    return tar_gz(
        path, {"package/package.json": manifest, "package/index.js": b"module.exports = 1;\n"}
    )


def many_empty_files_tar(path: Path, count: int, *, compress: bool) -> Path:
    """A tar of `count` empty files `pkg/NNNNNNN.txt`: one header template, patched per
    member (building 100,000 members through tarfile takes several seconds)."""
    template = bytearray(tarfile.TarInfo("pkg/0000000.txt").tobuf(format=tarfile.USTAR_FORMAT))
    template[148:156] = b"        "  # the checksum is computed with its own field as spaces
    base_sum = sum(template) - sum(template[0:15])
    blocks = bytearray()
    for i in range(count):
        name = b"pkg/%07d.txt" % i
        header = bytearray(template)
        header[0:15] = name
        header[148:156] = b"%06o\x00 " % (base_sum + sum(name))
        blocks += header
    blocks += bytes(1024)  # two zero blocks end the archive
    path.write_bytes(gzip.compress(blocks, compresslevel=1) if compress else blocks)
    return path
