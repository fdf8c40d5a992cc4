"""Every rule the engine can report, by stable id, with a one-line title (bandit's B101… style).

The id never changes meaning; a rule that changes behaviour keeps its id and bumps
`engine.RULES_VERSION` (a hash of these sources). Severity is the rule's own weight;
where the code runs (reachability) is weighed separately by `scoring.verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    category: str
    severity: Severity
    explanation: str  # why it matters and what a reviewer should check


_RULES = (
    # ---- Python, install- and import-time code (ast pass) ----
    Rule(
        "PY-INSTALL-CMD-OVERRIDE",
        "setup.py replaces an install, develop or egg_info command",
        "install-hook",
        "low",
        "pip runs this class while installing the package. Legitimate packages rarely need it; "
        "read its run() method: anything beyond building files is executed on the installer's "
        "machine.",
    ),
    Rule(
        "PY-INSTALL-HOOK-EXEC",
        "An overridden install command runs a process, code or a network call",
        "install-hook",
        "high",
        "The replaced install/develop/egg_info command is where install-time malware lives: "
        "pip runs it on every machine that installs the sdist. Read exactly what it runs.",
    ),
    Rule(
        "PY-INSTALL-PROCESS",
        "Install- or import-time code starts a process",
        "process",
        "medium",
        "A process started from setup.py, a build hook, a .pth file or a package's top-level "
        "code runs with the installing user's rights. Check what command it runs and where its "
        "arguments come from.",
    ),
    Rule(
        "PY-INSTALL-NETWORK",
        "Install- or import-time code opens a network connection",
        "network",
        "high",
        "Installing or importing a library should not talk to the network. Check the "
        "destination and what is sent: this is how droppers fetch stage two and how "
        "dependency-confusion probes report back.",
    ),
    Rule(
        "PY-EXEC-DYNAMIC",
        "Install- or import-time code runs exec/eval/compile on a computed value",
        "dynamic-code",
        "medium",
        "Code that is built at run time cannot be read in the source. Find where the argument "
        "comes from; legitimate load-time code almost never needs this.",
    ),
    Rule(
        "PY-EXEC-DECODED",
        "exec/eval/a process runs data decoded in place (base64, hex, zlib, marshal, decrypt…)",
        "obfuscation",
        "critical",
        "Decoding a blob and executing it in one expression is how malware hides its payload "
        "from reviewers. Decode the literal offline (never run it) and read what it does.",
    ),
    Rule(
        "PY-MARSHAL-CODE",
        "Loads compiled bytecode (marshal.loads / types.CodeType)",
        "obfuscation",
        "high",
        "Bytecode shipped as data is executed without source to review. Legitimate libraries "
        "do not unmarshal code objects.",
    ),
    Rule(
        "PY-ENCODED-CODE",
        "A string literal decodes (statically) to program code",
        "obfuscation",
        "medium",
        "A base64/hex/compressed literal that decodes to code is a hidden payload. The decoded "
        "text was scanned too; see the other findings on the same line.",
    ),
    Rule(
        "PY-RECON-EXFIL",
        "Install- or import-time code collects host identity and sends it over the network",
        "exfiltration",
        "critical",
        "Hostname, user name, working directory or environment sent to a server while "
        "installing or importing is a dependency-confusion probe or an info-stealer.",
    ),
    Rule(
        "PY-KEY-EXFIL",
        "Sends a private key, seed phrase or wallet secret to a hard-coded URL",
        "exfiltration",
        "critical",
        "Key material never needs to leave the machine; a library that posts it to a fixed "
        "address is stealing it. Check the URL and what calls this code.",
    ),
    Rule(
        "PY-DOWNLOAD-EXEC",
        "Install- or import-time code downloads something and executes it",
        "download-exec",
        "critical",
        "Network access and process or code execution in the same load-time code is the shape "
        "of a dropper. Check the URL and what is run.",
    ),
    Rule(
        "PY-BUILTINS-INDIRECTION",
        "Reaches exec/eval/import through __import__, getattr or builtins",
        "obfuscation",
        "low",
        "Calling exec or importing modules through string lookups hides what is called from "
        "text search and reviewers. Resolve the strings and read the call.",
    ),
    Rule(
        "PY-HIDDEN-PADDING",
        "Code pushed off-screen after a long run of whitespace",
        "obfuscation",
        "high",
        "Hundreds of spaces before a statement hide it beyond the right edge of an editor or "
        "diff view. Scroll right and read the hidden code.",
    ),
    Rule(
        "PY-OBFUSCATED-NAMES",
        "Identifiers look machine-obfuscated",
        "obfuscation",
        "medium",
        "Names like _0x1f3a or IlIlIl are produced by obfuscators, not people. Obfuscated "
        "install- or import-time code deserves a careful read.",
    ),
    Rule(
        "PY-PTH-CODE",
        "A .pth file contains code that runs at every interpreter start",
        "persistence",
        "low",
        "Lines in a .pth file that start with 'import' are executed by every Python process "
        "on the machine. Check that it only adjusts import paths.",
    ),
    # ---- content rules (YARA-X), any text file and decoded payloads ----
    Rule(
        "CNT-EXFIL-WEBHOOK",
        "Hard-coded chat webhook or bot endpoint (Discord, Slack, Telegram)",
        "exfiltration",
        "critical",
        "A webhook URL with its secret baked into a library is a ready-made drop box for "
        "stolen data. Check what is posted to it.",
    ),
    Rule(
        "CNT-EXFIL-OAST",
        "Out-of-band, paste, tunnel or request-collector host",
        "exfiltration",
        "medium",
        "Hosts that collect requests (interaction servers, request bins, paste sites, tunnels) "
        "are where probes and stealers send data. A library has no reason to call them.",
    ),
    Rule(
        "CNT-CRED-BROWSER",
        "Reads browser profile secrets (saved logins, cookies, the master key)",
        "credentials",
        "high",
        "Browser password and cookie stores are only opened by stealers and forensic tools. "
        "Check what is read and where it goes.",
    ),
    Rule(
        "CNT-CRED-DISCORD-TOKEN",
        "Looks for Discord tokens",
        "credentials",
        "high",
        "Discord token grabbers read the client's Local Storage and match token patterns. "
        "Check where the tokens are sent.",
    ),
    Rule(
        "CNT-CRED-WALLET",
        "Reads cryptocurrency wallet stores",
        "credentials",
        "high",
        "Wallet files and browser wallet extensions hold keys worth money. Check why a library "
        "would touch them.",
    ),
    Rule(
        "CNT-CRED-FILES",
        "Reads several kinds of developer credentials (SSH, cloud, registry, git)",
        "credentials",
        "medium",
        "Touching several unrelated credential stores is credential harvesting. A single "
        "documented config path is normal for a cloud SDK; many are not.",
    ),
    Rule(
        "CNT-REVSHELL",
        "Reverse shell",
        "reverse-shell",
        "critical",
        "Connecting out and handing a shell to the other end gives a remote attacker control "
        "of the machine.",
    ),
    Rule(
        "CNT-MINER",
        "Cryptocurrency miner",
        "miner",
        "high",
        "Mining pool addresses and miner options mean the package spends the victim's CPU "
        "for someone else.",
    ),
    Rule(
        "CNT-DOWNLOAD-EXEC",
        "Downloads and executes (shell pipe, PowerShell cradle, LOLBins, dropped executable)",
        "download-exec",
        "high",
        "Fetching code or a binary and running it immediately bypasses every review of the "
        "package. Check the URL and what runs.",
    ),
    Rule(
        "CNT-DECODE-EXEC",
        "A shell or PowerShell line decodes a payload and executes it",
        "obfuscation",
        "critical",
        "Piping base64 or hex through a decoder into a shell runs code nobody can read in the "
        "package. Decode it offline and read it.",
    ),
    Rule(
        "CNT-DROPPER",
        "Fetches an executable or script from a URL and runs it",
        "download-exec",
        "critical",
        "A file that downloads a .exe/.vbs/.bat/.ps1 and starts it is a dropper: nothing it "
        "runs was ever in the package for review. Check the URL.",
    ),
    Rule(
        "CNT-POWERSHELL-HIDDEN",
        "Runs PowerShell hidden, bypassing policy, or on encoded or downloaded code",
        "download-exec",
        "high",
        "Hidden windows, execution-policy bypass and encoded commands are how droppers start "
        "PowerShell stages unseen. Decode the command and read it.",
    ),
    Rule(
        "CNT-ENV-DUMP",
        "Serialises the whole environment",
        "exfiltration",
        "medium",
        "The environment holds tokens and keys (CI secrets, cloud credentials). Dumping all of "
        "it is harvesting; a library reads the variables it needs by name.",
    ),
    Rule(
        "CNT-PERSISTENCE",
        "Installs itself to run at logon or on a schedule",
        "persistence",
        "high",
        "Run keys, scheduled tasks, startup folders, crontabs and shell rc files make code "
        "survive a reboot. Check what is registered.",
    ),
    Rule(
        "CNT-DEFENSE-EVASION",
        "Disables or blinds security tools",
        "evasion",
        "critical",
        "Adding antivirus exclusions or patching AMSI prepares the machine for a payload.",
    ),
    Rule(
        "CNT-PACKED-CODE",
        "Python packed by an obfuscator (pyarmor, pyobfuscate, BlankOBF...)",
        "obfuscation",
        "high",
        "Packed code cannot be reviewed at all: what it does is only known once it runs. "
        "A library has no reason to hide its source from the people installing it.",
    ),
    Rule(
        "CNT-ANTI-ANALYSIS",
        "Checks for virtual machines, sandboxes or debuggers",
        "evasion",
        "medium",
        "Stealers refuse to run inside analysis machines. A library has no use for lists of "
        "sandbox user names or VM processes.",
    ),
    Rule(
        "CNT-RAW-IP-URL",
        "URL with a literal public IP address",
        "network",
        "low",
        "Servers addressed by bare IP are typical of throw-away attacker infrastructure. "
        "Check what is fetched or sent.",
    ),
    # ---- npm ----
    Rule(
        "NPM-INSTALL-SCRIPT",
        "package.json runs a script at install time",
        "install-hook",
        "low",
        "preinstall/install/postinstall scripts run on every machine that installs the "
        "package. Read the script and the files it runs (they are marked reachability=install).",
    ),
    Rule(
        "NPM-INSTALL-SCRIPT-SHELL",
        "An install script itself fetches, evaluates or hides code",
        "download-exec",
        "high",
        "An install script that calls curl/wget, node -e or an encoded command executes "
        "unreviewed code while installing.",
    ),
    Rule(
        "JS-CHILD-PROCESS",
        "Install- or import-time JavaScript starts a process",
        "process",
        "medium",
        "child_process in code that runs on install or require() runs commands on the "
        "developer's machine. Check the command.",
    ),
    Rule(
        "JS-NETWORK",
        "Install- or import-time JavaScript opens a network connection",
        "network",
        "medium",
        "Installing or requiring a library should not talk to the network. Check the "
        "destination and the payload.",
    ),
    Rule(
        "JS-EVAL-DECODED",
        "eval/Function/vm runs data decoded in place (base64, hex, char codes)",
        "obfuscation",
        "critical",
        "Decoding and evaluating in one expression hides the payload from reviewers. Decode "
        "the literal offline and read it.",
    ),
    Rule(
        "JS-EVAL-DYNAMIC",
        "Install- or import-time JavaScript evaluates a computed string",
        "dynamic-code",
        "medium",
        "eval/new Function on a computed value cannot be reviewed in the source.",
    ),
    Rule(
        "JS-ENV-EXFIL",
        "Install- or import-time JavaScript collects host data and sends it",
        "exfiltration",
        "critical",
        "process.env, hostname, user or directory listings sent over the network during "
        "install is a dependency-confusion probe or a token stealer.",
    ),
    Rule(
        "JS-ENCODED-CODE",
        "A string literal decodes (statically) to JavaScript that loads modules or runs code",
        "obfuscation",
        "medium",
        "An encoded literal that decodes to require()/eval/child_process code is a hidden "
        "payload. The decoded text was scanned too; see the other findings on the same line.",
    ),
    Rule(
        "JS-OBFUSCATED",
        "JavaScript looks machine-obfuscated",
        "obfuscation",
        "medium",
        "_0x-style identifiers and string-array rotation come from obfuscators. Minified code "
        "is normal; obfuscated install- or import-time code is not.",
    ),
    # ---- metadata ----
    Rule(
        "META-TYPOSQUAT",
        "Name is one edit away from a popular package",
        "typosquat",
        "medium",
        "Typosquats catch people who mistype a popular name. Compare with the popular package "
        "it imitates and check whether the code does what that package does.",
    ),
    Rule(
        "META-DEPCONF-VERSION",
        "Version number typical of dependency-confusion attacks (99.x, 999.x…)",
        "dependency-confusion",
        "medium",
        "A huge version number makes package managers prefer this public package over a "
        "company's private one of the same name.",
    ),
    Rule(
        "META-PLACEHOLDER",
        "Placeholder or random metadata",
        "metadata",
        "low",
        "Empty, random or template descriptions and authors are common on throw-away "
        "malicious uploads; on their own they prove nothing.",
    ),
    Rule(
        "META-DEP-CONFUSABLE",
        "A dependency name uses look-alike (non-ASCII) characters",
        "typosquat",
        "high",
        "A Cyrillic 'e' (U+0435) in 'requests' installs an attacker's package that reads like a "
        "popular one. Compare the dependency's bytes with the real name.",
    ),
    Rule(
        "META-DEP-URL",
        "A dependency is installed from a URL instead of the registry",
        "metadata",
        "medium",
        "Dependencies fetched from arbitrary URLs skip the registry and its hash checks. "
        "Check the host and what it serves.",
    ),
    Rule(
        "META-BINARY",
        "Ships a native executable",
        "binary",
        "low",
        "Executables inside a package cannot be reviewed as source. Check that the package is "
        "expected to ship one (launchers, compiled extensions).",
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _RULES}
