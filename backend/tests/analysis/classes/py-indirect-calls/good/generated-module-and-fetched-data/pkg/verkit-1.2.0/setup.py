import importlib
import os
import sys

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = "1.2.0"

with open(os.path.join(HERE, "verkit", "_version.py"), "w") as fh:
    fh.write(f'__version__ = "{VERSION}"\n')
sys.path.insert(0, HERE)
version_module = importlib.import_module("verkit._version")

setup(name="verkit", version=version_module.__version__, packages=["verkit"])
