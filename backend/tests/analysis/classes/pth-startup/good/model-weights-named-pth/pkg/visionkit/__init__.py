"""Pretrained image classifiers; weights are downloaded on first use."""

import os
import urllib.request

CACHE = os.path.join(os.path.expanduser("~"), ".cache", "visionkit")


def weights(name="resnet18"):
    os.makedirs(CACHE, exist_ok=True)
    target = os.path.join(CACHE, name + ".pth")
    if not os.path.exists(target):
        data = urllib.request.urlopen("https://example.invalid/weights/" + name + ".pth").read()
        with open(target, "wb") as fh:
            fh.write(data)
    return target
