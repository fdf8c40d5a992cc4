"""Content rules that extend two behaviours to the spellings malware uses: persistence paths
built from parts (XDG autostart, Winlogon Shell/Userinit, LaunchAgents with RunAtLoad) and a
hard-coded chat bot token used against the chat service's API (a drop box, like a webhook)."""

from __future__ import annotations

from .base import Rule

RULES = (
    Rule(
        id="CNT-EXFIL-BOT-TOKEN",
        title="Hard-coded chat bot token used against the chat service's API",
        category="exfiltration",
        severity="critical",
        explanation=(
            "A Discord bot token baked into a package, next to the API's channel endpoints or a "
            "'Bot' authorization header, lets the package post whatever it collects into the "
            "attacker's channel. Check what is sent."
        ),
        strong=True,
    ),
)

YARA = r"""
rule persistence_from_parts {
  meta: id = "CNT-PERSISTENCE"
  strings:
    $xdg1 = /\.config\/autostart\/[^\x27\x22\s]{1,80}\.desktop/
    $xdg2 = /[\x27\x22]\.config[\x27\x22] *, *[\x27\x22]autostart[\x27\x22]/
    $winlogon = /Windows NT\\{1,2}CurrentVersion\\{1,2}Winlogon/ nocase
    $x_shell = /[\x27\x22](Shell|Userinit)[\x27\x22]/
    $agents = /[\x27\x22]Library[\x27\x22] *, *[\x27\x22]Launch(Agents|Daemons)[\x27\x22]/
    $x_runatload = "RunAtLoad"
  condition: (any of ($xdg*)) or ($winlogon and $x_shell) or ($agents and $x_runatload)
}

rule chat_bot_token {
  meta: id = "CNT-EXFIL-BOT-TOKEN"
  strings:
    $token = /[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{5,7}\.[A-Za-z0-9_\-]{27,40}/
    $x_api = /discord(app)?\.com\/api\/(v[0-9]+\/)?(channels|users|guilds)/
    $x_bot = /[\x27\x22]Bot [\x27\x22] *\+|Bot \$\{/
  condition: $token and ($x_api or $x_bot)
}
"""
