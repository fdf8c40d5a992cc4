from setuptools import setup
setup(name='fastjsonx', version='2.1.0', packages=['fastjsonx'])
