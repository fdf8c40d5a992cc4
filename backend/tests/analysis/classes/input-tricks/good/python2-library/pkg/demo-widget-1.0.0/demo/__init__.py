"""An old Python 2 helper: print statements, octal modes, `except E, e:`, long ints."""
import os
import socket

MODE = 0755
BIG = 10L


def main(path):
    try:
        os.chmod(path, MODE)
    except OSError, e:
        print >>sys.stderr, "cannot chmod", path, e
    print "host:", socket.gethostname()
    if BIG <> 10:
        raise ValueError, "unexpected"
    exec "x = 1"
