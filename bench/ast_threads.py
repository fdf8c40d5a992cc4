"""Why `make chaos` scenario 5 once failed inside hypothesis, not the API
(`python -m bench.ast_threads 1` vs `... 2`).

CPython 3.11 keeps the AST constructor's recursion counter in per-interpreter state
(CPython gh-106905). When two threads build ASTs at once and one yields the GIL in the
middle (here a GC callback; in schemathesis' `--workers 2`, hypothesis describing lambdas
with ast.parse in both threads), the counter is corrupted and ast.parse raises
`SystemError: AST constructor recursion depth mismatch`. One thread never does. The chaos
suite therefore fuzzes with one worker, and tells a fuzzer error from an API failure.
"""

from __future__ import annotations

import ast
import gc
import sys
import threading
import time


def main() -> int:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    gc.callbacks.append(lambda phase, info: time.sleep(0))  # a GC pass yields the GIL
    gc.set_threshold(50, 5, 5)
    src = "\n".join(
        f"def f{i}(a, b=lambda y: [y + k for k in range(3)]): return (a, (b, (a, b)))"
        for i in range(300)
    )
    errors: list[str] = []

    def work() -> None:
        for _ in range(300):
            try:
                ast.parse(src)
            except SystemError as exc:
                errors.append(str(exc))
                return

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    print(f"Python {sys.version.split()[0]}, {threads} thread(s): {len(errors)} SystemError(s)"
          + (f", e.g. {errors[0]}" if errors else ""))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
