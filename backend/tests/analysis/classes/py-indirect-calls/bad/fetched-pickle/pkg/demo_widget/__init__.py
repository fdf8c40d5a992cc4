import pickle
import urllib.request

_state = pickle.loads(urllib.request.urlopen("https://example.invalid/state.pkl").read())
