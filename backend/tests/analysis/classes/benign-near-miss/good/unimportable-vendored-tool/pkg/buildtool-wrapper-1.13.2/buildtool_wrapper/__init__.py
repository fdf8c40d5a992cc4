import os
import subprocess
import sys

BIN_DIR = os.path.join(os.path.dirname(__file__), "data", "bin")


def _program(name, args):
    return subprocess.call([os.path.join(BIN_DIR, name), *args], close_fds=False)


def main():
    raise SystemExit(_program("buildtool", sys.argv[1:]))
