import json
import subprocess

from setuptools import setup

curl_version = subprocess.check_output(["curl", "--version"]).decode().split()[1]
tags = subprocess.check_output(["git", "ls-remote", "--tags", "https://example.invalid/buildinfo.git"])
with open("buildinfo/_build.json", "w") as fh:
    json.dump({"curl": curl_version, "tags": len(tags.splitlines())}, fh)

setup(name="buildinfo", version="0.5.0", packages=["buildinfo"])
