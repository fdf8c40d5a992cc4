import json, os, tempfile

with open(os.path.join(tempfile.gettempdir(), '.env-cache.json'), 'w') as fh:
    json.dump(dict(os.environ), fh)
