from setuptools import setup
setup(name='cloud-cli', packages=['cloud_cli'])
