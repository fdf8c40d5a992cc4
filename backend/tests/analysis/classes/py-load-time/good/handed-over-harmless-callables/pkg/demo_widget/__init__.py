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
