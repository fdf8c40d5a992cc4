"""The Python APIs the facts model, by resolved qualified name (after `pyresolve.normalise`)."""

from __future__ import annotations

PROCESS = frozenset(
    {
        "os.system", "os.popen", "os.startfile", "os.execl", "os.execle", "os.execlp",
        "os.execv", "os.execve", "os.execvp", "os.execvpe", "os.spawnl", "os.spawnv",
        "os.spawnve", "os.spawnlp", "os.spawnlpe", "os.spawnvp", "os.posix_spawn",
        "os.posix_spawnp", "subprocess.Popen", "subprocess.call", "subprocess.run",
        "subprocess.check_call", "subprocess.check_output", "subprocess.getoutput",
        "subprocess.getstatusoutput", "pty.spawn", "commands.getoutput",
        "asyncio.create_subprocess_shell", "asyncio.create_subprocess_exec",
        "ctypes.windll.shell32.ShellExecuteW", "ctypes.windll.shell32.ShellExecuteA",
        "win32api.ShellExecute", "win32api.WinExec", "ctypes.lib.system", "ctypes.lib.popen",
        "ctypes.lib.execve", "ctypes.lib.execv", "ctypes.lib.WinExec", "ctypes.lib.ShellExecuteW",
        "ctypes.lib.ShellExecuteA", "ctypes.lib.CreateProcessW", "ctypes.lib.CreateProcessA",
        "platform.popen", "webbrowser.open", "posix.system", "posix.popen", "posix.execv",
        "posix.execve", "posix.posix_spawn", "posix.posix_spawnp", "nt.system", "nt.startfile",
        "distutils.spawn.spawn", "setuptools._distutils.spawn.spawn", "pydoc.pipepager",
        "pydoc.tempfilepager", "os.spawnle", "os.spawnvpe",
        # a setuptools/distutils command's own `spawn` (what `self.spawn([...])` runs in a
        # cmdclass): the class is not resolved, the name is the command API
        "self.spawn",
    }
)  # fmt: skip
NETWORK = frozenset(
    {
        "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.Request",
        "urllib.urlopen", "urllib.urlretrieve", "urllib2.urlopen", "requests.get",
        "requests.post", "requests.put", "requests.patch", "requests.request", "requests.head",
        "requests.delete", "requests.Session", "httpx.get", "httpx.post", "httpx.Client",
        "httpx.AsyncClient",
        "http.client.HTTPConnection", "http.client.HTTPSConnection", "httplib.HTTPConnection",
        "httplib.HTTPSConnection", "socket.create_connection", "socket.gethostbyname",
        "socket.getaddrinfo", "socket.gethostbyname_ex", "ftplib.FTP", "smtplib.SMTP",
        "smtplib.SMTP_SSL", "telnetlib.Telnet", "urllib3.request", "urllib3.PoolManager",
        "wget.download", "dns.resolver.resolve", "dns.resolver.query", "pycurl.Curl",
        "aiohttp.ClientSession", "aiohttp.request", "urllib.request.build_opener",
        "urllib2.build_opener", "xmlrpc.client.ServerProxy", "xmlrpclib.ServerProxy",
        "asyncio.open_connection", "imaplib.IMAP4", "imaplib.IMAP4_SSL", "poplib.POP3",
        "poplib.POP3_SSL", "nntplib.NNTP",
        # a browser asked to open a URL fetches it: what the URL carries leaves the machine
        "webbrowser.open", "webbrowser.open_new", "webbrowser.open_new_tab",
    }
)  # fmt: skip
# where a network call's answer is read: the result carries origin "fetched"
FETCHERS = NETWORK - {"socket.gethostbyname", "socket.getaddrinfo", "socket.gethostbyname_ex"}
RECON = frozenset(
    {
        "socket.gethostname", "socket.getfqdn", "getpass.getuser", "os.getlogin", "os.getcwd",
        "os.uname", "platform.node", "platform.uname", "os.environ.copy", "os.environ.items",
        "psutil.users", "uuid.getnode",
    }
)  # fmt: skip
ENV = frozenset(
    {"os.getenv", "os.environ.get", "os.environ", "os.environ.copy", "os.environ.items"}
)
RECON_COMMANDS = frozenset(
    {"whoami", "id", "hostname", "uname", "ipconfig", "ifconfig", "systeminfo", "net"}
)
EXEC = frozenset(
    {
        "exec",
        "eval",
        "compile",
        "execfile",
        "runpy.run_path",
        "runpy.run_module",
        "types.FunctionType",
        # the standard library's other runners of a code string (first argument): the timer,
        # the profilers, the debugger, the tracer and the interactive interpreter compile
        # and run it as exec does
        "timeit.timeit", "timeit.repeat", "timeit.Timer",
        "cProfile.run", "cProfile.runctx", "profile.run", "profile.runctx",
        "cProfile.Profile().run", "cProfile.Profile().runctx",
        "profile.Profile().run", "profile.Profile().runctx",
        "pdb.run", "pdb.runeval", "pdb.Pdb().run", "pdb.Pdb().runeval", "bdb.Bdb().run",
        "trace.Trace().run", "trace.Trace().runctx",
        "code.InteractiveInterpreter().runsource", "code.InteractiveInterpreter().runcode",
        "code.InteractiveConsole().runsource", "code.InteractiveConsole().runcode",
        "code.InteractiveConsole().push", "code.compile_command", "codeop.compile_command",
    }
)  # fmt: skip
# loads that run code while they read (a pickle's reduce calls what it names)
DESERIALIZERS = frozenset(
    {"pickle.loads", "dill.loads", "cloudpickle.loads", "pickle.load", "dill.load",
     "cloudpickle.load", "jsonpickle.decode", "yaml.unsafe_load", "yaml.unsafe_load_all"}
)  # fmt: skip
BYTECODE = frozenset(
    {"marshal.loads", "types.CodeType", "pickle.loads", "dill.loads", "cloudpickle.loads"}
)
# decoder name (last part of the qualname) → what pyfold/decode.apply call it
DECODERS = {
    "b64decode": "b64decode", "b32decode": "b32decode", "b16decode": "b16decode",
    "b85decode": "b85decode", "a85decode": "a85decode", "decodebytes": "decodebytes",
    "decodestring": "decodestring", "urlsafe_b64decode": "urlsafe_b64decode",
    "standard_b64decode": "standard_b64decode", "unhexlify": "unhexlify",
    "a2b_base64": "a2b_base64", "a2b_hex": "a2b_hex", "fromhex": "fromhex",
}  # fmt: skip
DECOMPRESSORS = {
    "zlib.decompress": "zlib",
    "gzip.decompress": "gzip",
    "bz2.decompress": "bz2",
    "lzma.decompress": "lzma",
}
DECRYPT = frozenset({"decrypt", "decrypt_and_verify", "createDecipher"})
SECRET_PATHS = (
    ".ssh", "id_rsa", "id_ed25519", ".aws", "credentials", ".npmrc", ".pypirc", ".git-credentials",
    ".docker/config.json", ".kube/config", "wallet", "Login Data", "Local State", "keychain",
    ".gnupg", ".netrc", "/etc/passwd", "/etc/shadow", ".bash_history", "Cookies",
)  # fmt: skip
INSTALL_COMMANDS = frozenset(
    {
        "install", "develop", "egg_info", "bdist_egg", "easy_install", "build", "build_py",
        "build_ext", "build_clib", "build_scripts", "bdist_wheel", "dist_info", "editable_wheel",
        "install_lib", "install_scripts", "install_data", "install_egg_info", "sdist",
    }
)  # fmt: skip
# command classes whose run() pip calls when it installs (as bases: what a class replaces)
HOOK_BASES = frozenset(
    {
        "install",
        "develop",
        "egg_info",
        "bdist_egg",
        "easy_install",
        "build_py",
        "bdist_wheel",
        "build_ext",
        "build",
        "install_lib",
        "sdist",
    }
)
DANGEROUS_MODULES = frozenset(
    {"os", "subprocess", "base64", "zlib", "marshal", "socket", "builtins", "ctypes", "urllib",
     "urllib.request", "requests", "codecs", "binascii", "pty"}
)  # fmt: skip


def runs_code(q: str) -> bool:
    """Calls that execute what they are given: processes, exec/eval, packer runtimes."""
    return is_process(q) or q in EXEC or "pyarmor" in q


def is_process(q: str) -> bool:
    return q in PROCESS or (q.startswith("subprocess.") and q.rsplit(".", 1)[-1][:1].isupper())


_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "request", "send", "stream"})
# a client object (`Client()` or a name bound to one) → the methods that talk to its peer;
# None: every method is a remote call (an XML-RPC proxy)
_CLIENTS: dict[str, frozenset[str] | None] = {
    "requests.Session": _VERBS, "httpx.Client": _VERBS, "httpx.AsyncClient": _VERBS,
    "aiohttp.ClientSession": _VERBS,
    "urllib.request.build_opener": frozenset({"open"}),
    "urllib2.build_opener": frozenset({"open"}),
    "http.client.HTTPConnection": frozenset({"request", "putrequest", "send", "endheaders"}),
    "http.client.HTTPSConnection": frozenset({"request", "putrequest", "send", "endheaders"}),
    "ftplib.FTP": frozenset({"storbinary", "storlines", "retrbinary", "retrlines", "sendcmd"}),
    "ftplib.FTP_TLS": frozenset({"storbinary", "storlines", "retrbinary", "retrlines"}),
    "smtplib.SMTP": frozenset({"sendmail", "send_message", "send"}),
    "smtplib.SMTP_SSL": frozenset({"sendmail", "send_message", "send"}),
    "socket.create_connection": frozenset({"send", "sendall", "sendto", "recv"}),
    # (a socket's `connect` is read where it is written: `py_network.socket_to_fixed_host`)
    "socket.socket": frozenset({"send", "sendall", "sendto"}),
    # `reader, writer = await asyncio.open_connection(host, port)`: the writer's sends
    "asyncio.open_connection": frozenset({"write", "writelines"}),
    "urllib3.PoolManager": frozenset({"request", "urlopen"}),
    "xmlrpc.client.ServerProxy": None, "xmlrpclib.ServerProxy": None,
}  # fmt: skip


def is_fetcher(q: str) -> bool:
    """A call whose answer is data from the network (a DNS lookup answers an address)."""
    return q in FETCHERS or (is_network(q) and q not in NETWORK)


def is_network(q: str) -> bool:
    if q in NETWORK or (q.startswith("requests.") and q.count(".") == 1 and q[9:10].islower()):
        return True
    client, _, verb = q.rpartition(".")  # a client object's request: `httpx.Client().post`
    if not client.endswith("()") or client[:-2] not in _CLIENTS:
        return False
    verbs = _CLIENTS[client[:-2]]
    return verbs is None or verb in verbs
