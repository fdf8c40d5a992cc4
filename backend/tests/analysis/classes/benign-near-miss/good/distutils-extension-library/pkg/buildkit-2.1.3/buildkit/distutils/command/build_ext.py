"""A build_ext that knows Fortran and Cygwin."""

import os
import subprocess
import sys

from setuptools.command.build_ext import build_ext as old_build_ext


class build_ext(old_build_ext):
    description = "build C/C++/Fortran extensions (compile/link to build directory)"

    def _libdir(self, path):
        if sys.platform == "cygwin":
            path = subprocess.check_output(["cygpath", "-w", path]).decode().strip()
        return os.path.normpath(path)

    def run(self):
        self.library_dirs = [self._libdir(d) for d in self.library_dirs or []]
        super().run()
