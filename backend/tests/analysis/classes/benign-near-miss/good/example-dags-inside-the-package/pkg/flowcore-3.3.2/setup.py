from setuptools import find_packages, setup

setup(name="flowcore", version="3.3.2", packages=find_packages())
