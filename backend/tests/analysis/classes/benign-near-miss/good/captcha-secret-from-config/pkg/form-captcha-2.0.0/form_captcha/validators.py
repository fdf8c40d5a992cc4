import json
from urllib import request as http
from urllib.parse import urlencode

from webapp import current_app

VERIFY_DEFAULT = "https://captcha.example.invalid/api/siteverify"


def verify(response, remote_addr):
    private_key = current_app.config["CAPTCHA_PRIVATE_KEY"]
    server = current_app.config.get("CAPTCHA_VERIFY_SERVER")
    if not server:
        server = VERIFY_DEFAULT
    data = urlencode({"secret": private_key, "remoteip": remote_addr, "response": response})
    answer = http.urlopen(server, data.encode("utf-8"))
    if answer.code != 200:
        return False
    return json.loads(answer.read()).get("success", False)
