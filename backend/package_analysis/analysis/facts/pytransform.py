"""Text transforms the folder decodes beside the codecs: a substitution table
(`str.maketrans` + `translate`, rot13 written by hand) and a payload kept as one big integer
(`n.to_bytes(…)`). Statically, on constants; nothing runs."""

from __future__ import annotations

from typing import Any

from .values import DECODED, Step, Value, merge

MAX_INT_BYTES = 1 << 20


def maketrans(args: list[Value]) -> Value:
    """`str.maketrans(a, b)` of two constant strings of one length: the table, as a dict."""
    if len(args) >= 2:
        a, b = args[0].data, args[1].data
        if isinstance(a, str) and isinstance(b, str) and len(a) == len(b):
            return merge(args, {ord(x): ord(y) for x, y in zip(a, b, strict=True)})
    return merge(args)


def method(name: str, obj: Value, args: list[Value], line: int, text: str) -> Value | None:
    """`s.translate(table)` and `n.to_bytes(size, order)` on constants, else None."""
    data: Any = obj.data
    if name == "translate" and isinstance(data, str) and args and isinstance(args[0].data, dict):
        table = args[0].data
        if all(isinstance(k, int) and isinstance(v, int | str | None) for k, v in table.items()):
            return merge([obj, args[0]]).then(
                data.translate(table), DECODED, Step("transform", line, text)
            )
    if name == "bit_length" and isinstance(data, int) and not isinstance(data, bool):
        return merge([obj], data.bit_length())  # sizes the `to_bytes` below
    if name == "to_bytes" and isinstance(data, int) and data > 0 and args:
        size = args[0].data
        order = args[1].data if len(args) > 1 else "big"
        if isinstance(size, int) and 0 < size <= MAX_INT_BYTES and order in {"big", "little"}:
            try:
                raw = data.to_bytes(size, "big" if order == "big" else "little")
            except OverflowError:
                return None
            return obj.then(raw, DECODED, Step("transform", line, text))
    return None


def bytes_of_ints(items: list[int], values: list[Value], line: int, text: str) -> Value:
    """`bytes([105, 109, …])`: readable text spelled as numbers is an encoding, like a `chr`
    list; other byte constants (magic numbers, masks) are plain data."""
    raw = bytes(items)
    readable = len(raw) >= 8 and all(32 <= b < 127 or b in (9, 10, 13) for b in raw)
    if readable:
        return merge(values).then(raw, DECODED, Step("transform", line, text))
    return merge(values, raw)
