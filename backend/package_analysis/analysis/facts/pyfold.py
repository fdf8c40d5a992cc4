"""Folding of calls and attributes for `pyresolve.Resolver.value`: string methods, `join`,
`chr`/`bytes` lists, `format`, the modelled decoders (decoded statically, never run), XOR
with a constant key, and the sources whose data carries an origin (network, environment,
secret files, host identity)."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

from . import decode, pyapi, pytransform
from .values import (
    BUNDLED,
    BYTECODE,
    DECODED,
    DECRYPTED,
    ENVIRONMENT,
    FETCHED,
    IDENTITY,
    LITERAL,
    SECRET_FILE,
    UNKNOWN,
    Step,
    Value,
    merge,
)

if TYPE_CHECKING:
    from .pyresolve import Resolver

# CI and registry secrets a library never sends anywhere (API clients send their own keys)
_SECRET_ENV = re.compile(
    r"^(GITHUB_TOKEN|GH_TOKEN|NPM_TOKEN|NODE_AUTH_TOKEN|PYPI_TOKEN|TWINE_PASSWORD|CI_JOB_TOKEN"
    r"|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AZURE_CLIENT_SECRET|GOOGLE_APPLICATION_CREDENTIALS"
    r"|ACTIONS_RUNTIME_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN)$"
)
_STR_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "title", "casefold"}
_PACKAGE_DATA = {
    "pkgutil.get_data", "importlib.resources.read_binary", "importlib.resources.read_text",
    "importlib.resources.files", "importlib_resources.files", "pkg_resources.resource_string",
    "pkg_resources.resource_stream", "pkg_resources.resource_filename",
}  # fmt: skip
_READS = {"read", "read_text", "read_bytes", "readlines", "readline", "get_data", "getvalue"}
_FETCH_READS = {
    "read", "text", "content", "json", "readlines", "iter_content", "data", "body", "stdout",
}  # fmt: skip
# a process whose output is a download: `check_output(["curl", "-s", url])`
_FETCH_COMMAND = re.compile(r"(?:^|[\s/\\;|&(])(?:curl|wget)(?:\.exe)?\s[^|;&]*?://", re.I)


def call(r: Resolver, node: ast.Call, depth: int) -> Value:
    q = r.qualname(node.func, depth + 1)
    args = [r.value(a, depth + 1) for a in node.args]
    kwargs = {k.arg: r.value(k.value, depth + 1) for k in node.keywords if k.arg}
    last = q.rsplit(".", 1)[-1] if q else ""
    line = node.lineno
    if q in {"chr", "str", "bytes", "bytearray", "list", "tuple", "reversed", "map", "ord", "int"}:
        return _builtin(q, node, args, depth, r)
    if q in {"str.maketrans", "bytes.maketrans"}:
        return pytransform.maketrans(args)
    if last in pyapi.DECODERS and args:
        return _decoded(args[0], pyapi.DECODERS[last], r, line)
    if q in pyapi.DECOMPRESSORS and args:
        return _decoded(args[0], pyapi.DECOMPRESSORS[q], r, line)
    if q in {"codecs.decode", "codecs.encode"} and len(args) >= 2:
        name = decode.codec(args[1].text() or "")
        # encoding to hex or base64 hides nothing; rot13 is its own inverse
        if name and (q == "codecs.decode" or name == "rot13"):
            return _decoded(args[0], name, r, line)
        return merge(args[:1])
    # a code object rebuilt from another one's own bytes (`CodeType(c.co_argcount, …,
    # c.co_code, …)`: traceback rewriting, renaming) hides nothing; bytes from data do
    rebuilt = any(isinstance(a, ast.Attribute) and a.attr == "co_code" for a in node.args)
    if (q in pyapi.BYTECODE and not rebuilt) or (
        last in {"loads"} and q.startswith(("marshal", "pickle"))
    ):
        if not any(a.known or a.tainted() for a in args):  # code the program was handed
            return merge(args)
        return merge(args).then(None, BYTECODE, Step("transform", line, r.line_text(line)))
    if pyapi.is_fetcher(q):
        return merge(args).then(None, FETCHED, Step("source", line, r.line_text(line)))
    if q in pyapi.ENV:
        return source_value(r, node, q)
    if q in _PACKAGE_DATA:
        return Value(None, frozenset({BUNDLED}), (Step("source", line, r.line_text(line)),))
    if q in pyapi.RECON:
        return Value(None, frozenset({IDENTITY}), (Step("source", line, r.line_text(line)),))
    if q in {"open", "io.open", "pathlib.Path", "codecs.open"} and args:
        if secret_path(r, node.args[0], args[0]):
            return Value(None, frozenset({SECRET_FILE}), (Step("source", line, r.line_text(line)),))
        # a file's content comes from the file: the package's own (a path from __file__)
        # or whatever the program is pointed at; the path and mode literals are not content
        return Value(None, args[0].origins - {LITERAL}, args[0].steps)
    if pyapi.is_process(q) and (_recon_command(args) or _fetch_command(args)):
        origin = IDENTITY if _recon_command(args) else FETCHED  # whoami's output; curl's
        return Value(None, frozenset({origin}), (Step("source", line, r.line_text(line)),))
    if isinstance(node.func, ast.Attribute):
        return _method(r, node, node.func, args, kwargs, depth)
    inlined = _inline(r, node, args, depth)
    if inlined is not None:
        return inlined
    if q in r.returns:  # a local function: what it returns
        return merge([r.value(e, depth + 1) for e in r.returns[q][:4]])
    # what an unknown call returns: its arguments' origins, but a number (a size, a count,
    # a flag) is no content: `os.urandom(32)` carries no literal
    return merge([a for a in [*args, *kwargs.values()] if not isinstance(a.data, int)])


def _inline(r: Resolver, node: ast.Call, args: list[Value], depth: int) -> Value | None:
    """A call of a local lambda or one-return function, evaluated on the folded arguments
    (`_ = lambda s: decode(s[::-1]); exec(_(blob))`)."""
    func = node.func
    if not isinstance(func, ast.Name) or depth > 6:
        return None
    bound = r.bindings.get(func.id)
    target: Any = bound[-1] if bound else None
    if isinstance(target, ast.Lambda):
        params, body = [a.arg for a in target.args.args], target.body
    elif func.id in r.functions and len(r.returns.get(func.id, [])) == 1:
        target = r.functions[func.id]
        params, body = [a.arg for a in target.args.args], r.returns[func.id][0]
    else:
        return None
    saved = {}
    for name, value in zip(params, args, strict=False):
        key = (id(target), name)
        saved[key] = r.params.get(key)
        r.params[key] = value
    for n in ast.walk(body):
        r.forget(n)
    try:
        return r.value(body, depth + 1)
    finally:
        for key, old in saved.items():
            if old is None:
                r.params.pop(key, None)
            else:
                r.params[key] = old
        for n in ast.walk(body):
            r.forget(n)


_CREDENTIAL_GETTERS = {"get_credentials", "get_frozen_credentials"}


_PATH_READS = {"read_text", "read_bytes", "open"}


def secret_path(r: Resolver, node: ast.AST, value: Value) -> bool:
    """A path to a credential store: folded, or from the literal pieces it is built of
    (`os.path.join(os.path.expanduser("~"), ".aws/credentials")`)."""
    text = value.text()
    if text is None:
        words = []
        for n in _walk_bound(r, node):
            if isinstance(n, ast.Constant) and isinstance(n.value, str):
                words.append(n.value)
        # pieces of one name (`"." + "aws"`) or of a path (`home, ".aws", "credentials"`)
        text = "/".join(words) + "\n" + "".join(words)
    return any(s in text for s in pyapi.SECRET_PATHS)


def _walk_bound(r: Resolver, node: ast.AST) -> list[ast.AST]:
    """The nodes of an expression, and of what the names in it are bound to (two levels)."""
    out: list[ast.AST] = []
    todo = [(node, 0)]
    while todo and len(out) < 200:
        n, level = todo.pop()
        for sub in ast.walk(n):
            out.append(sub)
            if isinstance(sub, ast.Name) and level < 2:
                bound = [b for b in r.bindings.get(sub.id, []) if isinstance(b, ast.expr)]
                todo += [(b, level + 1) for b in bound[-2:]]
    return out


def attribute(r: Resolver, node: ast.Attribute, depth: int) -> Value:
    q = r.qualname(node, depth + 1)
    if q == "os.environ":
        return source_value(r, node, q)
    if node.attr == "__doc__" and isinstance(node.value, ast.Name) and node.value.id in r.docs:
        return r.value(r.docs[node.value.id], depth + 1)  # a def's docstring read as data
    base = r.value(node.value, depth + 1)
    if node.attr in _FETCH_READS and base.origins & {FETCHED}:
        return merge([base])
    return merge([base]) if base.tainted() else UNKNOWN


def source_value(r: Resolver, node: ast.AST, q: str) -> Value:
    """The environment: whole (a dump), or one variable whose name says it is a secret."""
    line = getattr(node, "lineno", 0)
    key = ""
    if isinstance(node, ast.Subscript):
        key = r.value(node.slice).text() or ""
    elif isinstance(node, ast.Call) and node.args:
        key = r.value(node.args[0]).text() or ""
    if (key or q in {"os.getenv", "os.environ.get"}) and not _SECRET_ENV.match(key):
        return UNKNOWN
    return Value(None, frozenset({ENVIRONMENT}), (Step("source", line, r.line_text(line)),))


def _builtin(q: str, node: ast.Call, args: list[Value], depth: int, r: Resolver) -> Value:
    if not args:
        return UNKNOWN
    a = args[0].data
    line = node.lineno
    if q == "chr" and isinstance(a, int) and 0 <= a < 0x110000:
        return merge(args, chr(a))
    if q == "ord" and isinstance(a, str) and len(a) == 1:
        return merge(args, ord(a))
    if q == "str" and len(args) == 1:
        return merge(args, a if isinstance(a, str) else None)
    if q in {"bytes", "bytearray"}:
        if isinstance(a, list) and all(isinstance(x, int) and 0 <= x < 256 for x in a):
            return pytransform.bytes_of_ints(a, args, line, r.line_text(line))
        if isinstance(a, str) and len(args) > 1:
            return merge(args, a.encode("utf-8", "replace"))
        return merge(args, bytes(a) if isinstance(a, bytes) else None)
    if q in {"list", "tuple"}:
        return merge(args, list(a) if isinstance(a, list | str | bytes) else None)
    if q == "reversed":
        data = list(a)[::-1] if isinstance(a, list | str | bytes) else None
        return args[0].then(data, DECODED, Step("transform", line, "reversed"))
    if q == "map" and len(node.args) == 2:
        fn = r.qualname(node.args[0], depth + 1)
        items = args[1].data
        items = list(items) if isinstance(items, str | bytes) else items
        if (
            fn == "chr"
            and isinstance(items, list)
            and all(isinstance(x, int) and 0 <= x < 0x110000 for x in items)
        ):
            return args[1].then(
                [chr(x) for x in items], DECODED, Step("transform", line, "chr list")
            )
        if (
            fn == "ord"
            and isinstance(items, list)
            and all(isinstance(x, str) and len(x) == 1 for x in items)
        ):
            return merge([args[1]], [ord(x) for x in items])
        return merge(args)
    if q == "int" and isinstance(a, str):
        base = args[1].data if len(args) > 1 and isinstance(args[1].data, int) else 10
        return merge(args, int(a, base))
    return merge(args)


def _method(
    r: Resolver,
    node: ast.Call,
    func: ast.Attribute,
    args: list[Value],
    kwargs: dict[str, Value],
    depth: int,
) -> Value:
    obj = r.value(func.value, depth + 1)
    data, name, line = obj.data, func.attr, node.lineno
    transformed = pytransform.method(name, obj, args, line, r.line_text(line))
    if transformed is not None:
        return transformed
    secret = (
        name in _CREDENTIAL_GETTERS
        or (name in {"read", "read_file"} and bool(args) and secret_path(r, node.args[0], args[0]))
        # pathlib: `(Path.home() / ".aws" / "credentials").read_text()`
        or (name in _PATH_READS and secret_path(r, func.value, obj))
    )
    if secret:  # a parser reading ~/.aws/credentials, a cloud SDK handing out its keys
        return Value(None, frozenset({SECRET_FILE}), (Step("source", line, r.line_text(line)),))
    first = args[0].data if args else None
    if name == "join" and isinstance(data, str | bytes) and args:
        items = first
        if isinstance(items, list) and all(isinstance(x, type(data)) for x in items):
            return merge([obj, *args], data.join(items))
        return merge(args)
    if name == "decode":
        codec_name = decode.codec(args[0].text() or "") if args else None
        if codec_name:
            return _decoded(obj, codec_name, r, line)
        if isinstance(data, bytes):
            return obj.then(data.decode("utf-8", "replace"), "", None)
        return merge([obj])
    if name == "encode":  # (the codec's name is not content)
        codec_name = decode.codec(args[0].text() or "") if args else None
        if codec_name == "rot13":
            return _decoded(obj, "rot13", r, line)
        if isinstance(data, str):
            return obj.then(data.encode("utf-8", "replace"), "", None)
        return merge([obj])
    if name in _STR_METHODS and isinstance(data, str | bytes):
        return obj.then(getattr(data, name)(), "", None)
    replace = name == "replace" and isinstance(data, str | bytes) and len(args) == 2
    if replace and isinstance(first, type(data)) and isinstance(args[1].data, type(data)):
        return obj.then(data.replace(first, args[1].data), "", None)
    if name == "split" and isinstance(data, str | bytes):
        sep = first if isinstance(first, type(data)) else None
        return obj.then(data.split(sep), "", None)
    if name == "format" and isinstance(data, str):
        texts = [a.text() if isinstance(a.data, str | bytes) else a.data for a in args]
        if all(t is not None for t in texts):
            return merge([obj, *args, *kwargs.values()], data.format(*texts))
        return merge([obj, *args, *kwargs.values()])
    if name in pyapi.DECRYPT:
        return merge([obj, *args]).then(None, DECRYPTED, Step("transform", line, r.line_text(line)))
    if name in _READS:  # a file's content, not the literals its path was built from
        return merge([obj]) if obj.known else Value(None, obj.origins - {LITERAL}, obj.steps)
    if name in {"hex", "tobytes"} or name.startswith("to_"):
        return merge([obj])
    if name in {"get", "pop", "setdefault"}:  # a lookup: the key is no content, a default is
        return merge([obj, *args[1:], *kwargs.values()])
    return merge([obj, *args, *kwargs.values()])


def _decoded(src: Value, how: str, r: Resolver, line: int) -> Value:
    """Decoding is hiding when what is decoded came with the code (a literal, something
    already decoded, fetched or read from a secret, a file the package ships): a parameter,
    a file the program is pointed at, random bytes, carry no payload of the package's own."""
    data = src.data
    out = decode.apply(how, data) if isinstance(data, str | bytes) else None
    if not src.known and not src.origins:
        return merge([src], out)
    return src.then(out, DECODED, Step("transform", line, f"{how}: {r.line_text(line)}"))


def _recon_command(args: list[Value]) -> bool:
    first = args[0].data if args else None
    word = first[0] if isinstance(first, list) and first else first
    if isinstance(word, str):
        return word.split(" ")[0].strip() in pyapi.RECON_COMMANDS
    return False


def _fetch_command(args: list[Value]) -> bool:
    first = args[0].data if args else None
    words = first if isinstance(first, list) else [first]
    text = " ".join(w for w in words if isinstance(w, str))
    return bool(_FETCH_COMMAND.search(text))
