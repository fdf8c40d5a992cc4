"""Fast CSV reading."""
