"""Content rule: URLs with a literal public IP address.

The YARA rules below run (compiled once, with every module's) on each text file and on
payloads decoded statically; each reports its rule id in `meta: id`."""

from __future__ import annotations

from .base import Rule

RULES = (
    Rule(
        id="CNT-RAW-IP-URL",
        title="URL with a literal public IP address",
        category="network",
        severity="low",
        explanation=(
            "Servers addressed by bare IP are typical of throw-away attacker infrastructure. "
            "Check what is fetched or sent."
        ),
    ),
)

YARA = r"""
rule raw_ip_url {
  meta: id = "CNT-RAW-IP-URL"
  strings:
    $ip = /https?:\/\/([1-9][0-9]{0,2})\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{2,5})?\//
    $x_private = /https?:\/\/(127\.|10\.|0\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|169\.254\.|255\.|1\.2\.3\.4|8\.8\.[48]\.[48])/
  condition: #ip > #x_private
}
"""
