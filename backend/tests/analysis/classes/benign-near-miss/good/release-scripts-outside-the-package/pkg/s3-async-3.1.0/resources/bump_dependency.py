"""Opens a pull request that bumps the pinned dependency (run by hand before a release)."""

import requests

resp = requests.get("https://index.example.invalid/pypi/s3core/json", timeout=10).json()
latest = resp["info"]["version"]
print(f"latest s3core: {latest}")
