import atexit
import shutil
import tempfile
import threading

_TMP = tempfile.mkdtemp()
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
NAMES = list(map(str.strip, [' a ', 'b ']))


def _warm():
    return sorted(NAMES)


threading.Thread(target=_warm, daemon=True).start()
threading.Timer(1, lambda: print('ready')).start()

import contextlib
import os
import sched
import time
import weakref

weakref.finalize(_warm, shutil.rmtree, _TMP, ignore_errors=True)
_stack = contextlib.ExitStack()
_stack.callback(os.remove, os.path.join(_TMP, 'lock'))
_later = sched.scheduler(time.monotonic, time.sleep)
_later.enter(0, 1, print, ('ready',))
DOUBLED = (lambda n: n * 2)(21)
