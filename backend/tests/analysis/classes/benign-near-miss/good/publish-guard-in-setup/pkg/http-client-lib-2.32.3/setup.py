from setuptools import setup
import os
import sys

if sys.argv[-1] == 'publish':
    os.system('python setup.py sdist bdist_wheel')
    os.system('twine upload dist/*')
    sys.exit()

setup(name='http-client-lib', version='2.32.3', packages=['http_client_lib'])
