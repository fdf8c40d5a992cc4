"""Archives built by the tests, byte by byte: benign packages and hostile ones. Nothing
here is ever run; the tests only hand the files to the unpacker."""

from __future__ import annotations

import gzip
import io
import json
import lzma
import stat
import tarfile
import zipfile
import zlib
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


def tar_xz_declaring_dictionary(path: Path, files: dict[str, bytes], dict_code: int) -> Path:
    """A small .tar.xz whose LZMA2 filter declares a dictionary of `dict_code` (xz's
    encoding: (2 | code & 1) << (code // 2 + 11) bytes; 37 is 1.5 GiB). The decoder
    allocates that much before it reads a byte; the encoder here used 1 MiB."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            tar.addfile(_tarinfo(name, size=len(data), mode=0o644), io.BytesIO(data))
    filters = [{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 20}]
    xz = bytearray(lzma.compress(buf.getvalue(), format=lzma.FORMAT_XZ, filters=filters))
    # The block header after the 12-byte stream header: size, flags, filter 0x21, props size
    # 1, the dictionary byte, padding, then its CRC32.
    header = 12
    size = (xz[header] + 1) * 4
    assert xz[header + 1] == 0 and xz[header + 2 : header + 4] == b"\x21\x01", xz[:24].hex()
    xz[header + 4] = dict_code
    crc = zlib.crc32(bytes(xz[header : header + size - 4]))
    xz[header + size - 4 : header + size] = crc.to_bytes(4, "little")
    path.write_bytes(bytes(xz))
    return path
