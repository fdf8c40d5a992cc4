# -*- coding: latin-1 -*-
GREETING = 'olá'
