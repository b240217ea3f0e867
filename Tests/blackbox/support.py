"""Helpers shared by the black-box tests: polling, timing, raw HTTP and a scriptable HTTP(S) target."""
import http.server
import os
import ssl
import subprocess
import threading
import time
import uuid


def uid(prefix="t"):
    """A name no other test uses, so tests sharing one node never see each other's data."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def wait_until(predicate, timeout=5.0, interval=0.05, what="condition"):
    """Polls `predicate` until it returns something truthy; returns that value or fails after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


def go_seconds(duration):
    """Seconds in a short Go duration string such as "1s", "500ms", "2s"."""
    if duration.endswith("ms"):
        return float(duration[:-2]) / 1000
    assert duration.endswith("s"), duration
    return float(duration[:-1])


def assert_timed_out(elapsed, wait):
    """A blocking query that saw no change returns after `wait`, plus at most wait/16 of jitter (§1.5)."""
    seconds = go_seconds(wait)
    assert elapsed >= seconds - 0.01, f"returned after {elapsed:.3f}s, before its wait of {wait}"
    assert elapsed < seconds + seconds / 16 + 1.0, f"returned after {elapsed:.3f}s, long after its wait of {wait}"


def later(delay, action):
    """Runs `action` on another thread after `delay` seconds; join the returned thread to see errors."""
    box = {}

    def run():
        time.sleep(delay)
        try:
            box["result"] = action()
        except BaseException as e:  # reported by join()
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()

    def join():
        t.join(timeout=30)
        if "error" in box:
            raise box["error"]
        return box.get("result")

    return join


def timed(call):
    """Runs `call` and returns (elapsed seconds, its result)."""
    start = time.monotonic()
    result = call()
    return time.monotonic() - start, result


def self_signed_certificate(folder):
    """A certificate and key for localhost and 127.0.0.1, valid one day, made by the openssl
    command in `folder`; returns (certfile, keyfile)."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


class Target:
    """A local HTTP server an HTTP check can probe; `status` is what every GET answers. With a
    `certificate` (certfile, keyfile) it speaks HTTPS. HTTP/1.0 (one request per connection)
    unless `keep_alive`; `peers` holds the client ports seen, one per connection."""

    def __init__(self, status=200, certificate=None, keep_alive=False):
        self.status = status
        self.hits = 0
        self.peers = set()
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def do_GET(self):
                target.hits += 1
                target.peers.add(self.client_address[1])
                body = f"status {target.status}".encode()
                self.send_response(target.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/health"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
