from .core import loads
