"""The JavaScript pass, on tree-sitter's JavaScript grammar (parsed, never run).

Install-script files are load-time as a whole (`install`); the package's entry point is
load-time at its top level and inside immediately-invoked functions (`import`). Other files
only get the rules about hidden code (eval of decoded data, obfuscation), which fire anywhere.
"""

from __future__ import annotations

import re
import threading

import tree_sitter
import tree_sitter_javascript
import yara_x

from . import content, decode
from .base import FileCtx, Sink, line_of, snippet_at

MAX_JS_SOURCE = 2 * 1024 * 1024
MAX_DECODE_DEPTH = 2

CHILD_PROCESS = {"exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync", "fork"}
NETWORK = {
    "http.request",
    "http.get",
    "https.request",
    "https.get",
    "net.connect",
    "net.createConnection",
    "net.Socket",
    "tls.connect",
    "dns.lookup",
    "dns.resolve",
    "dns.resolve4",
    "dns.resolveTxt",
    "dns.promises.lookup",
    "dgram.createSocket",
    "fetch",
    "node-fetch",
    "axios",
    "axios.get",
    "axios.post",
    "request",
    "request.get",
    "request.post",
    "got",
    "needle",
    "XMLHttpRequest",
}
RECON = {"os.hostname", "os.userInfo", "os.homedir", "os.networkInterfaces", "os.tmpdir"}
EVAL = {
    "eval",
    "Function",
    "vm.runInThisContext",
    "vm.runInNewContext",
    "vm.runInContext",
    "vm.Script",
    "vm.compileFunction",
}
_DECODE = re.compile(
    rb"(atob\(|String\.fromCharCode|fromCharCode\.apply|unescape\(|Buffer\.from\([^)]*['\"](base64|hex)['\"]"
    rb"|\.toString\(['\"](base64|hex)['\"]|decodeURIComponent\(escape|\.split\(['\"]['\"]\)\.reverse\(\))"
)
_PREFILTER_EVAL = re.compile(rb"\b(eval|Function|runInThisContext|runInNewContext)\s*\(")
_OBF = re.compile(rb"\b_0x[0-9a-f]{4,6}\b")
_STRING = re.compile(rb"""(['"])([A-Za-z0-9+/=_\-\\x]{40,})\1""")
_FUNCS = {
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
}

_lock = threading.Lock()
_lang: tuple[tree_sitter.Language, tree_sitter.Query] | None = None


def _language() -> tuple[tree_sitter.Language, tree_sitter.Query]:
    global _lang
    with _lock:
        if _lang is None:
            lang = tree_sitter.Language(tree_sitter_javascript.language())
            query = tree_sitter.Query(
                lang,
                "[(call_expression function: (_) @fn) (new_expression constructor: (_) @fn)] @call",
            )
            _lang = (lang, query)
        return _lang


def analyze(
    data: bytes,
    ctx: FileCtx,
    sink: Sink,
    scanner: yara_x.Scanner,
    *,
    loadtime_all: bool,
    entry: bool,
    depth: int = 0,
) -> None:
    """Run the JavaScript rules over one file's bytes."""
    if len(data) > MAX_JS_SOURCE:
        return
    obf = set(_OBF.findall(data))
    if len(obf) >= 10:
        off = data.find(next(iter(sorted(obf))))
        sink.add("JS-OBFUSCATED", ctx, line_of(data, off), snippet_at(data, off, 8))
    if depth < MAX_DECODE_DEPTH:
        _literals(data, ctx, sink, scanner, depth)
    if not (loadtime_all or entry) and not (_PREFILTER_EVAL.search(data) and _DECODE.search(data)):
        return
    lang, query = _language()
    try:
        tree = tree_sitter.Parser(lang).parse(data)
    except (ValueError, MemoryError, RecursionError):
        return
    _Pass(data, tree, query, ctx, sink, loadtime_all, entry).run()


def _literals(data: bytes, ctx: FileCtx, sink: Sink, scanner: yara_x.Scanner, depth: int) -> None:
    budget = 200
    for m in _STRING.finditer(data):
        budget -= 1
        if budget < 0:
            break
        literal = m.group(2)
        layers = decode.decode_layers(literal)
        if layers is None:
            continue
        text = decode.as_text(layers[1])
        if text is None:
            continue
        line = line_of(data, m.start())
        chain = " → ".join(layers[0])
        sub = FileCtx(ctx.path, ctx.reach, ctx.ecosystem, (chain, line))
        content.scan(scanner, layers[1], sub, sink)
        if re.search(
            r"(require\(|child_process|eval\(|process\.env|https?\.request|\bexec\()", text
        ):
            sink.add(
                "JS-ENCODED-CODE",
                ctx,
                line,
                snippet_at(data, m.start(), 0),
                detail=f"Decodes ({chain}) to: {text[:160]!r}.",
            )
            analyze(layers[1], sub, sink, scanner, loadtime_all=True, entry=False, depth=depth + 1)


class _Pass:
    def __init__(
        self,
        data: bytes,
        tree: tree_sitter.Tree,
        query: tree_sitter.Query,
        ctx: FileCtx,
        sink: Sink,
        loadtime_all: bool,
        entry: bool,
    ) -> None:
        self.data, self.tree, self.query = data, tree, query
        self.ctx, self.sink, self.loadtime_all, self.entry = ctx, sink, loadtime_all, entry
        self.aliases: dict[str, str] = {}

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : min(node.end_byte, node.start_byte + 300)].decode(
            "utf-8", "replace"
        )

    def qualname(self, node: tree_sitter.Node | None) -> str:
        parts: list[str] = []
        for _ in range(8):
            if node is None:
                return ""
            if node.type == "member_expression":
                prop = node.child_by_field_name("property")
                parts.append(self.text(prop) if prop else "")
                node = node.child_by_field_name("object")
            elif node.type == "parenthesized_expression" and node.named_child_count:
                node = node.named_children[-1]
            elif node.type == "identifier":
                name = self.text(node)
                parts.append(self.aliases.get(name, name))
                break
            elif node.type == "call_expression":
                required = self._required(node)
                if required is None:
                    return ""
                parts.append(required)
                break
            else:
                return ""
        return ".".join(reversed(parts))

    def _required(self, call: tree_sitter.Node) -> str | None:
        fn = call.child_by_field_name("function")
        if fn is None or self.text(fn) != "require":
            return None
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_child_count:
            return None
        arg = args.named_children[0]
        if arg.type != "string":
            return None
        return self.text(arg).strip("'\"`").removeprefix("node:")

    def _collect_aliases(self, calls: list[tuple[tree_sitter.Node, tree_sitter.Node]]) -> None:
        for call, _fn in calls:
            module = self._required(call)
            if module is None:
                continue
            parent = call.parent
            if parent is not None and parent.type == "variable_declarator":
                name = parent.child_by_field_name("name")
                if name is None:
                    continue
                if name.type == "identifier":
                    self.aliases[self.text(name)] = module
                elif name.type == "object_pattern":
                    for child in name.named_children:
                        key = child.child_by_field_name("value") or child
                        if key.type in {"identifier", "shorthand_property_identifier_pattern"}:
                            prop = child.child_by_field_name("key") or key
                            self.aliases[self.text(key)] = f"{module}.{self.text(prop)}"

    def loadtime(self, node: tree_sitter.Node) -> bool:
        if self.loadtime_all:
            return True
        if not self.entry:
            return False
        cur = node.parent
        while cur is not None:
            if cur.type in _FUNCS and not _invoked_now(cur):
                return False
            cur = cur.parent
        return True

    def add(self, rule: str, node: tree_sitter.Node, detail: str = "", lt: bool = True) -> None:
        reach = self.ctx.reach
        if lt and self.entry and reach == "runtime":
            reach = "import"
        self.sink.add(
            rule,
            self.ctx,
            node.start_point[0] + 1,
            snippet_at(self.data, node.start_byte, node.end_byte - node.start_byte),
            detail=detail,
            reach=reach,
        )

    def run(self) -> None:
        calls: list[tuple[tree_sitter.Node, tree_sitter.Node]] = []
        for _, caps in tree_sitter.QueryCursor(self.query).matches(self.tree.root_node):
            call_nodes, fn_nodes = caps.get("call"), caps.get("fn")
            if call_nodes and fn_nodes:
                calls.append((call_nodes[0], fn_nodes[0]))
        self._collect_aliases(calls)
        network: list[tree_sitter.Node] = []
        recon: list[str] = []
        for call, fn in calls:
            q = self.qualname(fn)
            if not q:
                continue
            last = q.rsplit(".", 1)[-1]
            if q in EVAL or (q == "Function" and call.type == "new_expression"):
                self._eval(call, q)
                continue
            interesting = (
                (q.startswith("child_process.") and last in CHILD_PROCESS)
                or q in NETWORK
                or q in RECON
            )
            if not interesting or not self.loadtime(call):
                continue
            if q.startswith("child_process."):
                self.add("JS-CHILD-PROCESS", call, f"Calls {q}.")
            elif q in NETWORK:
                network.append(call)
                self.add("JS-NETWORK", call, f"Calls {q}.")
            else:
                recon.append(q)
        if self.loadtime_all or self.entry:
            recon += self._env_reads()
        if network and recon:
            self.add(
                "JS-ENV-EXFIL",
                network[0],
                f"Collects {', '.join(sorted(set(recon))[:4])} and uses the network.",
            )

    def _eval(self, call: tree_sitter.Node, q: str) -> None:
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_child_count:
            return
        body = self.data[args.start_byte : args.end_byte]
        if _DECODE.search(body):
            self.add("JS-EVAL-DECODED", call, f"{q} runs data decoded in place.")
        elif self.loadtime(call) and any(a.type not in {"string"} for a in args.named_children):
            if q == "Function" and all(a.type == "string" for a in args.named_children[:-1]):
                last = args.named_children[-1]
                if last.type in {"string", "template_string"}:
                    return
            self.add("JS-EVAL-DYNAMIC", call, f"{q} on a computed value.")

    def _env_reads(self) -> list[str]:
        """`process.env` used whole (not `process.env.NAME`) in load-time code."""
        found: list[str] = []
        for m in re.finditer(rb"process\.env\b(?!\s*\.\s*[A-Za-z_$]|\s*\[)", self.data):
            before = self.data[max(0, m.start() - 40) : m.start()].rstrip()
            if before.endswith(b"...") or re.search(rb"\}\s*=$", before):
                continue  # copied into a child's env, or one variable destructured
            node = self.tree.root_node.descendant_for_byte_range(m.start(), m.end())
            if node is not None and self.loadtime(node):
                found.append("process.env")
                break
        return found


def _invoked_now(fn: tree_sitter.Node) -> bool:
    """An immediately-invoked function: (function(){…})(), (() => …)(), fn.call(this)."""
    cur = fn.parent
    while cur is not None and cur.type == "parenthesized_expression":
        cur = cur.parent
    if cur is None:
        return False
    if cur.type == "call_expression":
        callee = cur.child_by_field_name("function")
        return callee is not None and callee.start_byte <= fn.start_byte < callee.end_byte
    if cur.type == "member_expression" and cur.parent is not None:
        prop = cur.child_by_field_name("property")
        return (
            prop is not None
            and prop.text in (b"call", b"apply")
            and cur.parent.type == "call_expression"
        )
    return cur.type == "unary_expression"  # !function(){…}()
