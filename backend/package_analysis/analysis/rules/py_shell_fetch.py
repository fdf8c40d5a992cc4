"""PY-DOWNLOAD-EXEC, shell form: a process started at load time whose command (constant-folded:
joined, formatted, reversed, decoded) fetches something and runs it (`curl … | sh`,
`wget … && chmod +x … && ./…`, a PowerShell download cradle)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..facts import pyapi
from ..facts.python import strings
from .py_download_exec import DOWNLOAD_EXEC

if TYPE_CHECKING:
    from ..pypass import PyCheck

RULES = ()  # reports PY-DOWNLOAD-EXEC (declared in py_download_exec)

FETCH_AND_RUN = re.compile(
    r"\b(curl|wget|fetch)\b[^\n|;&]{0,300}(\|\s*(sudo\s+)?(ba|z|da)?sh\b|\|\s*python[23]?\b|"
    r"&&\s*(sudo\s+)?(sh|bash|chmod\s+\+x|\./|python[23]?\s)|;\s*(sh|bash|chmod\s+\+x|\./))"
    r"|(Invoke-WebRequest|iwr|DownloadFile|DownloadString|Start-BitsTransfer|certutil[^\n]{0,40}-urlcache)"
    r"[^\n]{0,300}(Start-Process|\bIEX\b|Invoke-Expression|&\s*\$|\bstart\b)",
    re.I,
)


def check_python(c: PyCheck) -> None:
    f = c.facts
    for call in f.calls:
        node = call.node
        if not pyapi.is_process(f.qualname(node.func)):
            continue
        if not (f.loadtime_all or c.loadtime(node)):
            continue
        texts = [s for a in [*node.args, *(k.value for k in node.keywords)] for s in strings(f, a)]
        command = " ".join(t for t in texts if isinstance(t, str))
        m = FETCH_AND_RUN.search(command)
        if m:
            c.emit(
                DOWNLOAD_EXEC,
                node,
                f"The command fetches and runs code: {m.group(0)[:160]!r}.",
                load_time_only=True,
            )
