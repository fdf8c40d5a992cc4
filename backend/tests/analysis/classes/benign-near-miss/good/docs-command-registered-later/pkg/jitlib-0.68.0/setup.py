import subprocess

from setuptools import Command, setup

import versioneer


class build_doc(Command):
    description = "build documentation"
    user_options = []

    def initialize_options(self):
        pass

    def finalize_options(self):
        pass

    def run(self):
        subprocess.run(["make", "-C", "docs", "html"])
        subprocess.run(["sphinx-build", "-b", "linkcheck", "docs", "build/linkcheck"])


cmdclass = versioneer.get_cmdclass()
cmdclass["build_doc"] = build_doc

metadata = dict(name="jitlib", version=versioneer.get_version(), packages=["jitlib"], cmdclass=cmdclass)
setup(**metadata)
