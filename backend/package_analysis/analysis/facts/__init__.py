"""Facts about one file, computed by one parse and one traversal, that the rules read:
resolved calls, constant-folded values with their origin, load-time reach, decoded payloads.
`python` and `javascript` build them; `decode` is the static decoder set (never runs code)."""
