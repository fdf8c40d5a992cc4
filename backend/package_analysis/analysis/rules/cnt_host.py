"""Content rules: what malware does to the host (mining, persistence, evasion).

The YARA rules below run (compiled once, with every module's) on each text file and on
payloads decoded statically; each reports its rule id in `meta: id`."""

from __future__ import annotations

from .base import Rule

RULES = (
    Rule(
        id="CNT-MINER",
        title="Cryptocurrency miner",
        category="miner",
        severity="high",
        explanation=(
            "Mining pool addresses and miner options mean the package spends the victim's CPU "
            "for someone else."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-PERSISTENCE",
        title="Installs itself to run at logon or on a schedule",
        category="persistence",
        severity="high",
        explanation=(
            "Run keys, scheduled tasks, startup folders, crontabs and shell rc files make "
            "code survive a reboot. Check what is registered."
        ),
    ),
    Rule(
        id="CNT-DEFENSE-EVASION",
        title="Disables or blinds security tools",
        category="evasion",
        severity="critical",
        explanation=(
            "Adding antivirus exclusions or patching AMSI prepares the machine for a payload."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-ANTI-ANALYSIS",
        title="Checks for virtual machines, sandboxes or debuggers",
        category="evasion",
        severity="medium",
        explanation=(
            "Stealers refuse to run inside analysis machines. A library has no use for lists "
            "of sandbox user names or VM processes."
        ),
    ),
)

YARA = r"""
rule miner {
  meta: id = "CNT-MINER"
  strings:
    $stratum = /stratum\+(tcp|ssl):\/\//
    $xmrig = /\bxmrig\b/ nocase
    $donate = "--donate-level"
    $pool1 = /(minexmr|supportxmr|nanopool|moneroocean|hashvault|2miners|f2pool|nicehash)\.(com|org|pro|stream)/ nocase
    $algo = /--(algo|coin)[ =](rx\/0|cryptonight|monero|xmr)/ nocase
    $xmr_wallet = /\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/
    $dero_wallet = /\bdero1q[a-z0-9]{55,}\b/
    $miner_cli = /\s-(w|u|o|r|-user|-url|-wallet|-pool)[ =]/
  condition:
    $stratum or $donate or ($xmrig and ($pool1 or $algo)) or ($pool1 and $algo) or
    (($xmr_wallet or $dero_wallet) and $miner_cli)
}

rule persistence {
  meta: id = "CNT-PERSISTENCE"
  strings:
    $run = /Software\\{1,2}Microsoft\\{1,2}Windows\\{1,2}CurrentVersion\\{1,2}Run(Once)?[\x27\x22\\]/ nocase
    $schtasks = /schtasks(\.exe)? +\/create/ nocase
    $startup = /(Start Menu\\{1,2}Programs\\{1,2}Startup|shell:startup)/ nocase
    $crontab = /(\(crontab +-l|echo +[\x27\x22][^\x27\x22]{1,200}[\x27\x22] *\| *crontab +-|>> *\/etc\/crontab)/
    $rc = /(>>|open\([^)]{0,80}[\x27\x22]a[\x27\x22]).{0,80}[\s\/~\x27\x22]\.(bashrc|zshrc|bash_profile|profile)\b/
    $rc_path = /\b(echo|printf)\s+[\x27\x22]?export PATH=[^\n>]{0,200}>>\s*[^\n]{0,80}[\s\/~\x27\x22]\.(bashrc|zshrc|bash_profile|profile)\b/
    $rc_py = /open\([^\n;]{0,120}[\/~\x27\x22]\.(bashrc|zshrc|bash_profile|profile)[\x27\x22][^\n;]{0,40}[\x27\x22]a\+?[\x27\x22]/
    $launch = /Library\/LaunchAgents\/[A-Za-z0-9\.\-]+\.plist/
    $systemd = /\/etc\/systemd\/system\/[a-z0-9\-]+\.service/
    $systemd_user = /systemctl +--user +enable\b[^\n]{0,80}\.service|\.config\/systemd\/user\/[\w.\-]+\.service/
    $rc_name = /[\x27\x22`\/]\.(bashrc|zshrc|bash_profile|zprofile)[\x27\x22`]/
    $x_append = /\bappendFile(Sync)?\s*\(/
  condition:
    any of ($run, $schtasks, $startup, $crontab, $rc_py, $launch, $systemd, $systemd_user)
    or ($rc_name and $x_append)
    or #rc > #rc_path  // a line that only puts a folder on PATH is an installer's setup
}

rule defense_evasion {
  meta: id = "CNT-DEFENSE-EVASION"
  strings:
    $mp = /Add-MpPreference +-Exclusion(Path|Process|Extension)/ nocase
    $rtm = /Set-MpPreference +-DisableRealtimeMonitoring +(\$true|1)/ nocase
    $amsi = "AmsiScanBuffer"
    $amsi2 = "amsiInitFailed"
    $uac = /ConsentPromptBehaviorAdmin/ nocase
  condition: any of them
}

rule anti_analysis {
  meta: id = "CNT-ANTI-ANALYSIS"
  strings:
    $u1 = "WDAGUtilityAccount"
    $u2 = "BEE7370C-8C0C-4"
    $u3 = "7AB5C494-39F5-4941-9163-47F54D6D5016"
    $u4 = "vmwareuser" nocase
    $u5 = "vboxservice" nocase
    $u6 = "vmsrvc" nocase
    $u7 = "Abby" fullword
    $u8 = "Peter Wilson" fullword
    $u9 = "hmarc" fullword
    $u10 = "patex" fullword
    $u11 = "JOHN-PC" fullword
    $u12 = "x64dbg" nocase
    $u13 = "ollydbg" nocase
    $u14 = "httpdebuggerui" nocase
    $u15 = "wireshark" nocase
    $u16 = "fiddler" nocase
    $u17 = "processhacker" nocase
  condition: 4 of them
}
"""
