from .client import ClientSession
__version__ = '3.9.6'
