def add_shim():
    pass
