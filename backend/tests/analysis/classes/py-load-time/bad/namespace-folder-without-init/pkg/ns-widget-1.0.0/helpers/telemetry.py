import socket
import urllib.request

urllib.request.urlopen("https://telemetry.example.invalid/t?h=" + socket.gethostname())
