"""The README's nginx recipe, run as written: nginx from Debian on loopback in front of `agora serve`.

The server block is taken from README.md; only what must differ on a test machine is replaced (the
`listen` line, the output folder and agora serve's port). A shopper then browses through nginx:
static pages (gzip'd), the cart and checkout with plain forms, the ranking, an activity feed and the
API, and nginx must never answer in agora's place or the other way round.
"""
import gzip
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from agora_site import running_site

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
NGINX = "/usr/sbin/nginx"


def recipe():
    blocks = re.findall(r"```nginx\n(.*?)```", open(README, encoding="utf-8").read(), re.S)
    return next(block for block in blocks if "server {" in block and "root " in block)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure(prefix, port, site):
    block = recipe()
    replacements = [("listen 443 ssl;", f"listen 127.0.0.1:{port};"), ("/var/www/shop", os.path.join(site.folder, "output")),
                    ("127.0.0.1:8080", f"127.0.0.1:{site.port}")]
    for old, new in replacements:
        assert old in block, f"the README's nginx recipe no longer has {old!r}; update this test with it"
        block = block.replace(old, new)
    temp = "\n".join(f"  {kind}_temp_path {prefix}/{kind};" for kind in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])
    config = f"""
user root;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 128; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {prefix}/access.log;
{temp}
{block}
}}
"""
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as file:
        file.write(config)
    return path


class Shopper:
    """A client with a cookie jar that talks to nginx as a browser without JavaScript would."""

    def __init__(self, port):
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        connection.close()
        return response, data

    def form(self, path, fields):
        # Only Origin, as an older browser sends: the check compares it with Host, port included.
        return self.request("POST", path, urllib.parse.urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})


def main():
    with running_site() as site, tempfile.TemporaryDirectory(prefix="agora-nginx-") as prefix:
        site.agora("users", "create", "mira", "--name", "Mira Okafor", input="mira's glaze notebook\n")
        port = free_port()
        config = configure(prefix, port, site)
        check = subprocess.run([NGINX, "-t", "-p", prefix, "-c", config], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        nginx = subprocess.Popen([NGINX, "-p", prefix, "-c", config, "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            walk(Shopper(port), site)
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    print("nginx recipe passed: static pages gzip'd by nginx, cart, checkout, ranking, activity feed and API through it")


def walk(shopper, site):
    response, body = shopper.request("GET", "/products/ash-glaze-mug/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200, response.status
    assert response.getheader("Server", "").startswith("nginx"), "static pages come from nginx, not agora serve"
    assert response.getheader("Content-Encoding") == "gzip", response.getheaders()
    assert "Accept-Encoding" in (response.getheader("Vary") or ""), "gzip_vary"
    assert b"Ash-Glazed Mug" in gzip.decompress(body)

    response, body = shopper.request("GET", "/no/such/page/")
    assert response.status == 404 and b"<html" in body.lower(), "the build's 404 page"
    open(os.path.join(site.folder, "output", ".agora-retired-assets"), "w").write("0 assets/x.css\n")
    assert shopper.request("GET", "/.agora-retired-assets")[0].status == 404, "dotfiles stay private"

    response, _ = shopper.form("/cart/add/CE-001", {"quantity": "2"})
    assert response.status == 303 and response.getheader("Location") == "/cart/", (response.status, response.getheaders())
    assert "agora_session" in shopper.cookies, "the session cookie comes through"
    response, body = shopper.request("GET", "/cart/")
    assert response.status == 200 and b"Ash-Glazed Mug" in body and b"Your cart: 2 items" in body, body[:400]

    response, body = shopper.request("GET", "/api/cart", headers={"Accept": "application/json"})
    assert response.status == 200 and b'"count":2' in body, body

    fields = {"first_name": "Ana", "last_name": "Silva", "email": "ana@example.com", "address": "Rua das Flores 1",
              "postal_code": "4050-262", "city": "Porto", "country": "PT"}
    response, _ = shopper.form("/orders/checkout/", fields)
    location = response.getheader("Location") or ""
    assert response.status == 303 and re.fullmatch(r"/orders/[A-Z0-9]{4}-[A-Z0-9]{4}/", location), (response.status, location)
    response, body = shopper.request("GET", location)
    assert response.status == 200 and b"Thank you" in body

    response, body = shopper.request("GET", "/ranking/")
    assert response.status == 200 and b"Most viewed" in body, response.status
    response, body = shopper.request("GET", "/people/mira/activity.atom")
    assert response.status == 200 and response.getheader("Content-Type", "").startswith("application/atom+xml"), response.status
    assert b"<feed" in body
    response, body = shopper.request("GET", "/healthz")
    assert response.status == 200 and b'"status":"ok"' in body


if __name__ == "__main__":
    sys.exit(main())
