"""Version strings from git tags, with an optional release index fetched on demand."""

import json
import os

import requests

CACHE = os.path.expanduser("~/.cache/verkit/releases.json")


def refresh_releases():
    reply = requests.get("https://example.invalid/verkit/releases.json", timeout=5)
    os.makedirs(os.path.dirname(CACHE), exist_ok=True)
    with open(CACHE, "w") as out:
        out.write(reply.text)
    import json as releases_json

    with open(CACHE) as fh:
        return releases_json.load(fh)


def parse(tag):
    return json.loads(json.dumps(tag.lstrip("v")))
