// Content rules for Pack-A-Mal, written by this team. Each rule's `id` is a catalog id
// (rules/catalog.py); several YARA rules may report the same id. They run on every text
// file of a package and on payloads decoded statically from string literals.

rule webhook_discord {
  meta: id = "CNT-EXFIL-WEBHOOK"
  strings:
    $hook = /discord(app)?\.com\/api\/(v\d+\/)?webhooks\/[0-9]{15,22}\/[A-Za-z0-9_\-]{30,}/
  condition: $hook
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
    $a = /[a-z0-9\-]+\.(burpcollaborator\.net|oastify\.com|oast\.[a-z]{2,6}|interact\.sh|interactsh\.com)/ nocase
    $b = /[a-z0-9\-]+\.(m\.pipedream\.net|requestcatcher\.com|requestbin\.(net|com)|free\.beeceptor\.com|ngrok(-free)?\.(io|app|dev)|trycloudflare\.com|serveo\.net|loca\.lt)/ nocase
    $e = /[a-z0-9]{12,}\.mockapi\.io|[a-z0-9\-]+\.(glitch\.me|repl\.co|replit\.dev)\b|[a-z2-7]{16,56}\.onion\b/ nocase
    $c = /(webhook\.site\/[0-9a-f\-]{36}|dnslog\.cn|ceye\.io|canarytokens\.com\/|requestrepo\.com|eo[a-z0-9]{10,}\.m\.pipedream)/ nocase
    $d = /(pastebin\.com\/raw|paste\.ee\/r\/|hastebin\.com\/raw|rentry\.(co|org)\/[a-z0-9]+\/raw|transfer\.sh\/|0x0\.st\/|bashupload\.com|file\.io\/|anonfiles\.com|gofile\.io\/|temp\.sh\/)/ nocase
  condition: any of them
}

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

rule shell_download_exec {
  meta: id = "CNT-DOWNLOAD-EXEC"
  strings:
    $pipe = /\b(curl|wget)\b[^\n|;&]{0,200}https?:\/\/[^\n|;&]{0,200}\| *(sudo +)?(ba|z|da)?sh\b/
    $pipe_py = /\b(curl|wget)\b[^\n|;&]{0,200}https?:\/\/[^\n|;&]{0,200}\| *python[0-9.]*\b/
    $ps_iex = /(IEX|Invoke-Expression)[ (]+.{0,60}(DownloadString|Invoke-WebRequest|iwr|irm|Invoke-RestMethod)/ nocase
    $ps_iex2 = /(DownloadString|Invoke-RestMethod|irm)[^\n]{0,120}\| *(IEX|Invoke-Expression)/ nocase
    $ps_enc = /powershell(\.exe)?[^\n]{0,80} -(encodedcommand|enc|ec|e) +[A-Za-z0-9+\/=]{40,}/ nocase
    $certutil = /certutil(\.exe)? +-urlcache +(-split +)?-f +https?:/ nocase
    $bitsadmin = /bitsadmin(\.exe)? +\/transfer/ nocase
    $mshta = /mshta(\.exe)? +https?:/ nocase
    $ps_dl_run = /(Invoke-WebRequest|iwr|DownloadFile|Start-BitsTransfer)[^\n]{0,300}(Start-Process|saps|Invoke-Item|\bstart\b)/ nocase
    $tmp_exec = /\b(curl|wget)\b[^\n]{0,120}-[oO]\s*\/tmp\/[^\n]{0,160}chmod +(\+x|[0-7]{3})/
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

rule env_dump {
  meta: id = "CNT-ENV-DUMP"
  strings:
    $py1 = /json\.dumps\(\s*(dict\()?os\.environ\b/
    $py2 = /\b(str|repr)\(os\.environ\)/
    $js1 = /JSON\.stringify\(\s*process\.env\s*[,)]/
    $js2 = /Object\.(entries|keys|assign)\(\s*(\{\}\s*,\s*)?process\.env\s*\)/
    $js3 = /\bbtoa\(\s*JSON\.stringify\(process\.env/
  condition: any of them
}

rule persistence {
  meta: id = "CNT-PERSISTENCE"
  strings:
    $run = /Software\\{1,2}Microsoft\\{1,2}Windows\\{1,2}CurrentVersion\\{1,2}Run(Once)?[\x27\x22\\]/ nocase
    $schtasks = /schtasks(\.exe)? +\/create/ nocase
    $startup = /(Start Menu\\{1,2}Programs\\{1,2}Startup|shell:startup)/ nocase
    $crontab = /(\(crontab +-l|echo +[\x27\x22][^\x27\x22]{1,200}[\x27\x22] *\| *crontab +-|>> *\/etc\/crontab)/
    $rc = /(>>|open\([^)]{0,80}[\x27\x22]a[\x27\x22]).{0,80}\.(bashrc|zshrc|bash_profile|profile)\b/
    $launch = /Library\/LaunchAgents\/[A-Za-z0-9\.\-]+\.plist/
    $systemd = /\/etc\/systemd\/system\/[a-z0-9\-]+\.service/
  condition: any of them
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

rule packed_python {
  meta: id = "CNT-PACKED-CODE"
  strings:
    $pyarmor = /__pyarmor__\(|pyarmor_runtime\(/
    $pyobf = "pyobfuscate.com"
    $blank = /BlankOBF|Obfuscated (with|by) (Py|Blank|Hyperion|pyob)/
    $zexec = /exec\(__import__\(['"](zlib|lzma|bz2|base64|marshal)['"]\)\./
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

rule raw_ip_url {
  meta: id = "CNT-RAW-IP-URL"
  strings:
    $ip = /https?:\/\/([1-9][0-9]{0,2})\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{2,5})?\//
    $x_private = /https?:\/\/(127\.|10\.|0\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|169\.254\.|255\.|1\.2\.3\.4|8\.8\.[48]\.[48])/
  condition: #ip > #x_private
}

rule powershell_hidden {
  meta: id = "CNT-POWERSHELL-HIDDEN"
  strings:
    $ps = /powershell(\.exe)?/ nocase
    $hidden = /-(windowstyle|window|win|w).{1,4}hidden/ nocase
    $bypass = /-(executionpolicy|exec|ep).{1,4}bypass/ nocase
    $noprofile = /-(noprofile|nop)\b/ nocase
    $enc = /-(encodedcommand|enc|ec|e).{1,4}[A-Za-z0-9+\/=]{40,}/ nocase
    $iex = /\b(IEX|Invoke-Expression)\b/ nocase
    $b64 = "FromBase64String" nocase
    $dl = /(DownloadString|DownloadFile|Invoke-WebRequest|Invoke-RestMethod|Start-BitsTransfer)/ nocase
  condition: $ps and (($hidden and ($bypass or $noprofile or $enc)) or ($iex and ($b64 or $dl)) or $enc)
}
