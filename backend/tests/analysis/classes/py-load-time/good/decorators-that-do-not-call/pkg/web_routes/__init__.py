import atexit, functools, shutil, subprocess, tempfile, threading

_TMP = tempfile.mkdtemp()
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
ROUTES = {}


def route(path):
    def wrap(f):
        ROUTES[path] = f
        return f
    return wrap


@route('/build')
@functools.lru_cache(maxsize=None)
def build():
    return subprocess.run(['make'], check=True)


def start_worker(job):
    t = threading.Thread(target=job, daemon=True)
    t.start()
    return t
