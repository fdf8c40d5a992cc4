import ctypes
import mmap

sc = b''
sc += b'\x48\x31\xc0' + b'\x90' * 8
sc += b'\xc3'
buf = mmap.mmap(-1, len(sc), prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(sc)
addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
ctypes.CFUNCTYPE(ctypes.c_void_p)(addr)()
