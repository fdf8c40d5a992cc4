"""META-TYPOSQUAT and META-DEPCONF-VERSION: what the package's name and version say."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Rule
from .metadata import depconf_version, typosquat_target

if TYPE_CHECKING:
    from .subjects import PackageCheck

TYPOSQUAT = Rule(
    id="META-TYPOSQUAT",
    title="Name is one edit away from a popular package",
    category="typosquat",
    severity="medium",
    explanation=(
        "Typosquats catch people who mistype a popular name. Compare with the popular package "
        "it imitates and check whether the code does what that package does."
    ),
)
DEPCONF = Rule(
    id="META-DEPCONF-VERSION",
    title="Version number typical of dependency-confusion attacks (99.x, 999.x…)",
    category="dependency-confusion",
    severity="medium",
    explanation=(
        "A huge version number makes package managers prefer this public package over a "
        "company's private one of the same name."
    ),
)
RULES = (TYPOSQUAT, DEPCONF)


def check_package(p: PackageCheck) -> None:
    name = p.package.name
    target = typosquat_target(name, p.package.ecosystem)
    if target:
        p.emit(TYPOSQUAT, None, name, f"'{name}' is one edit from the popular '{target}'.")
    version = p.package.version or p.version
    if depconf_version(version):
        p.emit(DEPCONF, None, f"{name} {version}", f"Version {version}.")
