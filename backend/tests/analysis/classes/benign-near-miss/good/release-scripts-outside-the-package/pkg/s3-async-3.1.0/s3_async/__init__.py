"""Async S3 helpers."""

__version__ = "3.1.0"
