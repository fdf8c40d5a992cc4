import os
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

LIBUV_DIR = os.path.join(os.path.dirname(__file__), "vendor", "libuv")


class fastloop_build_ext(build_ext):
    def build_libuv(self):
        env = os.environ.copy()
        env.setdefault("CFLAGS", "-O2")
        subprocess.run(["touch", "configure.ac", "aclocal.m4", "configure"], cwd=LIBUV_DIR, env=env, check=True)
        if "LIBUV_CONFIGURE_HOST" in env:
            cmd = ["./configure", "--host=" + env["LIBUV_CONFIGURE_HOST"]]
        else:
            cmd = ["./configure"]
        subprocess.run(cmd, cwd=LIBUV_DIR, env=env, check=True)
        c_flag = "CFLAGS={}".format(env["CFLAGS"])
        subprocess.run(["make", "-j2", c_flag], cwd=LIBUV_DIR, env=env, check=True)

    def build_extensions(self):
        self.build_libuv()
        super().build_extensions()


setup(
    name="fastloop",
    version="0.23.0",
    ext_modules=[Extension("fastloop.loop", ["fastloop/loop.c"])],
    cmdclass={"build_ext": fastloop_build_ext},
)
