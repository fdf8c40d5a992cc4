"""Manage project environments."""
