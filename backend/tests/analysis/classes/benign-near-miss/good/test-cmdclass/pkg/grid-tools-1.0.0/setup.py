from setuptools import setup
import subprocess, sys
from setuptools import Command


class PyTest(Command):
    user_options = []

    def initialize_options(self):
        pass

    def finalize_options(self):
        pass

    def run(self):
        raise SystemExit(subprocess.call([sys.executable, '-m', 'pytest']))


setup(name='grid-tools', packages=['grid_tools'], cmdclass={'test': PyTest, 'lint': PyTest})
