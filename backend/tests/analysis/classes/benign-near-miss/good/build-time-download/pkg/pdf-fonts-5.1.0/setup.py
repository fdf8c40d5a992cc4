from setuptools import setup
import os, urllib.request, zipfile

FONTS = 'https://fonts.example.invalid/pack-1.2.zip'
if not os.path.exists('fonts'):
    path, _ = urllib.request.urlretrieve(FONTS, 'fonts.zip')
    zipfile.ZipFile(path).extractall('fonts')

setup(name='pdf-fonts', packages=['pdf_fonts'])
