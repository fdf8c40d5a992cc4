"""Offline documentation sets."""
