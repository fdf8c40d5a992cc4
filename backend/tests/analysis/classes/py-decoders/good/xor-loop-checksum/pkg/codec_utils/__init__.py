"""A checksum and a light scrambler for settings files: characters are XORed in loops at
import, the result is compared or printed, never run."""

_SEED = "codec-utils"
_CHECK = 0
for _c in _SEED:
    _CHECK ^= ord(_c)

_LABEL = ""
for _i, _c in enumerate("Qbdbe"):
    _LABEL += chr(ord(_c) ^ 1)


def scramble(text: str, key: str) -> str:
    out = ""
    for i, c in enumerate(text):
        out += chr(ord(c) ^ ord(key[i % len(key)]))
    return out


print(_LABEL, _CHECK)
