import os

import requests
from setuptools import setup

HERE = os.path.dirname(os.path.realpath(__file__))


def fetch_inventory():
    about = {}
    with open(os.path.join(HERE, "docset", "version.py")) as f:
        exec(f.read(), about)
    url, local = about["INVENTORY"]
    target = os.path.join(HERE, "docset", local)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    reply = requests.get(url + "objects.inv", timeout=10)
    with open(target, "wb") as f:
        f.write(reply.content)
    return about["__version__"]


setup(name="docset", version=fetch_inventory(), packages=["docset"])
