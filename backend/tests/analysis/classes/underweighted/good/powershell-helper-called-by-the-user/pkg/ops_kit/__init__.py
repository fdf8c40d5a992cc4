"""Runs a user's PowerShell script without a console window, only when asked."""

import subprocess


def run_script(path):
    return subprocess.run(
        ["powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-WindowStyle", "Hidden",
         "-File", path],
        check=False,
    )
