"""Connection exhaustion (SPEC §6.11): hundreds of idle, half-sent-header and half-sent-body
connections held open against a real `agora serve` started with a low soft open-file limit.
While they are held, a normal client is served; then the server closes every one of them within
its timeouts. The server must also have raised its soft open-file limit to the hard one."""
import os
import resource
import select
import socket
import sys
import time
import urllib.request

from agora_site import running_site

HELD = 200            # of each kind: idle, half a header, half a body
SOFT_LIMIT = 256      # below what the held connections need, unless the server raises it
TIMEOUTS = ["--header-timeout", "4", "--idle-timeout", "5", "--body-timeout", "4"]


def low_soft_limit():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (SOFT_LIMIT, hard))


def open_connections(port):
    held = []
    for kind in ("idle", "header", "body"):
        for _ in range(HELD):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            if kind == "header":
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            elif kind == "body":
                connection.sendall(b"POST /api/cart/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                   b"Content-Length: 1000\r\n\r\n{\"sku\":")
            held.append((kind, connection))
    return held


def closed_by_server(connection, deadline):
    """True once the server has closed the connection (EOF or reset) before `deadline`."""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([connection], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            if connection.recv(65536) == b"":
                return True
        except (ConnectionResetError, TimeoutError):
            return True
    return False


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def main():
    with running_site(*TIMEOUTS, preexec_fn=low_soft_limit) as site:
        limits = open(f"/proc/{site.process.pid}/limits").read()
        line = next(l for l in limits.splitlines() if l.startswith("Max open files"))
        soft, hard = line.split()[3:5]
        assert soft == hard, f"the server kept its soft open-file limit: {line}"

        started = time.monotonic()
        held = open_connections(site.port)
        accepted = 0
        while time.monotonic() < started + 3.5 and accepted <= 3 * HELD:
            accepted = descriptors(site.process.pid)
            time.sleep(0.05)
        assert accepted > 3 * HELD, f"the server holds {accepted} descriptors, not the {3 * HELD} connections"
        # A normal client is served while all of them are held (well within the 4 s timeouts).
        with urllib.request.urlopen(site.url + "/healthz", timeout=5) as response:
            assert response.status == 200
        with urllib.request.urlopen(site.url + "/catalog/", timeout=5) as response:
            assert response.status == 200
        opened_in = time.monotonic() - started

        # Every held connection is closed by the server within its timeout (plus slack).
        deadline = time.monotonic() + 12
        open_after = [kind for kind, connection in held if not closed_by_server(connection, deadline)]
        assert not open_after, f"{len(open_after)} connections still open after the timeouts: {set(open_after)}"
        for _, connection in held:
            connection.close()

        # A kept-alive connection that goes quiet after a request is closed too.
        keep = socket.create_connection(("127.0.0.1", site.port), timeout=5)
        keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert keep.recv(65536).startswith(b"HTTP/1.1 200")
        assert closed_by_server(keep, time.monotonic() + 10), "an idle kept-alive connection stayed open"
        keep.close()
        assert site.healthy()
    print(f"Connection exhaustion passed: {3 * HELD} connections held (opened in {opened_in:.1f} s) "
          f"with a soft limit of {SOFT_LIMIT}, all closed by their timeouts")


if __name__ == "__main__":
    sys.exit(main())
