from pathlib import Path

from setuptools import setup

repo_root = Path(__file__).resolve().parent


def execfile(path, globs, locs=None):
    locs = locs or globs
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), globs, locs)


execfile(Path(repo_root, "shellkit", "core", "release.py"), globals())
setup(name="shellkit", version=version, packages=["shellkit", "shellkit.core"])
