import re

import pyperclip

ADDRESS = re.compile(r'^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$')


def paste_address():
    value = pyperclip.paste().strip()
    if not ADDRESS.match(value):
        raise ValueError('not a bitcoin address')
    return value


def copy_address(address):
    pyperclip.copy(address)
