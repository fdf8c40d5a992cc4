"""Build information."""
