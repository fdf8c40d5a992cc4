import os
import subprocess

CXX = os.environ.get("CXX", "g++")
proc = subprocess.Popen([CXX, "-fdiagnostics-color", "-c", "-x", "c++", "/dev/null", "-o", "/dev/null"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
color = proc.wait() == 0
subprocess.check_call(["bash", "-c", "echo configured > build.ninja"])
