import codecs
import os
import subprocess
import sys


def listen(host, port):
    token = codecs.encode(os.urandom(32), "hex").decode("ascii")
    adapter_args = [sys.executable, "-m", "py_debug_adapter.adapter", "--host", host,
                    "--port", str(port), "--server-access-token", token]
    return subprocess.Popen(adapter_args, close_fds=True)
