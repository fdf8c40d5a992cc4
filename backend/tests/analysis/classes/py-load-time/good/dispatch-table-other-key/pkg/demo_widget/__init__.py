import functools
import subprocess


def _build():
    subprocess.run(["make", "all"], check=True)


def _version():
    return "1.0.0"


COMMANDS = {"build": _build, "version": _version}
VERSION = COMMANDS["version"]()
label = functools.partial(str.format, "{} v{}")("demo-widget", VERSION)


def main(argv):
    return COMMANDS[argv[0]]()
