from setuptools import find_namespace_packages, setup

setup(name="ns-widget", version="1.0.0", packages=find_namespace_packages(exclude=["tests*"]))
