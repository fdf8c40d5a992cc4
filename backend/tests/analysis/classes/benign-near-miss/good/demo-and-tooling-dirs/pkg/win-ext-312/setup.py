from setuptools import setup
setup(name='win-ext', packages=['win_ext'])
