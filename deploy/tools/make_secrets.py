"""Create a git-ignored secrets file from its committed example, with generated values.

Every `KEY=change-me` line of the example gets a fresh random value; other lines are
copied as they are. An existing destination is never touched, so re-running is safe.

    python deploy/tools/make_secrets.py .env.example .env
    python deploy/tools/make_secrets.py deploy/k8s/overlays/minikube/secrets.env.example \
        deploy/k8s/overlays/minikube/secrets.env
"""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

PLACEHOLDER = "change-me"


def fill(example_text: str) -> str:
    """The example's text with every placeholder value replaced by a random token."""
    lines = []
    for line in example_text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#") and value.strip() == PLACEHOLDER:
            # URL-safe and long: usable as a Postgres password and as Django's key.
            line = f"{key}={secrets.token_urlsafe(48 if 'SECRET' in key else 24)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("example", type=Path)
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    if args.dest.exists():
        print(f"secrets: {args.dest} exists, left as it is")
        return 0
    text = fill(args.example.read_text())
    # Owner-only from the first byte: the file holds credentials.
    fd = os.open(args.dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    print(f"secrets: wrote {args.dest} from {args.example} with generated values")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
