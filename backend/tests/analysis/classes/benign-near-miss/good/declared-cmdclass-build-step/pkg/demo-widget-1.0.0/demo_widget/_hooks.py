import pathlib

from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self):
        version = pathlib.Path('VERSION').read_text().strip()
        pathlib.Path('demo_widget/_version.py').write_text(f'__version__ = {version!r}\n')
        super().run()
