import json


def loads(s):
    return json.loads(s)
