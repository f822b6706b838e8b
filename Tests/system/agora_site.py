"""A fresh demo site built and served by the real `agora` binary, for the system test suites."""
import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request

AGORA = os.environ.get("AGORA", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "agora"))


class Site:
    def __init__(self, folder, port, process):
        self.folder = folder
        self.port = port
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    def agora(self, *arguments, input=None):
        """Runs an `agora` command on this site (for example `users create`)."""
        return subprocess.run([AGORA, *arguments, "--site", self.folder], input=input, text=True,
                              capture_output=True, check=True)

    def healthy(self):
        with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
            return response.status == 200


@contextlib.contextmanager
def running_site(*serve_arguments, preexec_fn=None):
    """`agora init`, `agora build` and `agora serve` on a free port; stopped (SIGTERM) afterwards.
    `preexec_fn` runs in the server's process before it starts (to lower a resource limit, say)."""
    folder = tempfile.mkdtemp(prefix="agora-system-")
    try:
        subprocess.run([AGORA, "init", folder], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([AGORA, "build", "--site", folder, "--quiet"], check=True)
        process = subprocess.Popen([AGORA, "serve", "--site", folder, "--port", "0", "--stop-with-parent", *serve_arguments],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=preexec_fn)
        line = process.stdout.readline()
        match = re.search(r"127\.0\.0\.1:(\d+)/", line)
        if not match:
            process.kill()
            raise RuntimeError(f"agora serve did not start: {line!r}")
        try:
            yield Site(folder, int(match.group(1)), process)
        finally:
            process.terminate()
            process.wait(timeout=15)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
