"""META-DISGUISED-BLOB: a file named like bytecode, media, an archive or a library whose bytes
are none of these and look random: an encrypted payload in costume."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .. import layout as lay
from ..magic import entropy, known_format
from .base import Rule

if TYPE_CHECKING:
    from .subjects import TreeCheck

DISGUISED = Rule(
    id="META-DISGUISED-BLOB",
    title="A file named like bytecode, media or an archive holds random-looking bytes",
    category="evasion",
    severity="high",
    explanation=(
        "The file's name promises a format (compiled bytecode, an image, a sound, a font, an "
        "archive, a native library), but its bytes start like no known format and are as "
        "dense as ciphertext. Droppers ship their encrypted stage this way, often in "
        "`__pycache__` or an assets folder, and decrypt it later with a key kept elsewhere; "
        "a real image or archive always carries its format's header. Find what opens the "
        "file, and where its key comes from."
    ),
)
RULES = (DISGUISED,)
CLAIMED = {
    ".pyc", ".pyo", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tif",
    ".tiff", ".mp3", ".wav", ".ogg", ".flac", ".mp4", ".mov", ".ttf", ".otf", ".woff",
    ".woff2", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".whl", ".jar", ".pdf", ".so",
    ".pyd", ".dll", ".exe", ".dylib",
}  # fmt: skip
# test data, documentation and repository tooling: a deliberately broken or random file there
# exercises a parser, nothing installs it
_NOT_SHIPPED = lay.TEST_DIRS | lay.DOC_DIRS | lay.GALLERY_DIRS | lay.DEV_DIRS | {"features"}
MIN_BYTES = 1024
DENSE = 7.5  # bits per byte: compressed or encrypted
_SAMPLE = 1 << 16
_MAX_FILES = 200  # candidates read per artifact


def check_tree(t: TreeCheck) -> None:
    read = 0
    for rel in t.files:
        path = PurePosixPath(rel)
        if path.suffix.lower() not in CLAIMED:
            continue
        folders = {part.lower() for part in path.parts[:-1]}
        if folders & _NOT_SHIPPED or any(p.startswith("test") for p in folders):
            continue
        if read >= _MAX_FILES:
            return
        read += 1
        try:
            with (t.root / rel).open("rb") as fh:
                sample = fh.read(_SAMPLE)
        except OSError:
            continue
        if len(sample) < MIN_BYTES or known_format(sample[:512]):
            continue
        dense = entropy(sample)
        if dense < DENSE:
            continue
        t.emit_at(
            DISGUISED,
            rel,
            None,
            path.name,
            f"{path.name} is named as {path.suffix.lower()} but starts with no known header, "
            f"and its bytes carry {dense:.2f} bits of entropy per byte (8 is random).",
        )
