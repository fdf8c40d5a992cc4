"""META-BINARY: the package ships a native executable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Rule

if TYPE_CHECKING:
    from .subjects import BinaryCheck

BINARY = Rule(
    id="META-BINARY",
    title="Ships a native executable",
    category="binary",
    severity="low",
    explanation=(
        "Executables inside a package cannot be reviewed as source. Check that the package is "
        "expected to ship one (launchers, compiled extensions)."
    ),
)
RULES = (BINARY,)


def check_binary(b: BinaryCheck) -> None:
    if not b.native_ext:
        b.emit(BINARY, None, b.name, f"A {b.kind} executable.")
