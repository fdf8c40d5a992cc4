from setuptools import setup
setup(name="ru-greet", version="1.2.0", packages=["ru_greet"])
