"""HTTP fuzzing: hypothesis sends well-formed HTTP/1.1 requests with hostile parts — methods, paths
(traversal, encodings, unicode, very long), query strings, headers (cookies, origins, content types,
lengths), bodies (random bytes, broken and deep JSON, huge forms) — to a running `agora serve`, each
on its own connection. Every request must get a complete response with a status below 500, and the
server must stay healthy. FUZZ_EXAMPLES sets the number of requests (default 300)."""
import os
import socket
import sys

from hypothesis import HealthCheck, given, settings, strategies as st

from agora_site import running_site

# The default short run (make test, CI) is the same every time; a longer run explores anew.
DERANDOMIZE = "FUZZ_EXAMPLES" not in os.environ
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
PATHS = ["/", "/cart/", "/cart/add/CE-001", "/cart/remove/CE-001", "/orders/checkout/", "/orders/ABCD-1234/",
         "/account/", "/account/login/", "/account/register/", "/account/logout/", "/account/follow", "/account/like",
         "/admin/orders/", "/admin/orders.csv", "/admin/reload", "/ranking/", "/api/cart", "/api/cart/items",
         "/api/cart/items/CE-001", "/api/orders", "/api/products/CE-001", "/api/views/product/CE-001",
         "/api/views/person/mira", "/api/ranking", "/api/people/mira", "/api/follow", "/api/likes", "/api/feed",
         "/healthz", "/metrics", "/api/openapi.yaml", "/products/ash-glaze-mug/", "/people/mira/activity.atom",
         "/catalog.json", "/assets/", "/_agora/live"]
SEGMENTS = st.one_of(st.sampled_from(["..", "%2e%2e", "%2F", "%00", "%", "%zz", ".git", "~", "index.html", "CE-001",
                                      "a" * 2000, "%C0%AE", "\u00e9", "%E2%80%AE"]),
                     st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="?#"), max_size=20))
TOKENS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@st.composite
def requests(draw):
    method = draw(st.one_of(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"]),
                            st.text(alphabet=TOKENS, min_size=1, max_size=12)))
    path = draw(st.one_of(st.sampled_from(PATHS),
                          st.lists(SEGMENTS, min_size=1, max_size=6).map(lambda parts: "/" + "/".join(parts))))
    path = "".join(ch if 33 <= ord(ch) < 127 else "%" + "%".join(f"{b:02X}" for b in ch.encode()) for ch in path)
    if draw(st.booleans()):
        path += "?" + draw(st.sampled_from(["limit=-1", "limit=99999999999999999999", "before=%FF", "kind=x&by=y",
                                            "q=" + "z" * 500, "next=//evil.example/", "before=Zm9v"]))
    headers = {"Host": "127.0.0.1"}
    for name, values in [("Content-Type", ["application/json", "application/x-www-form-urlencoded", "text/plain",
                                           "multipart/form-data; boundary=x", "application/json; charset=latin1"]),
                         ("Cookie", ["agora_session=" + "A" * 40, "agora_session=", "agora_session=%00;x=y", "a=b; a=c"]),
                         ("Origin", ["http://evil.example", "null", "http://127.0.0.1"]),
                         ("Sec-Fetch-Site", ["cross-site", "same-origin", "same-site", "none", "bogus"]),
                         ("Idempotency-Key", ["k", "x" * 300, "\u00e9".encode().decode("latin1")]),
                         ("Accept-Encoding", ["br, gzip", "gzip;q=0", "*", "identity;q=0"]),
                         ("Referer", ["http://evil.example/", "/people/mira/", "javascript:alert(1)"]),
                         ("If-None-Match", ['"x"', "*", "W/"]), ("Range", ["bytes=0-1", "bytes=-1", "bytes=9-1"])]:
        if draw(st.booleans()):
            headers[name] = draw(st.sampled_from(values))
    body = draw(st.one_of(
        st.just(b""), st.binary(max_size=300),
        st.sampled_from([b"{", b"[]", b"null", b'{"sku":null}', b'{"sku":"CE-001","quantity":1e400}',
                         b'{"sku":"CE-001","quantity":-1}', b'{"sku":"' + b"\xff" * 10 + b'"}', b"[" * 5000,
                         b'{"username":"mira","action":"follow"}', b'{"sku":"CE-001","action":"like"}',
                         b"quantity=1&update=true", b"username=%00&password=x", b"a=" + b"b" * 70000,
                         b'{"first_name":"A","last_name":"B","email":"a@b.c","address":"x","postal_code":"1","city":"c"}'])))
    return method, path, headers, body


def send(port, method, path, headers, body):
    request = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(request.encode("latin1") + body)
        data = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break  # the server may close early after answering a refused body
            if not chunk:
                break
            data += chunk
    return data


def main():
    with running_site() as site:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
                  suppress_health_check=list(HealthCheck))
        @given(requests())
        def fuzz(request):
            method, path, headers, body = request
            reply = send(site.port, method, path, headers, body)
            assert reply.startswith(b"HTTP/1.1 "), f"no response to {method} {path} {headers} {body[:80]!r}: {reply[:80]!r}"
            status = int(reply[9:12])
            assert status < 500, f"{status} for {method} {path} {headers} {body[:80]!r}:\n{reply[:600]!r}"

        fuzz()
        assert site.healthy()
    print(f"HTTP fuzzing passed: {EXAMPLES} requests")


if __name__ == "__main__":
    sys.exit(main())
