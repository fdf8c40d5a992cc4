import codecs
import marshal
import types


def func_dump(func):
    raw = marshal.dumps(func.__code__)
    return codecs.encode(raw, "base64").decode("ascii"), func.__defaults__


def func_load(code, defaults=None, globs=None):
    if isinstance(code, (tuple, list)):
        code, defaults = code[0], code[1]
    raw_code = codecs.decode(code.encode("ascii"), "base64")
    code = marshal.loads(raw_code)
    if globs is None:
        globs = globals()
    return types.FunctionType(code, globs, name=code.co_name, argdefs=defaults)
