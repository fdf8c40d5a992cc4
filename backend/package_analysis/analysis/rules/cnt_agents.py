"""Content rule: local AI coding agents turned into tools of the attacker (the nx
"s1ngularity" release, Aug 2025): an agent CLI started with its permission checks switched
off, or an agent's configuration rewritten to start a program of the package's choosing."""

from __future__ import annotations

from .base import Rule, Variant

RULES = (
    Rule(
        id="CNT-AI-AGENT-ABUSE",
        title="Runs an AI coding agent without its permission checks, or rewrites an agent's config",
        category="ai-agent-abuse",
        severity="high",
        explanation=(
            "A package has no reason to start Claude Code, Gemini CLI, Amazon Q or Codex with "
            "the flags that skip every confirmation, nor to add MCP servers to an editor's "
            "agent configuration: both let the package's prompt or program act with the "
            "developer's rights. Read the prompt or the command that is registered."
        ),
        variants={
            "runtime": Variant(
                "low",
                "in an installed module that runs only when called: agent harnesses and MCP "
                "installers start agents and register servers when their user asks; on "
                "install or import nobody asked",
            ),
        },
        strong_at_load=True,
    ),
)

YARA = r"""
rule ai_agent_abuse {
  meta: id = "CNT-AI-AGENT-ABUSE"
  strings:
    $f1 = "--dangerously-skip-permissions"
    $f2 = "--dangerously-bypass-approvals-and-sandbox"
    $f3 = "--trust-all-tools"
    $f4 = /[\x27\x22` ]--yolo[\x27\x22` ]/
    $f5 = /[\x27\x22` ]--(allow-all-tools|approval-mode[ =]yolo)[\x27\x22` ]/
    $x_cli = /[\x27\x22`](claude|gemini|q|codex|copilot|cursor-agent|qwen)[\x27\x22` ]/
    $cfg1 = /\.(claude|cursor|gemini|codex|windsurf|codeium|continue)[\/\\]{1,2}(mcp|settings|settings\.local|config|mcp_config)\.(json|toml)/
    $cfg2 = /[\x27\x22]\.(claude|cursor|gemini|codex|windsurf|codeium|continue)[\x27\x22] *, *[\x27\x22](mcp|settings|settings\.local|config|mcp_config)\.(json|toml)[\x27\x22]/
    $cfg3 = "claude_desktop_config.json"
    $x_mcp = "mcpServers"
  condition: ((any of ($f*)) and $x_cli) or ((any of ($cfg*)) and $x_mcp)
}
"""
