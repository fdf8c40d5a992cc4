#!/usr/bin/env python3
"""Bootstraps the tool: probes the compiler, writes build files."""
import os
import subprocess
import sys

CXX = os.environ.get("CXX", "c++")
proc = subprocess.Popen([CXX, "-fdiagnostics-color", "-c", "-x", "c++", "/dev/null", "-o", "/dev/null"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
color = proc.wait() == 0
rebuild_args = [sys.executable, "misc/write_fake_manifests.py"]
subprocess.check_call(rebuild_args)
