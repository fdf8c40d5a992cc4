"""Numerical build helpers."""

__version__ = "2.1.3"
