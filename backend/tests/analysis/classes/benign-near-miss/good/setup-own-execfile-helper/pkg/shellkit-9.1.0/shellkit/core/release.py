version = "9.1.0"
author = "Ada Example"
