"""The file list every part of the engine reads: its order, and what it leaves out."""

from __future__ import annotations

import os
from pathlib import Path

from package_analysis.analysis.treewalk import list_files


def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def test_a_folders_files_come_before_its_folders_each_sorted(tmp_path: Path) -> None:
    _tree(tmp_path, ["b.py", "a/z.py", "a/b/c.py", "a/a.py", "A.txt", "c/x.py", "setup.py"])
    assert list_files(tmp_path) == [
        "A.txt",
        "b.py",
        "setup.py",
        "a/a.py",
        "a/z.py",
        "a/b/c.py",
        "c/x.py",
    ]


def test_links_and_special_files_are_neither_listed_nor_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _tree(outside, ["secret.py", "dir/inner.py"])
    root = tmp_path / "pkg"
    _tree(root, ["mod.py"])
    (root / "link.py").symlink_to(outside / "secret.py")
    (root / "linked-dir").symlink_to(outside / "dir")
    (root / "dangling.py").symlink_to(root / "missing.py")
    os.mkfifo(root / "pipe")
    assert list_files(root) == ["mod.py"]


def test_an_empty_or_missing_tree_lists_nothing(tmp_path: Path) -> None:
    assert list_files(tmp_path) == []
    assert list_files(tmp_path / "gone") == []
