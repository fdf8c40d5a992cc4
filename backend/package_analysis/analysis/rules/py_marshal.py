"""PY-MARSHAL-CODE: loads compiled bytecode or a pickle from data shipped in the code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.values import DECODED, LITERAL
from .base import Rule

if TYPE_CHECKING:
    from ..pypass import PayloadCheck, PyCheck

MARSHAL = Rule(
    id="PY-MARSHAL-CODE",
    title="Loads compiled bytecode (marshal.loads / types.CodeType) or a shipped pickle",
    category="obfuscation",
    severity="high",
    explanation=(
        "Bytecode shipped as data is executed without source to review. Legitimate libraries "
        "do not unmarshal code objects or unpickle blobs written into their source."
    ),
)
RULES = (MARSHAL,)
_PICKLE = {"pickle.loads", "dill.loads", "cloudpickle.loads"}


def check_python(c: PyCheck) -> None:
    f = c.facts
    for call in f.calls:
        node = call.node
        q = f.qualname(node.func)
        if q not in pyapi.BYTECODE:
            continue
        values = [f.value(a) for a in node.args]
        # shipped: bytes or text written in the code, or decoded from it (a code object's
        # numeric fields being literals says nothing)
        shipped = any(
            DECODED in v.origins
            or (LITERAL in v.origins and isinstance(v.data, str | bytes | bytearray))
            for v in values
        )
        if q in _PICKLE:
            # test suites pickle round-trips of literals; a shipped module does not
            if shipped and c.ctx.reach not in {"test", "docs"}:
                c.emit(
                    MARSHAL,
                    node,
                    f"Calls {q} on data written in the code.",
                    chain=values[0] if values else None,
                )
        elif f.loadtime(node) or shipped:
            c.emit(MARSHAL, node, f"Calls {q}.")


def check_payload(p: PayloadCheck) -> None:
    if p.marshal:
        p.parent.emit(
            MARSHAL,
            p.node,
            f"The literal decodes ({p.chain}) to marshalled bytecode.",
            reach=p.parent.ctx.reach,
        )
