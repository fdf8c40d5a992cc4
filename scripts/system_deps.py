"""The Debian packages the checks need, in one list, and the one place that installs them.

    python3 scripts/system_deps.py [GROUP...]          install what is missing (default: what
                                                       make test needs, every group but bench)
    python3 scripts/system_deps.py --list [GROUP...]   print the packages, one a line

Standard library only: it runs before the virtualenv exists, and on a bare Debian
(`.ci/fresh-machine` runs it in a throwaway container to prove the list is complete).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

# group → packages. Each group names what needs it; `make system-deps` installs DEFAULT.
GROUPS: dict[str, tuple[str, ...]] = {
    # The web role (the backend's web tests, the role smoke test, e2e, make dev).
    "web": ("nginx",),
    # Playwright's browser for the e2e tests.
    "browser": ("chromium",),
    # The container engine when no docker daemon answers. podman's bridge network (every
    # image build step, compose) is netavark, which programs the firewall with iptables;
    # Debian's podman only suggests it, so a fresh machine lacks it.
    "podman": ("podman", "runc", "netavark", "aardvark-dns", "iptables"),
    # Building the stand-in base images when no container registry answers.
    # The benchmarks (make bench): wrk drives dispatch.
    "bench": ("wrk",),
    "standin": ("mmdebstrap", "npm", "python3-pip", "ca-certificates"),
}


DEFAULT = ("web", "browser", "podman", "standin")

# A package also counts as present when its program is on PATH from elsewhere (a Node.js
# release's npm, a hand-built nginx): installing Debian's over it would break it.
PROGRAMS = {
    "nginx": "nginx",
    "chromium": "chromium",
    "npm": "npm",
    "podman": "podman",
    "python3-pip": "pip3",
}


def installed(package: str) -> bool:
    if package in PROGRAMS and shutil.which(PROGRAMS[package]):
        return True
    answer = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Status}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return answer.returncode == 0 and answer.stdout.strip() == "installed"


def missing(groups: list[str]) -> list[str]:
    wanted = dict.fromkeys(p for g in groups for p in GROUPS[g])
    return [p for p in wanted if not installed(p)]


def install(packages: list[str]) -> None:
    if not packages:
        return
    if not shutil.which("apt-get"):
        sys.exit(f"system-deps: install these packages: {' '.join(packages)}")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"system-deps: installing {' '.join(packages)}", flush=True)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *packages], check=True, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=", ".join(GROUPS))
    parser.add_argument("--list", action="store_true", help="print the packages and exit")
    args = parser.parse_args(argv)
    groups = args.groups or list(DEFAULT)
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group {unknown[0]!r}; groups: {', '.join(GROUPS)}")
    if args.list:
        print("\n".join(dict.fromkeys(p for g in groups for p in GROUPS[g])))
        return 0
    if not shutil.which("dpkg-query"):
        print("system-deps: not a Debian machine; install the equivalents of:", file=sys.stderr)
        print("  " + " ".join(p for g in groups for p in GROUPS[g]), file=sys.stderr)
        return 0
    install(missing(groups))
    return 0


if __name__ == "__main__":
    sys.exit(main())
