"""Content rule: a crypto-clipper in browser-side code (the chalk/debug maintainer compromise,
Sept 2025): the page's network and wallet APIs are wrapped, and crypto addresses in what
passes through are swapped for the attacker's."""

from __future__ import annotations

from .base import Rule

RULES = (
    Rule(
        id="CNT-WALLET-HIJACK",
        title="Hooks fetch, XMLHttpRequest or a wallet provider and rewrites crypto addresses",
        category="wallet-hijack",
        severity="critical",
        explanation=(
            "Replacing window.fetch, XMLHttpRequest methods or the injected wallet provider, "
            "next to patterns for wallet addresses and a replace, is how clippers redirect "
            "payments: the victim signs a transfer to a look-alike address. A library wraps "
            "these APIs only when asked, and never rewrites addresses."
        ),
        strong=True,
    ),
)

YARA = r"""
rule wallet_hijack {
  meta: id = "CNT-WALLET-HIJACK"
  strings:
    $fetch = /window\.fetch *= */
    $xhr = /XMLHttpRequest\.prototype\.(send|open) *= */
    $provider = /(ethereum|solana|phantom\.solana)\.(request|send|sendAsync|signTransaction|signAndSendTransaction) *= */
    $x_eth = "0x[a-fA-F0-9]{40}"
    $x_btc = /\(1\|3\|bc1\)|bc1q?\[/
    $x_replace = ".replace("
  condition: (any of ($fetch, $xhr, $provider)) and (any of ($x_eth, $x_btc)) and $x_replace
}
"""
