"""Content rules: shell and PowerShell lines that fetch, decode or hand over control.

The YARA rules below run (compiled once, with every module's) on each text file and on
payloads decoded statically; each reports its rule id in `meta: id`."""

from __future__ import annotations

from .base import Rule, Variant

RULES = (
    Rule(
        id="CNT-REVSHELL",
        title="Reverse shell",
        category="reverse-shell",
        severity="critical",
        explanation=(
            "Connecting out and handing a shell to the other end gives a remote attacker "
            "control of the machine."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-DOWNLOAD-EXEC",
        title="Downloads and executes (shell pipe, PowerShell cradle, LOLBins, dropped executable)",
        category="download-exec",
        severity="high",
        explanation=(
            "Fetching code or a binary and running it immediately bypasses every review of "
            "the package. Check the URL and what runs."
        ),
        variants={
            "runtime": Variant(
                "medium",
                "text in an installed module that runs only when called (a CLI's install "
                "hint, a help string); a call that runs it is reported by the code rules",
            ),
            "install-script": Variant(
                "critical",
                "a line of a shell script the installer itself runs (an npm hook's "
                "`bash scripts/x.sh`, a script setup.py names): it downloads and runs on "
                "every install",
            ),
        },
        strong_at_load=True,
    ),
    Rule(
        id="CNT-DECODE-EXEC",
        title="A shell or PowerShell line decodes a payload and executes it",
        category="obfuscation",
        severity="critical",
        explanation=(
            "Piping base64 or hex through a decoder into a shell runs code nobody can read in "
            "the package. Decode it offline and read it."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-DROPPER",
        title="Fetches an executable or script from a URL and runs it",
        category="download-exec",
        severity="critical",
        explanation=(
            "A file that downloads a .exe/.vbs/.bat/.ps1 and starts it is a dropper: nothing "
            "it runs was ever in the package for review. Check the URL."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-POWERSHELL-HIDDEN",
        title="Runs PowerShell hidden, bypassing policy, or on encoded or downloaded code",
        category="download-exec",
        severity="high",
        explanation=(
            "Hidden windows, execution-policy bypass and encoded commands are how droppers "
            "start PowerShell stages unseen. Decode the command and read it."
        ),
        strong_at_load=True,
    ),
)

YARA = r"""
rule reverse_shell {
  meta: id = "CNT-REVSHELL"
  strings:
    $bash_tcp = /(bash|sh) +-i +(>&|&>) *\/dev\/(tcp|udp)\//
    $dev_tcp = /\/dev\/tcp\/[0-9a-zA-Z\.\-\{\}\+'" ]+\/[0-9\{]/
    $nc = /\b(nc|ncat|netcat)(\.exe)? +(-[a-z]+ +)*-e +(\/bin\/(ba)?sh|cmd(\.exe)?)/
    $mkfifo = /mkfifo +\/tmp\/[a-z]+;.{0,80}\b(nc|ncat|telnet)\b/
    $py_dup = /os\.dup2\([a-z_]+\.fileno\(\) *, *0\)/
    $pty = /pty\.spawn\([\x27\x22]\/bin\/(ba)?sh[\x27\x22]\)/
    $shell_i = /[\x27\x22]\/bin\/(ba)?sh[\x27\x22] *, *[\x27\x22]-i[\x27\x22]/
    $ps_tcp = /New-Object +(System\.)?Net\.Sockets\.TCPClient/ nocase
    $ps_stream = "GetStream()" nocase
    $node_sh = /child_process[\x27\x22]\)\.spawn\([\x27\x22](\/bin\/sh|cmd\.exe)[\x27\x22]/
    $node_pipe = /\.pipe\([a-z]+\.stdin\)/
    $socket_connect = /\.connect\(\([\x27\x22][^\x27\x22]{3,64}[\x27\x22] *, *[0-9]{2,5}\)\)/
  condition:
    $bash_tcp or $dev_tcp or $nc or $mkfifo or ($py_dup and ($pty or $shell_i or $socket_connect)) or
    ($ps_tcp and $ps_stream) or ($node_sh and $node_pipe)
}

rule shell_download_exec {
  meta: id = "CNT-DOWNLOAD-EXEC"
  strings:
    $pipe = /\b(curl|wget)\b[^\n|;&]{0,200}https?:\/\/[^\n|;&]{0,200}\| *(sudo +)?(ba|z|da)?sh\b/
    $pipe_py = /\b(curl|wget)\b[^\n|;&]{0,200}https?:\/\/[^\n|;&]{0,200}\| *python[0-9.]*\b/
    $ps_iex = /\b(IEX|Invoke-Expression)[ (]+.{0,60}\b(DownloadString|Invoke-WebRequest|iwr|irm|Invoke-RestMethod)\b/ nocase
    $ps_iex2 = /\b(DownloadString|Invoke-RestMethod|irm)\b[^\n]{0,120}\| *(IEX|Invoke-Expression)\b/ nocase
    $ps_enc = /powershell(\.exe)?[^\n]{0,80} -(encodedcommand|enc|ec|e) +[A-Za-z0-9+\/=]{40,}/ nocase
    $certutil = /certutil(\.exe)? +-urlcache +(-split +)?-f +https?:/ nocase
    $bitsadmin = /bitsadmin(\.exe)? +\/transfer/ nocase
    $mshta = /mshta(\.exe)? +https?:/ nocase
    $ps_dl_run = /\b(Invoke-WebRequest|iwr|DownloadFile|Start-BitsTransfer)\b[^\n]{0,300}\b(Start-Process|saps|Invoke-Item|start)\b/ nocase
    $tmp_exec = /\b(curl|wget)\b[^\n]{0,120}(-[A-Za-z]*[oO]\s*|--output(-document)?[= ]\s*)\/tmp\/[^\n]{0,160}chmod +(\+x|[0-7]{3})/
    $wget_chmod = /\b(curl|wget)\b[^\n]{0,200}https?:\/\/[^\n]{0,200}(&&|;) *chmod +(\+x|[0-7]{3})[^\n]{0,120}(&&|;) *(\.\/|\/tmp\/)/
  condition: any of them
}

rule shell_decode_exec {
  meta: id = "CNT-DECODE-EXEC"
  strings:
    $b64sh = /base64 +(-d|--decode|-D)[^\n|]{0,80}\| *(sudo +)?(ba|z|da)?sh\b/
    $xxd = /xxd +-r +-p[^\n|]{0,80}\| *(ba|z|da)?sh\b/
    $ps_dec = /\[(System\.)?Convert\]::FromBase64String[^\n]{0,200}(IEX|Invoke-Expression|\| *iex)/ nocase
    $node_dec = /Buffer\.from\([^)]{1,200}['"]base64['"]\)[^\n]{0,40}\| *(ba)?sh/
  condition: any of them
}

rule dropper_executable {
  meta: id = "CNT-DROPPER"
  strings:
    $fetch1 = /urlretrieve\(|urlopen\(|requests\.get\(|\.content\b|wget\.download\(|httpx\.get\(/
    $exe = /https?:\/\/[^\x27\x22\s]{4,200}\.(exe|scr|msi|bat|vbs|ps1|dll|hta|cmd|jar)[\x27\x22?]/ nocase
    $run1 = /os\.startfile\(|subprocess\.(Popen|call|run|check_call|check_output)\(|os\.system\(|os\.popen\(|ShellExecute/
    $run2 = /[\x27\x22](start|cmd \/c|cmd\.exe \/c) [^\x27\x22]{0,40}[\x27\x22]?/ nocase
    $chmodx = /os\.chmod\([^)]{1,120}(0o?7[0-7][0-7]|stat\.S_IEXEC|S_IXUSR)/
  condition: $exe and $fetch1 and ($run1 or $run2 or $chmodx)
}

rule powershell_hidden {
  meta: id = "CNT-POWERSHELL-HIDDEN"
  strings:
    $ps = /powershell(\.exe)?/ nocase
    $hidden = /-(windowstyle|window|win|w).{1,4}hidden/ nocase
    $bypass = /-(executionpolicy|exec|ep).{1,4}bypass/ nocase
    $noprofile = /-(noprofile|nop)\b/ nocase
    $enc = /[\s\x27\x22,(]-(e|ec|en[a-z]{0,12})[\s\x27\x22,:]{1,4}[A-Za-z0-9+\/=]{40,}/ nocase
    $iex = /\b(IEX|Invoke-Expression)\b/ nocase
    $b64 = "FromBase64String" nocase
    $dl = /(DownloadString|DownloadFile|Invoke-WebRequest|Invoke-RestMethod|Start-BitsTransfer)/ nocase
  condition: $ps and (($hidden and ($bypass or $noprofile or $enc)) or ($iex and ($b64 or $dl)) or $enc)
}
"""
