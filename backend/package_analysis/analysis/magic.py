"""What a file is by its first bytes: a native executable (PE, ELF, Mach-O) or not."""

from __future__ import annotations


def executable_kind(head: bytes) -> str:
    """'PE', 'ELF', 'Mach-O' when `head` starts like a native executable, else ''."""
    if head[:2] == b"MZ":
        return "PE"
    if head[:4] == b"\x7fELF":
        return "ELF"
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "Mach-O"
    return ""
