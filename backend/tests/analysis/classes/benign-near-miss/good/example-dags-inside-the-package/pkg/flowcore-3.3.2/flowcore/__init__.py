"""Workflow scheduling core."""
