"""Small table formatting."""
