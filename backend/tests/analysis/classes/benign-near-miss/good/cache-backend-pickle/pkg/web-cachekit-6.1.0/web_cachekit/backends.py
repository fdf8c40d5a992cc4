import base64
import pickle
import zlib


class FileCache:
    def __init__(self, path):
        self.path = path

    def get(self, key):
        with open(self._name(key), "rb") as f:
            return pickle.loads(zlib.decompress(f.read()))

    def set(self, key, value):
        with open(self._name(key), "wb") as f:
            f.write(zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)))

    def _name(self, key):
        return f"{self.path}/{key}.cache"


class DatabaseCache:
    def __init__(self, cursor):
        self.cursor = cursor

    def get(self, key):
        self.cursor.execute("SELECT value FROM cache WHERE key = %s", [key])
        value = self.cursor.fetchone()[0]
        return pickle.loads(base64.b64decode(value.encode(), validate=True))
