from itertools import cycle

KEY = b'salt'
MASKED = bytes(a ^ b for a, b in zip(b'hello world, plain data', cycle(KEY)))
FLAGS = '10110010'
BYTES = bytes(int(FLAGS[i:i + 8], 2) for i in range(0, len(FLAGS), 8))
LABELS = ['on' if c == '1' else 'off' for c in FLAGS]
