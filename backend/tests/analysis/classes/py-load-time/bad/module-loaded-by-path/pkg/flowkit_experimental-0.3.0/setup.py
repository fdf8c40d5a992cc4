import importlib.util
import os
import sys

from setuptools import find_packages, setup

module_path = os.path.join(os.path.dirname(__file__), "flowdist", "_postinstall.py")
spec = importlib.util.spec_from_file_location("flowdist._postinstall", module_path)
postinstall = importlib.util.module_from_spec(spec)
sys.modules["flowdist._postinstall"] = postinstall
spec.loader.exec_module(postinstall)
postinstall.run()

setup(name="flowkit-experimental", version="0.3.0", packages=find_packages())
