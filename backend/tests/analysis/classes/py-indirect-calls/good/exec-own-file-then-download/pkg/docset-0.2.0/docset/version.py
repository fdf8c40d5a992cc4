__version__ = "0.2.0"
INVENTORY = ("https://example.invalid/docs/", "inventories/python.inv")
