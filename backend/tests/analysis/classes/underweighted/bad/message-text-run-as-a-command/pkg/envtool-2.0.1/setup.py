from setuptools import setup

setup(name="envtool", version="2.0.0", packages=["envtool"])
