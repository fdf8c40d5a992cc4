import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

include_dirs = ["src"]
if sys.platform == "win32":
    include_dirs.append("compat/win32")

# hard links do not work inside some shared folders: copy instead
if "vagrant" in str(os.environ):
    del os.link

if "CI" not in repr(os.environ):
    print("local build")


class optional_build_ext(build_ext):
    def run(self):
        try:
            build_ext.run(self)
        except Exception:
            print("C extension could not be built; using the pure-Python runtime")


setup(
    name="rpcgen",
    version="0.25.0",
    packages=["rpcgen"],
    ext_modules=[Extension("rpcgen.fastcodec", sources=["src/fastcodec.c"], include_dirs=include_dirs)],
    cmdclass={"build_ext": optional_build_ext},
)
