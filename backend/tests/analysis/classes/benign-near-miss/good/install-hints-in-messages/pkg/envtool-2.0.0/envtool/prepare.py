import logging
import shutil
import subprocess

log = logging.getLogger(__name__)


def prepare(path):
    if not shutil.which("uv"):
        raise RuntimeError(
            "uv is not installed. Install it with: "
            "curl -LsSf https://tools.example.invalid/uv/install.sh | sh"
        )
    if not shutil.which("rustc"):
        print("rustc missing; run: curl https://rust.example.invalid/init.sh | sh -s -- -y")
        log.warning("no rustc: curl -sSf https://rust.example.invalid/init.sh | bash")
    return subprocess.run(["uv", "sync"], cwd=path, check=True)
