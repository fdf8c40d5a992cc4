"""Content rules: a package that spreads itself (the Shai-Hulud worms, 2025): it publishes
packages with the victim's registry token, or plants CI workflows that hand the repository's
secrets out."""

from __future__ import annotations

from .base import Rule

RULES = (
    Rule(
        id="CNT-WORM-PUBLISH",
        title="Republishes packages with the victim's registry token",
        category="propagation",
        severity="critical",
        explanation=(
            "Code that reads the npm token, asks the registry which packages its owner "
            "maintains and runs npm publish is a worm: each install infects the victim's own "
            "packages. Release tools publish the project they are run in, on request."
        ),
        strong=True,
    ),
    Rule(
        id="CNT-WORKFLOW-PLANT",
        title="Writes a CI workflow that hands out repository secrets",
        category="propagation",
        severity="critical",
        explanation=(
            "A package that writes files under .github/workflows (on disk or through the "
            "GitHub API) with toJSON(secrets) or a self-hosted runner leaves a backdoor that "
            "runs on every push. Read the workflow it writes."
        ),
        strong=True,
    ),
)

YARA = r"""
rule worm_publish {
  meta: id = "CNT-WORM-PUBLISH"
  strings:
    $publish = /npm[\x27\x22]? *,? *\[? *[\x27\x22]?publish\b|\bnpm +publish\b/
    $x_token = /NPM_TOKEN|_authToken|\.npmrc\b/
    $x_enum = /\/-\/whoami|maintainer:|\/-\/v1\/search|\/-\/user\/|\/-\/org\//
  condition: $publish and $x_token and $x_enum
}

rule workflow_plant {
  meta: id = "CNT-WORKFLOW-PLANT"
  strings:
    $path1 = /\.github[\/\\]{1,2}workflows/
    $path2 = /[\x27\x22]\.github[\x27\x22] *, *[\x27\x22]workflows[\x27\x22]/
    $x_secrets = /toJSON\( *secrets *\)/
    $x_runner = /runs-on: *self-hosted/
    $x_write = /writeFileSync|writeFile\(|\.write_text\(|open\([^)]{0,120}[\x27\x22]w|method: *[\x27\x22]PUT/
  condition: (any of ($path*)) and ($x_secrets or $x_runner) and $x_write
}
"""
