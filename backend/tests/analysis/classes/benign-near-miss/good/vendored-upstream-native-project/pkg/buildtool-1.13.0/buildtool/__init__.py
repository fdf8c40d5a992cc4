"""Runs the bundled tool."""
