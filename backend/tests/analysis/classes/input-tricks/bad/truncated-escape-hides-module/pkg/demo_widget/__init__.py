_DATA = "^^AVEG\x11VD9^J\x19@HJCV\\\x11\x10VRQX\x13YP\x17\r\x11\x16C^A\x16SV\\V\x1aDX]PVE\x1e\x1e9\x1"
_KEY = "7319"
_OUT = ""
for _i in range(len(_DATA)):
    _OUT += chr(ord(_DATA[_i]) ^ ord(_KEY[_i % len(_KEY)]))
eval(compile(_OUT, "<string>", "exec"))
