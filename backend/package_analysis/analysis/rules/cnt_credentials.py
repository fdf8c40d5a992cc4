"""Content rules: credential stores a stealer reads.

The YARA rules below run (compiled once, with every module's) on each text file and on
payloads decoded statically; each reports its rule id in `meta: id`."""

from __future__ import annotations

from .base import Rule

RULES = (
    Rule(
        id="CNT-CRED-BROWSER",
        title="Reads browser profile secrets (saved logins, cookies, the master key)",
        category="credentials",
        severity="high",
        explanation=(
            "Browser password and cookie stores are only opened by stealers and forensic "
            "tools. Check what is read and where it goes."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-CRED-DISCORD-TOKEN",
        title="Looks for Discord tokens",
        category="credentials",
        severity="high",
        explanation=(
            "Discord token grabbers read the client's Local Storage and match token patterns. "
            "Check where the tokens are sent."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-CRED-WALLET",
        title="Reads cryptocurrency wallet stores",
        category="credentials",
        severity="high",
        explanation=(
            "Wallet files and browser wallet extensions hold keys worth money. Check why a "
            "library would touch them."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-CRED-FILES",
        title="Reads several kinds of developer credentials (SSH, cloud, registry, git)",
        category="credentials",
        severity="medium",
        explanation=(
            "Touching several unrelated credential stores is credential harvesting. A single "
            "documented config path is normal for a cloud SDK; many are not."
        ),
    ),
)

YARA = r"""
rule browser_secrets {
  meta: id = "CNT-CRED-BROWSER"
  strings:
    $login = "Login Data" nocase
    $cookies = /Network[\\\/]{1,2}Cookies|[\\\/]Cookies[\x27\x22]/ nocase
    $state = "Local State"
    $key = "encrypted_key"
    $dpapi = "CryptUnprotectData"
    $webdata = "Web Data"
    $chrome = /Google[\\\/]{1,2}Chrome[\\\/]{1,2}User Data/ nocase
    $edge = /Microsoft[\\\/]{1,2}Edge[\\\/]{1,2}User Data/ nocase
    $brave = /BraveSoftware[\\\/]{1,2}Brave-Browser/ nocase
    $opera = /Opera Software[\\\/]{1,2}Opera (GX )?Stable/ nocase
    $yandex = /Yandex[\\\/]{1,2}YandexBrowser/ nocase
    $firefox = /Mozilla[\\\/]{1,2}Firefox[\\\/]{1,2}Profiles/ nocase
    $logins_json = "logins.json"
  condition:
    ($key and ($state or $dpapi)) or
    (($login or $cookies or $webdata or $logins_json) and 2 of ($chrome, $edge, $brave, $opera, $yandex, $firefox)) or
    ($dpapi and ($login or $cookies) and 1 of ($chrome, $edge, $brave, $opera, $yandex))
}

rule discord_tokens {
  meta: id = "CNT-CRED-DISCORD-TOKEN"
  strings:
    $ls = /discord(canary|ptb)?[\\\/]{1,2}Local Storage[\\\/]{1,2}leveldb/ nocase
    $re1 = "[\\w-]{24}\\.[\\w-]{6}\\.[\\w-]{27}"
    $re2 = "mfa\\.[\\w-]{84}"
    $re3 = "dQw4w9WgXcQ:"
    $api = "discord.com/api/v9/users/@me" nocase
    $api2 = "discordapp.com/api/v6/users/@me" nocase
  condition: $ls or $re1 or $re2 or $re3 or (($api or $api2) and ($ls or #api + #api2 > 1))
}

rule wallets {
  meta: id = "CNT-CRED-WALLET"
  strings:
    $metamask = "nkbihfbeogaeaoehlefnkodbefgpgknn"
    $phantom = "bfnaelmomeimhlpmgjnjophhpkkoljpa"
    $coinbase = "hnfanknocfeofbddgcijnmhnfnkdnaad"
    $binance = "fhbohimaelbohpjbbldcngcnapndodjp"
    $tronlink = "ibnejdfjmmkpcnlpebklmnkoeoihofec"
    $exodus = /Exodus[\\\/]{1,2}exodus\.wallet/ nocase
    $electrum = /Electrum[\\\/]{1,2}wallets/ nocase
    $atomic = /atomic[\\\/]{1,2}Local Storage/ nocase
    $armory = /Armory[\\\/]{1,2}/ nocase
    $jaxx = /com\.liberty\.jaxx/ nocase
    $ethereum = /Ethereum[\\\/]{1,2}keystore/ nocase
    $wallet_dat = /[\\\/]wallet\.dat/ nocase
  condition: 2 of them or ($metamask and ($phantom or $coinbase or $binance))
}

rule developer_credentials {
  meta: id = "CNT-CRED-FILES"
  strings:
    $ssh = /\.ssh[\\\/]{1,2}(id_rsa|id_ed25519|id_ecdsa|id_dsa)/
    $aws = /\.aws[\\\/]{1,2}credentials/
    $gcloud = /\.config[\\\/]{1,2}gcloud[\\\/]{1,2}(credentials\.db|application_default_credentials\.json)/
    $azure = /\.azure[\\\/]{1,2}(accessTokens\.json|msal_token_cache)/
    $kube = /\.kube[\\\/]{1,2}config/
    $docker = /\.docker[\\\/]{1,2}config\.json/
    $npmrc = /[\x27\x22\/~]\.npmrc/
    $pypirc = /[\x27\x22\/~]\.pypirc/
    $gitcred = ".git-credentials"
    $netrc = /[\x27\x22\/~]\.netrc[\x27\x22]/
    $shadow = "/etc/shadow"
    $history = /\.(bash|zsh)_history/
  condition: 3 of them
}
"""
