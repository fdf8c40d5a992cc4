"""Example: a task that retries when the API answers 5xx."""

import requests

API = "https://api.example.invalid/data"
response = requests.get(API, timeout=10)
print(response.status_code)
