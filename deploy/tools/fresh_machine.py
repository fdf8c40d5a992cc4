"""Prove that the project installs every system package its container tests need.

    python deploy/tools/fresh_machine.py      # make test-fresh-machine (part of make test)

A machine used for development keeps what was once installed by hand; a new one has only
what the project installs. So this starts a throwaway privileged container from the
Dockerfile's Debian python base (official, or the stand-in `make image` built), checks that
none of the podman group of scripts/system_deps.py is there, installs it with that same
script, and then does inside what `make image` and `make test-image` do first: build an
image whose step runs on podman's bridge network, and run a container on that network.
The container has its own network namespace, so the firewall rules podman writes inside
never touch this machine's. Without iptables in the list this fails exactly as a fresh
machine did: `netavark: No such file or directory` at the first RUN.

With docker as the engine there is no podman to prove: it says so and passes.
"""

from __future__ import annotations

import subprocess
import sys
import time

import image

INNER = r"""
set -eu
say() { echo "fresh-machine: $*"; }
for program in podman iptables; do
  if command -v "$program" >/dev/null; then say "not fresh: $program is installed"; exit 1; fi
done
say "no podman, no iptables: installing what scripts/system_deps.py lists for podman"
python3 /src/scripts/system_deps.py podman > /tmp/apt.log 2>&1 || { tail -40 /tmp/apt.log; exit 1; }
command -v podman iptables
# A base of two programs and their libraries: the registries cannot be reached from here.
mkdir -p /tmp/base /tmp/build && cd /tmp/base
programs="/bin/sh /bin/cat"
libraries=$(for p in $programs; do ldd "$p"; done | grep -o '/[^ ]*' | sort -u)
for f in $programs $libraries; do mkdir -p ".$(dirname "$f")"; cp -L "$f" ".$f"; done
tar -c . | podman import --quiet - localhost/fresh-base > /dev/null
printf 'FROM localhost/fresh-base\nRUN echo built on the bridge network > /proof\n' \
  > /tmp/build/Containerfile
podman build --quiet --tag localhost/fresh-proof /tmp/build > /dev/null
say "$(podman run --rm --network bridge localhost/fresh-proof cat /proof), ran on it too"
"""


def main() -> int:
    if image.engine() != "podman":
        print("fresh-machine: the engine is docker; podman's packages are not used here")
        return 0
    base = next(ref for ref in image.base_images() if ref.startswith("python:"))
    if not image.image_exists(base):
        image.ensure_bases([base])
    began = time.monotonic()
    done = subprocess.run(
        [
            "podman", "run", "--rm", "--privileged",
            "--volume", f"{image.REPO}:/src:ro",
            "--env", "CONTAINERS_CONF=/src/deploy/image/containers.conf",
            base, "bash", "-c", INNER,
        ],
        env=image.engine_env(),
        check=False,
    )  # fmt: skip
    seconds = time.monotonic() - began
    if done.returncode != 0:
        print(f"fresh-machine: FAILED after {seconds:.0f} s (exit {done.returncode})")
        return 1
    print(f"fresh-machine: the project's package list suffices ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
