# -*- coding: iso-8859-5 -*-
"""Приветствия."""

HELLO = "Привет"


def greet(name):
    return HELLO + ", " + name
