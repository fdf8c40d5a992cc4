"""An updater that saves a downloaded release note (never run) and starts a bundled helper,
and a signer that posts a signature (not the key) to the caller's own endpoint."""

import hashlib
import hmac
import os
import subprocess
import sys
import urllib.request

import requests

HERE = os.path.dirname(__file__)


def update(url):
    notes = requests.get(url, timeout=10).text
    with open(os.path.join(HERE, "NOTES.txt"), "w") as fh:
        fh.write(notes)
    urllib.request.urlretrieve(url + ".sig", os.path.join(HERE, "NOTES.sig"))
    return subprocess.run([sys.executable, os.path.join(HERE, "helper.py")], check=False)


def sign(private_key, payload, endpoint):
    digest = hmac.new(private_key.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return requests.post(endpoint, json={"payload": payload, "signature": digest}, timeout=10)
