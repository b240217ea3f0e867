"""Proves the HTTP/1.1 layer over real sockets: smuggling shapes get 4xx and a closed connection
while the node keeps serving, pipelining keeps order, 100-continue, slow clients and connection limits."""
import socket
import time

import pytest
import requests

OK = b"GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n"


def exchange(port, payload, wait=2.0):
    """Sends payload, reads until the server closes or `wait` passes; returns (bytes, closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(payload)
        data = b""
        deadline = time.time() + wait
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return data, False
            if not chunk:
                return data, True
            data += chunk
        return data, False


def status_of(response):
    return int(response.split(b" ", 2)[1])


SMUGGLING = [
    ("CL and TE", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("repeated CL", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nA", 400),
    ("differing CL", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nAB", 400),
    ("CL with sign", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\nA", 400),
    ("bare LF", b"GET /v1/status/leader HTTP/1.1\nHost: x\r\n\r\n", 400),
    ("bare CR", b"GET /v1/status/leader HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400),
    ("space before colon", b"GET /v1/status/leader HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    ("obs-fold", b"GET /v1/status/leader HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400),
    ("bad chunk size", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nA\r\n0\r\n\r\n", 400),
    ("chunk size overflow", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nA\r\n0\r\n\r\n", 400),
    ("bad chunk extension", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;=\r\nA\r\n0\r\n\r\n", 400),
    ("missing CRLF after chunk", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nAB\r\n0\r\n\r\n", 400),
    ("unknown TE", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    ("TE in HTTP/1.0", b"POST /v1/status/leader HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("no Host", b"GET /v1/status/leader HTTP/1.1\r\n\r\n", 400),
    ("NUL in header", b"GET /v1/status/leader HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400),
    ("version 2.0", b"GET /v1/status/leader HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    ("long request line", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ("too many headers", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n", 431),
    ("body too large", b"POST /v1/status/leader HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", 413),
]


@pytest.mark.parametrize("name,payload,expected", SMUGGLING, ids=[s[0] for s in SMUGGLING])
def test_smuggling_shapes_are_refused_and_the_node_keeps_serving(node, name, payload, expected):
    # The bad request follows a good one on the same connection: the good one is answered first.
    data, closed = exchange(node.http_port, OK + payload)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n"), data[:200]
    second = data[data.index(b"HTTP/1.1", 10):]
    assert status_of(second) == expected, (name, second[:300])
    assert b"connection: close" in second.lower()
    assert closed, f"{name}: connection left open"
    assert requests.get(node.consul + "/v1/status/leader").status_code == 200


def test_pipelined_requests_are_answered_in_order(node):
    payload = (b"GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /v1/status/peers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data, closed = exchange(node.http_port, payload)
    statuses = [int(part[:3]) for part in data.split(b"HTTP/1.1 ")[1:] if part[:3].isdigit()]
    assert statuses == [200, 404, 200]
    assert closed


def test_request_split_into_single_bytes(node):
    with socket.create_connection(("127.0.0.1", node.http_port), timeout=5) as s:
        for b in OK:
            s.send(bytes([b]))
        data = s.recv(4096)
    assert data.startswith(b"HTTP/1.1 200 OK")


def test_expect_100_continue(node):
    with socket.create_connection(("127.0.0.1", node.http_port), timeout=5) as s:
        s.sendall(b"PUT /v1/status/leader HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        first = s.recv(4096)
        assert first == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(b"hello")
        final = s.recv(4096)
    assert final.startswith(b"HTTP/1.1 405 ")


def test_chunked_body_is_accepted(node):
    data, _ = exchange(node.http_port, b"PUT /v1/status/leader HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                       b"5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n")
    assert status_of(data) == 405  # parsed whole; the route refuses the method


def test_http10_closes_without_keep_alive(node):
    data, closed = exchange(node.http_port, b"GET /v1/status/leader HTTP/1.0\r\n\r\n")
    assert status_of(data) == 200 and closed


def test_slow_client_is_cut_off(make_node):
    n = make_node(config={"limits": {"http_read_timeout": "1s"}})
    with socket.create_connection(("127.0.0.1", n.http_port), timeout=6) as s:
        s.sendall(b"GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n")  # never finishes the head
        started = time.time()
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        elapsed = time.time() - started
    assert status_of(data) == 408
    assert 0.9 <= elapsed <= 4.0
    assert requests.get(n.consul + "/v1/status/leader").status_code == 200


def test_connections_per_client_are_limited(make_node):
    n = make_node(config={"limits": {"http_max_conns_per_client": 4}})
    time.sleep(0.3)  # let the node see the start-up probe's connections close
    held = [socket.create_connection(("127.0.0.1", n.http_port), timeout=3) for _ in range(4)]
    try:
        for s in held:
            s.sendall(OK)
            assert s.recv(4096).startswith(b"HTTP/1.1 200")
        extra = socket.create_connection(("127.0.0.1", n.http_port), timeout=3)
        try:
            extra.sendall(OK)
            got = extra.recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            got = b""
        finally:
            extra.close()
        assert got == b""  # closed without an answer
    finally:
        for s in held:
            s.close()
    time.sleep(0.2)
    assert requests.get(n.consul + "/v1/status/leader").status_code == 200


def test_a_client_that_hangs_up_mid_response_does_not_kill_the_node(node):
    # A large answer written to a socket the client already closed is an EPIPE for the writer;
    # unhandled it is a SIGPIPE, which killed the process (found by the cluster tests).
    base = f"http://127.0.0.1:{node.http_port}"
    value = b"x" * 100_000
    for n in range(50):
        assert requests.put(f"{base}/v1/kv/big/{n}", data=value, timeout=10).text == "true"
    request = b"GET /v1/kv/big?recurse HTTP/1.1\r\nHost: x\r\n\r\n"
    for _ in range(30):
        s = socket.create_connection(("127.0.0.1", node.http_port), timeout=5)
        s.sendall(request)
        s.close()
        time.sleep(0.02)
        if node.proc.poll() is not None:
            break
    time.sleep(0.3)
    assert node.proc.poll() is None, "the node died"
    assert requests.get(f"{base}/v1/status/leader", timeout=5).status_code == 200
