import ctypes
import ctypes.util
import mmap
import os

libc = ctypes.CDLL(ctypes.util.find_library('c'))
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
cmp = CMP(lambda a, b: a[0] - b[0])


def sort(values):
    arr = (ctypes.c_int * len(values))(*values)
    libc.qsort(arr, len(arr), ctypes.sizeof(ctypes.c_int), cmp)
    return list(arr)


def table(path=os.path.join(os.path.dirname(__file__), 'table.bin')):
    with open(path, 'rb') as fh:
        return mmap.mmap(fh.fileno(), 0, prot=mmap.PROT_READ)


if os.name == 'nt':
    buf = ctypes.windll.kernel32.VirtualAlloc(None, 4096, 0x3000, 0x04)
