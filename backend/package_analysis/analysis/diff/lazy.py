"""Which lines of a file run only when a function is called (not at import), read without
running anything."""

from __future__ import annotations

import re

_BLOCK_END = re.compile(r":\s*(#.*)?$")


def _python_lazy(data: bytes) -> set[int]:
    """Lines inside function bodies, from indentation in one pass (no parse: it is fast,
    and a file that does not parse still has lines that run on import). A line that cannot
    be placed counts as running on import."""
    lazy: set[int] = set()
    stack: list[tuple[int, bool]] = []  # (indent of the block header, inside a function)
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        body = line.lstrip()
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        inside = bool(stack) and stack[-1][1]
        if inside:
            lazy.add(n)
        if _BLOCK_END.search(body):
            starts_def = body.startswith(("def ", "async def "))
            stack.append((indent, inside or starts_def))
    return lazy


_JS_FUNCTIONS = {
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
}


def _javascript_lazy(data: bytes) -> set[int]:
    try:
        import tree_sitter
        import tree_sitter_javascript

        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_javascript.language()))
        root = parser.parse(data).root_node
    except Exception:  # a parser failure only means every line counts as load-time
        return set()
    lazy: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in _JS_FUNCTIONS:
            body = node.child_by_field_name("body")
            if body is not None and body.end_point[0] - body.start_point[0] >= 2:
                # rows strictly inside the braces: the first and last share code with the outside
                lazy.update(range(body.start_point[0] + 2, body.end_point[0] + 1))
        stack.extend(node.children)
    return lazy
