from distutils.core import setup

setup(name="demo-widget", version="1.0.0", packages=["demo"])
