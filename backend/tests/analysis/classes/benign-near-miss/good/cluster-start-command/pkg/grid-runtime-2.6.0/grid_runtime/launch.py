import socket
import subprocess
import sys


def start(address, port=6379):
    host, _, given = address.partition(":")
    addrinfo = socket.getaddrinfo(host, int(given or port), proto=socket.IPPROTO_TCP)
    ip = addrinfo[0][4][0]
    cmd = [sys.executable, "-m", "grid_runtime.node", f"--address={ip}:{given or port}"]
    subprocess.run(cmd, check=True, capture_output=True)
