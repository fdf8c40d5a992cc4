from setuptools import setup

setup(name="text-helper", version="1.0.0", packages=["text-helper"])
