import json
import pickle
from base64 import b64decode


def import_jobs(infile):
    def hook(dct):
        if data := dct.get("__jobs_pickle__"):
            return pickle.loads(b64decode(data))
        return dct

    return json.load(infile, object_hook=hook)
