import subprocess
import sys

with subprocess.Popen([sys.executable, "-c", "import fastjson_speedups"], stderr=subprocess.DEVNULL) as probe:
    probe.wait(timeout=10)
HAVE_SPEEDUPS = probe.returncode == 0

checker = subprocess.Popen([sys.executable, "-c", "import ssl; print(ssl.OPENSSL_VERSION)"], stdout=subprocess.PIPE, text=True)
OPENSSL, _ = checker.communicate(timeout=10)
