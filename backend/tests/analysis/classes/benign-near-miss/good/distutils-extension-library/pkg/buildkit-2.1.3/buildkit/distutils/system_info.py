"""Where the system's libraries are."""

import os
import subprocess
import sys
import tempfile

default_lib_dirs = ["/usr/local/lib", "/usr/lib"]
APPLE_CLANG = sys.platform == "darwin" and b"Apple" in subprocess.check_output(["clang", "--version"])

if sys.platform != "win32":
    with tempfile.TemporaryFile() as tmp:
        try:
            p = subprocess.Popen(["gcc", "-print-multiarch"], stdout=subprocess.PIPE, stderr=tmp)
        except (OSError, subprocess.CalledProcessError):
            pass
        else:
            triplet = p.communicate()[0].decode().strip()
            if p.returncode == 0:
                default_lib_dirs.append(os.path.join("/usr/lib", triplet))
