"""Values with their origin: what a constant-folded expression holds and where it came from.

`data` is the folded constant (str, bytes, int or a list of them) or None when unknown.
`origins` says where the data comes from (a literal, decoded in place, fetched from the
network, the environment, a secret file, the host's identity); `steps` is the chain a
reviewer reads: source → transforms, each with its line and text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LITERAL = "literal"
DECODED = "decoded"
FETCHED = "fetched"
ENVIRONMENT = "environment"
SECRET_FILE = "secret file"  # noqa: S105 - an origin label, not a password
IDENTITY = "host identity"
BYTECODE = "bytecode"
DECRYPTED = "decrypted"
# read from a file the package ships (a path built from `__file__`, pkgutil.get_data): not
# followed into sinks by itself (setup.py reading its version file is everyday), but what is
# decoded from it is a payload the package carries
BUNDLED = "bundled"
ORIGINS = (
    LITERAL, DECODED, FETCHED, ENVIRONMENT, SECRET_FILE, IDENTITY, BYTECODE, DECRYPTED, BUNDLED
)  # fmt: skip
# the origins that make a value worth following into a sink
TAINT = frozenset({DECODED, FETCHED, ENVIRONMENT, SECRET_FILE, IDENTITY, BYTECODE, DECRYPTED})
MAX_TEXT = 2 * 1024 * 1024
MAX_STEPS = 8


@dataclass(frozen=True)
class Step:
    role: str  # "source" | "transform" | "sink"
    line: int
    text: str

    def as_dict(self, path: str) -> dict[str, Any]:
        return {"role": self.role, "file": path, "line": self.line, "text": self.text[:200]}


@dataclass(frozen=True)
class Value:
    data: Any = None
    origins: frozenset[str] = frozenset()
    steps: tuple[Step, ...] = ()

    @property
    def known(self) -> bool:
        return self.data is not None

    def text(self) -> str | None:
        """The value as text when it is a folded string (bytes decoded leniently)."""
        if isinstance(self.data, str):
            return self.data
        if isinstance(self.data, bytes | bytearray):
            return bytes(self.data).decode("utf-8", "replace")
        return None

    def raw(self) -> bytes | None:
        if isinstance(self.data, bytes | bytearray):
            return bytes(self.data)
        if isinstance(self.data, str):
            return self.data.encode("utf-8", "surrogatepass")
        return None

    def tainted(self) -> frozenset[str]:
        return self.origins & TAINT

    def then(self, data: Any, origin: str, step: Step | None) -> Value:
        """This value transformed into `data` (adding `origin` and a chain step)."""
        steps = self.steps if step is None else (*self.steps, step)[-MAX_STEPS:]
        origins = self.origins | {origin} if origin else self.origins
        return Value(_cap(data), origins, steps)


UNKNOWN = Value()


def merge(values: list[Value], data: Any = None) -> Value:
    """The union of several values' origins and chains (the data is given, or unknown)."""
    origins: frozenset[str] = frozenset()
    steps: tuple[Step, ...] = ()
    for v in values:
        if v.origins:  # (most values carry none: nothing to add, nothing tainted)
            origins |= v.origins
            if len(v.steps) > len(steps) and v.tainted():
                steps = v.steps
    if data is None and not origins:  # the commonest answer: the one unknown value
        return UNKNOWN
    return Value(_cap(data), origins, steps)


def _cap(data: Any) -> Any:
    if isinstance(data, str | bytes | bytearray) and len(data) > MAX_TEXT:
        return None
    if isinstance(data, list) and len(data) > 1_000_000:
        return None
    return data
