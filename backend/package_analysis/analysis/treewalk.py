"""The files of an unpacked tree, read one way for the engine, the diff and the ecosystem
adapters: every regular file (links not followed) in sorted order, and the folder of the
manifest nearest the top."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath


def list_files(root: Path) -> list[str]:
    """Every regular file under `root` as a POSIX path relative to it, sorted by folder;
    symbolic links are neither followed nor listed."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if not full.is_symlink() and full.is_file():
                out.append(full.relative_to(root).as_posix())
    return out


def manifest_prefix(files: list[str], manifests: Iterable[str]) -> str:
    """The folder ("name-1.0/", or "") of the shallowest file named like a manifest."""
    names = set(manifests)
    candidates = [f for f in files if PurePosixPath(f).name in names]
    if not candidates:
        return ""
    best = min(candidates, key=lambda f: (f.count("/"), f))
    parent = PurePosixPath(best).parent.as_posix()
    return "" if parent == "." else parent + "/"
