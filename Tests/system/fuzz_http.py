"""HTTP fuzzing: hypothesis sends well-formed HTTP/1.1 requests with hostile parts to a running
`agora serve`, each on its own connection, anonymous or as a logged-in admin. It knows the grammar
of what the server reads — conditional headers (HTTP dates in all three forms, ETags), ranges,
cookies, encodings with q-values, forwarding headers, idempotency keys, every route's path and
query parameters (pages, limits, cursors, days, kinds) — and draws extreme values for them: huge,
negative, overlong, out of the calendar. Every request must get a complete response with a status
below 500, and the server must stay healthy. Requests in fuzz-regressions/http/ (crashes found
once, kept) are replayed first. FUZZ_EXAMPLES sets the number of generated requests (default 400)."""
import os
import socket
import sys

from hypothesis import HealthCheck, given, settings, strategies as st

from agora_site import running_site

# The default short run (make test, CI) is the same every time; a longer run explores anew.
DERANDOMIZE = "FUZZ_EXAMPLES" not in os.environ
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "400"))
REGRESSIONS = os.path.join(os.path.dirname(__file__), "fuzz-regressions", "http")
TOKENS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Numbers as a client may write them where the server expects one.
NUMBERS = st.one_of(
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.sampled_from(["0", "-0", "+1", "-1", "1", "2", "20", "21", "50", "51", "100", "101", "2147483648", "4294967296",
                     "9223372036854775807", "9223372036854775808", "-9223372036854775808", "400000000000000000",
                     "99999999999999999999", "1e9", "1e400", "0x10", "1.5", "", " 1", "1 ", "\uff11", "NaN", "Infinity"]))
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@st.composite
def http_dates(draw):
    """IMF-fixdate, RFC 850 and asctime forms, with any field drawn from its extremes."""
    part = lambda normal: draw(st.one_of(st.just(normal), NUMBERS))
    day, year = part("06"), part(draw(st.sampled_from(["1994", "2026", "1970", "9999", "0000"])))
    hour, minute, second = part("08"), part("49"), part("37")
    month = draw(st.one_of(st.sampled_from(MONTHS), st.text(alphabet=TOKENS, max_size=4)))
    weekday = draw(st.sampled_from(DAYS + ["Sunday", "", "Xyz"]))
    form = draw(st.integers(0, 3))
    if form == 0:
        return f"{weekday}, {day} {month} {year} {hour}:{minute}:{second} GMT"
    if form == 1:
        return f"{weekday}, {day}-{month}-{year[-2:]} {hour}:{minute}:{second} GMT"
    if form == 2:
        return f"{weekday} {month} {day} {hour}:{minute}:{second} {year}"
    return draw(st.text(alphabet=TOKENS + " ,:", max_size=40))


ETAGS = st.one_of(st.sampled_from(['"x"', "*", "W/", 'W/"x"', '"', '"' + "a" * 5000, '"a", W/"b", *', ", , ,"]),
                  st.lists(st.text(alphabet=TOKENS, max_size=12).map(lambda t: f'"{t}"'), max_size=20).map(", ".join))
RANGES = st.one_of(st.tuples(NUMBERS, NUMBERS).map(lambda r: f"bytes={r[0]}-{r[1]}"), NUMBERS.map(lambda n: f"bytes=-{n}"),
                   st.sampled_from(["bytes=0-0,1-1,2-2", "bytes=", "items=0-1", "bytes=" + ",".join(["0-1"] * 500)]))
COOKIES = st.one_of(
    st.sampled_from(["agora_session=" + "A" * 40, "agora_session=", "agora_session=%00;x=y", "a=b; a=c", "agora_session=" + "x" * 8000,
                     "; ; ;", "=", "agora_session=\"quoted\"", "; ".join(f"c{i}=v" for i in range(500))]),
    st.text(alphabet=TOKENS + "=; ", max_size=60))
ENCODINGS = st.one_of(st.sampled_from(["br, gzip", "gzip;q=0", "*", "identity;q=0", "gzip;q=1e400", "br;q=-1", "gzip;q=NaN",
                                       "gzip;q=0.0000001", "," * 2000]),
                      st.tuples(st.sampled_from(["gzip", "br", "*", "x"]), NUMBERS).map(lambda e: f"{e[0]};q={e[1]}"))
HEADERS = {
    "If-Modified-Since": http_dates(), "If-Unmodified-Since": http_dates(), "If-Range": st.one_of(http_dates(), ETAGS),
    "If-None-Match": ETAGS, "If-Match": ETAGS, "Range": RANGES, "Cookie": COOKIES, "Accept-Encoding": ENCODINGS,
    "Content-Type": st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=latin1",
                                     "multipart/form-data; boundary=x", "application/json;" + "a=b;" * 300]),
    "Origin": st.sampled_from(["http://evil.example", "null", "http://127.0.0.1", "http://127.0.0.1:99999999999999999999"]),
    "Sec-Fetch-Site": st.sampled_from(["cross-site", "same-origin", "same-site", "none", "bogus"]),
    "Idempotency-Key": st.one_of(st.text(alphabet=TOKENS, max_size=300), st.just("\u00e9".encode().decode("latin1"))),
    "Referer": st.sampled_from(["http://evil.example/", "/people/mira/", "javascript:alert(1)", "http://127.0.0.1:0/x"]),
    "X-Forwarded-For": st.sampled_from(["203.0.113.5", "1.1.1.1, 2.2.2.2", "", "x" * 300, "::1", "127.0.0.1"]),
    "Forwarded": st.sampled_from(["for=203.0.113.5", "for=\"[::1]\"", "by=;for=", ""]),
    "Accept": st.sampled_from(["application/json", "text/html", "*/*", "text/html;q=1e400"]),
}
DAYS_PARAMETER = st.one_of(st.sampled_from(["2026-01-31", "2026-02-30", "0000-00-00", "9999-12-31", "99999-01-01", "-001-01-01"]),
                           st.tuples(NUMBERS, NUMBERS, NUMBERS).map("-".join))
QUERY = {
    "page": NUMBERS, "limit": NUMBERS, "before": st.one_of(NUMBERS, st.sampled_from(["%FF", "Zm9v"])),
    "status": st.sampled_from(["pending", "paid", "cancelled", "", "x"]), "from": DAYS_PARAMETER, "to": DAYS_PARAMETER,
    "kind": st.sampled_from(["product", "person", "x", ""]), "by": st.sampled_from(["views", "likes", "x", ""]),
    "next": st.sampled_from(["/cart/", "//evil.example/", "/\\evil", "https://evil.example/"]), "q": st.text(max_size=50),
}
ROUTES = ["/", "/cart/", "/cart/add/{sku}", "/cart/remove/{sku}", "/orders/checkout/", "/orders/{order}/", "/account/",
          "/account/login/", "/account/register/", "/account/logout/", "/account/follow", "/account/like", "/admin/orders/",
          "/admin/orders/{order}/", "/admin/orders/{order}/mark-paid", "/admin/orders/{order}/cancel", "/admin/orders.csv",
          "/admin/outbox/", "/admin/outbox/{number}/retry", "/admin/reload", "/ranking/", "/api/cart", "/api/cart/items",
          "/api/cart/items/{sku}", "/api/orders", "/api/products/{sku}", "/api/views/product/{sku}", "/api/views/person/{user}",
          "/api/ranking", "/api/people/{user}", "/api/follow", "/api/likes", "/api/feed", "/healthz", "/metrics",
          "/api/openapi.yaml", "/products/ash-glaze-mug/", "/people/{user}/activity.atom", "/catalog.json", "/robots.txt",
          "/assets/", "/_agora/live", "/catalog", "//catalog", "/catalog/page/{number}/"]
SEGMENTS = st.one_of(st.sampled_from(["..", "%2e%2e", "%2F", "%00", "%", "%zz", ".git", "~", "index.html", "CE-001",
                                      "a" * 2000, "%C0%AE", "\u00e9", "%E2%80%AE"]),
                     st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="?#"), max_size=20))
BODIES = st.one_of(
    st.just(b""), st.binary(max_size=300),
    st.sampled_from([b"{", b"[]", b"null", b'{"sku":null}', b'{"sku":"CE-001","quantity":1e400}',
                     b'{"sku":"CE-001","quantity":-1}', b'{"sku":"CE-001","quantity":9223372036854775808}',
                     b'{"sku":"CE-001","quantity":-9223372036854775808}', b'{"sku":"' + b"\xff" * 10 + b'"}', b"[" * 5000,
                     b'{"username":"mira","action":"follow"}', b'{"sku":"CE-001","action":"like"}',
                     b"quantity=1&update=true", b"quantity=9223372036854775808", b"quantity=-0", b"username=%00&password=x",
                     b"a=" + b"b" * 70000, b"password=" + b"p" * 60000 + b"&username=admin",
                     b'{"first_name":"A","last_name":"B","email":"a@b.c","address":"x","postal_code":"1","city":"c"}',
                     b'{"first_name":"A","last_name":"B","email":"a@b.c","address":"x","postal_code":"1","city":"c","country":"PT"}']))


STATIC_FILES = ["/", "/robots.txt", "/catalog/", "/products/ash-glaze-mug/", "/catalog.json", "/feed.xml", "/sitemap.xml",
                "/404.html", "/people/", "/search.json"]
CONDITIONAL = ["If-Modified-Since", "If-Unmodified-Since", "If-None-Match", "If-Match", "If-Range", "Range", "Accept-Encoding"]


@st.composite
def conditional_requests(draw):
    """GET and HEAD of static files with conditional, range and encoding headers: what caches send."""
    method = draw(st.sampled_from(["GET", "GET", "HEAD"]))
    path = draw(st.sampled_from(STATIC_FILES))
    headers = {"Host": "127.0.0.1"}
    for name in draw(st.lists(st.sampled_from(CONDITIONAL), min_size=1, max_size=3, unique=True)):
        headers[name] = draw(HEADERS[name])
    return method, path, headers, b"", draw(st.booleans())


@st.composite
def parameter_requests(draw):
    """Every route's query parameters, anonymous or as an admin, with numbers, days and cursors at their extremes."""
    path = draw(st.sampled_from(["/admin/orders/", "/admin/orders.csv", "/api/ranking", "/api/feed", "/account/login/",
                                 "/ranking/", "/admin/outbox/", "/cart/"]))
    names = draw(st.lists(st.sampled_from(sorted(QUERY)), min_size=1, max_size=4, unique=True))
    query = "&".join(f"{name}={draw(QUERY[name])}".replace(" ", "%20").replace("#", "%23") for name in names)
    query = "".join(ch if 33 <= ord(ch) < 127 else "%" + "%".join(f"{b:02X}" for b in ch.encode()) for ch in query)
    return draw(st.sampled_from(["GET", "HEAD"])), f"{path}?{query}", {"Host": "127.0.0.1"}, b"", draw(st.booleans())


def requests():
    return st.one_of(conditional_requests(), parameter_requests(), any_requests())


@st.composite
def any_requests(draw):
    method = draw(st.one_of(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"]),
                            st.text(alphabet=TOKENS, min_size=1, max_size=12)))
    if draw(st.integers(0, 4)):
        path = draw(st.sampled_from(ROUTES)).format(
            sku=draw(st.one_of(st.sampled_from(["CE-001", "TC-004"]), NUMBERS, SEGMENTS)),
            order=draw(st.one_of(st.sampled_from(["ABCD-1234", "abcd1234"]), NUMBERS, SEGMENTS)),
            user=draw(st.one_of(st.sampled_from(["mira", "olga"]), SEGMENTS)), number=draw(NUMBERS))
    else:
        path = "/" + "/".join(draw(st.lists(SEGMENTS, min_size=1, max_size=6)))
    path = "".join(ch if 33 <= ord(ch) < 127 else "%" + "%".join(f"{b:02X}" for b in ch.encode()) for ch in path)
    parameters = draw(st.lists(st.sampled_from(sorted(QUERY)), max_size=4, unique=True))
    if parameters:
        pairs = [f"{name}={draw(QUERY[name])}" for name in parameters]
        path += "?" + "&".join(pair.replace(" ", "%20").replace("#", "%23") for pair in pairs)
    headers = {"Host": draw(st.sampled_from(["127.0.0.1", "127.0.0.1:99999999999999999999", "[::1]", "x" * 300]))}
    for name in draw(st.lists(st.sampled_from(sorted(HEADERS)), max_size=5, unique=True)):
        headers[name] = draw(HEADERS[name])
    return method, path, headers, draw(BODIES), draw(st.booleans())


def send(port, method, path, headers, body):
    request = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return send_raw(port, request.encode("latin1", "replace") + body)


def send_raw(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        try:
            connection.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading a refused body
        reply = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            reply += chunk
    return reply


def check(reply, what):
    assert reply.startswith(b"HTTP/1.1 "), f"no response to {what}: {reply[:80]!r}"
    status = int(reply[9:12])
    assert status < 500, f"{status} for {what}:\n{reply[:600]!r}"


def admin_cookie(site):
    """Logs in as an admin made with `agora users create`, so the admin pages are fuzzed too."""
    site.agora("users", "create", "fuzzadmin", "--email", "fuzz@example.com", "--admin", input="fuzz admin password\n")
    body = b"username=fuzzadmin&password=fuzz+admin+password"
    reply = send(site.port, "POST", "/account/login/", {"Host": "127.0.0.1", "Content-Type": "application/x-www-form-urlencoded"}, body)
    for line in reply.split(b"\r\n"):
        if line.lower().startswith(b"set-cookie: agora_session="):
            return line.split(b":", 1)[1].split(b";", 1)[0].strip().decode()
    raise RuntimeError(f"admin login failed: {reply[:300]!r}")


def main():
    with running_site() as site:
        cookie = admin_cookie(site)
        kept = sorted(os.listdir(REGRESSIONS))
        for name in kept:
            with open(os.path.join(REGRESSIONS, name), "rb") as file:
                data = file.read().replace(b"{admin_cookie}", cookie.encode()).replace(b"\n", b"\r\n")
            check(send_raw(site.port, data), f"fuzz-regressions/http/{name}")
            assert site.healthy(), f"the server stopped after fuzz-regressions/http/{name}"

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
                  suppress_health_check=list(HealthCheck))
        @given(requests())
        def fuzz(request):
            method, path, headers, body, as_admin = request
            if as_admin:
                headers["Cookie"] = cookie + ("; " + headers["Cookie"] if "Cookie" in headers else "")
            reply = send(site.port, method, path, headers, body)
            check(reply, f"{method} {path} {headers} {body[:80]!r}")

        fuzz()
        assert site.healthy()
    print(f"HTTP fuzzing passed: {len(kept)} kept requests, {EXAMPLES} generated")


if __name__ == "__main__":
    sys.exit(main())
