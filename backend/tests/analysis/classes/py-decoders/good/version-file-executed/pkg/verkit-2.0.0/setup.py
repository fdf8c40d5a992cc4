import os

from setuptools import setup

here = os.path.abspath(os.path.dirname(__file__))
about = {}
exec(open(os.path.join(here, "verkit", "VERSION.txt")).read(), about)

setup(name="verkit", version=about["__version__"], packages=["verkit"])
