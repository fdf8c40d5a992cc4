from setuptools import setup
setup(name='browser-driver', packages=['browser_driver'])
