from .core import loads
from . import _speedups  # noqa: F401
