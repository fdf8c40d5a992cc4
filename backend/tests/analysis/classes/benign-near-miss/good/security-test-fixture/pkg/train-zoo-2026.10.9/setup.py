from setuptools import setup
setup(name='train-zoo', packages=['train_zoo'])
