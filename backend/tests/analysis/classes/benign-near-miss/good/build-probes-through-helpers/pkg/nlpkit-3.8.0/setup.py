import os
import subprocess
import sys
from subprocess import run

from setuptools import setup

here = os.path.dirname(os.path.abspath(__file__))


def git_version():
    def _minimal_ext_cmd(cmd):
        env = {"LANG": "C", "LC_ALL": "C"}
        return subprocess.check_output(cmd, stderr=subprocess.STDOUT, env=env)

    try:
        return _minimal_ext_cmd(["git", "rev-parse", "--short", "HEAD"]).strip().decode("ascii")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if sys.platform == "darwin":
    openssl_prefix = subprocess.getoutput("brew --prefix openssl")
else:
    openssl_prefix = "/usr"

cmd = [sys.executable, os.path.join(here, "ffi", "build.py")]
run(cmd, check=True)

setup(name="nlpkit", version="3.8.0", packages=["nlpkit"])
