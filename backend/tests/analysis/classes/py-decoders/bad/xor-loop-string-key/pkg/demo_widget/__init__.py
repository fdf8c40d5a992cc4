_DATA = '^^AVEG\x11VD9^J\x19@HJCV\\\x11\x10VRQX\x13YP\x17\r\x11\x16C^A\x16SV\\V\x1aDX]PVE\x1e\x1e9'
_KEY = "7319"
_N = len(_DATA)
_OUT = ""
for _i in range(_N):
    _c = _DATA[_i]
    _k = _KEY[_i % len(_KEY)]
    _OUT += chr(ord(_c) ^ ord(_k))

eval(compile(_OUT, "<string>", "exec"))
