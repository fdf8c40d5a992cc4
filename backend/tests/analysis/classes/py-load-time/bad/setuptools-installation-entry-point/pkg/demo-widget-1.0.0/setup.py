from setuptools import setup
setup(
    name='demo-widget',
    packages=['demo_widget'],
    entry_points={'setuptools.installation': ['eggsecutable = demo_widget.boot:main']},
)
