import os

_DATA = os.path.join(os.path.dirname(__file__), 'public_suffix_list.dat')
