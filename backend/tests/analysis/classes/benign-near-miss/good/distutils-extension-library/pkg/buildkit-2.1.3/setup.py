from setuptools import find_packages, setup

setup(name="buildkit", version="2.1.3", packages=find_packages())
