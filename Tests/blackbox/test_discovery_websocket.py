"""Proves the config-watch WebSocket on 8761 against a real node: the `websockets` client connects,
pings and closes cleanly; raw sockets get the right close code for each framing error; a refused
handshake leaves HTTP usable; bytes pipelined after the upgrade are frames; pings, idle drops and
SIGTERM's 1001; 200 watchers at once leave the node answering and its log clean."""
import asyncio
import base64
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time

import pytest

from conftest import BIN

# The py-consul venv collects every file too; there this one is skipped, not an import error.
httpx = pytest.importorskip("httpx")
websockets = pytest.importorskip("websockets")
from websockets.asyncio.client import connect  # noqa: E402 (after the skip above)

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PATH = "/api/v1/config/watch/web"


def ws_url(node):
    return f"ws://127.0.0.1:{node.discovery_port}{PATH}"


def upgrade_request(key=None, version="13", extra=b""):
    key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {PATH} HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade"]
    if key:
        lines.append(f"Sec-WebSocket-Key: {key}")
    if version:
        lines.append(f"Sec-WebSocket-Version: {version}")
    return ("\r\n".join(lines) + "\r\n").encode() + extra + b"\r\n", key


def client_frame(opcode, payload=b"", fin=True, masked=True, rsv=0):
    """One client frame; masked with a random key unless `masked` is False."""
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    mask_bit = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head += bytes([mask_bit | n])
    elif n <= 0xFFFF:
        head += bytes([mask_bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class RawSocket:
    """A socket that reads an HTTP head and then server frames, with a deadline."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("server closed the connection")
        self.buffer += chunk

    def read_head(self):
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def read_body(self, headers):
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    def _take(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_frame(self):
        """(opcode, payload) of the next server frame, which must be final and unmasked."""
        first, second = self._take(2)
        assert first & 0x80, "server frames are never fragmented here"
        assert first & 0x70 == 0, "no RSV bits"
        assert not second & 0x80, "server frames are never masked"
        n = second & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._take(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._take(8))[0]
        return first & 0x0F, self._take(n)

    def read_close(self):
        """The close code the server sent, after skipping pings."""
        while True:
            opcode, payload = self.read_frame()
            if opcode == 0x9:
                continue
            assert opcode == 0x8, f"expected a close frame, got opcode {opcode}"
            return struct.unpack("!H", payload[:2])[0] if payload else None

    def closed_by_server(self, wait=3.0):
        """True once the server closes the TCP connection within `wait` seconds (bytes skipped)."""
        self.sock.settimeout(wait)
        try:
            while self.sock.recv(65536):
                pass
            return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True


def open_raw(node, extra=b""):
    """A raw socket past a successful handshake; `extra` is sent in the same write as the request."""
    raw = RawSocket(node.discovery_port)
    request, key = upgrade_request()
    raw.sock.sendall(request + extra)
    status, headers = raw.read_head()
    assert status == 101, status
    expected = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    assert headers["sec-websocket-accept"] == expected
    assert headers["upgrade"].lower() == "websocket"
    assert "content-length" not in headers
    return raw


def test_websockets_client_pings_and_closes_cleanly(node):
    async def scenario():
        async with connect(ws_url(node)) as ws:
            latency = await asyncio.wait_for(await ws.ping(b"are you there"), 5)
            assert latency >= 0
            await ws.send("watchers only listen; this is dropped")
            await asyncio.wait_for(await ws.ping(), 5)  # still open after a message
            await ws.close()
            assert ws.close_code == 1000
            assert ws.protocol.close_rcvd is not None and ws.protocol.close_rcvd.code == 1000
    asyncio.run(scenario())


def test_client_close_code_is_echoed(node):
    raw = open_raw(node)
    raw.sock.sendall(client_frame(0x8, struct.pack("!H", 4001) + b"bye"))
    assert raw.read_close() == 4001
    assert raw.closed_by_server()
    raw.close()


def test_ping_with_payload_gets_the_same_pong(node):
    raw = open_raw(node)
    raw.sock.sendall(client_frame(0x9, b"hello"))
    assert raw.read_frame() == (0xA, b"hello")
    raw.close()


@pytest.mark.parametrize("name,frames,code", [
    ("unmasked", client_frame(0x1, b"hi", masked=False), 1002),
    ("reserved bit", client_frame(0x1, b"hi", rsv=4), 1002),
    ("unknown opcode", client_frame(0x3), 1002),
    ("fragmented ping", client_frame(0x9, fin=False), 1002),
    ("continuation first", client_frame(0x0, b"x"), 1002),
    ("close code 1005", client_frame(0x8, struct.pack("!H", 1005)), 1002),
    ("oversized", client_frame(0x2, b"\0" * (64 * 1024 + 1)), 1009),
    ("oversized in fragments", client_frame(0x1, b"a" * 40000, fin=False) + client_frame(0x0, b"a" * 40000), 1009),
    ("invalid UTF-8", client_frame(0x1, b"\xce\xba\xe1\xbd"), 1007),
    ("UTF-8 cut by the end", client_frame(0x1, "κ".encode()[:1], fin=False) + client_frame(0x0, b""), 1007),
])
def test_protocol_errors_close_with_their_code(node, name, frames, code):
    raw = open_raw(node)
    raw.sock.sendall(frames)
    assert raw.read_close() == code
    assert raw.closed_by_server(), "the server closes the TCP connection after its close frame"
    raw.close()


def test_oversized_header_is_refused_before_its_payload(node):
    raw = open_raw(node)
    raw.sock.sendall(bytes([0x82, 0xFF]) + struct.pack("!Q", 1 << 40) + os.urandom(4))
    assert raw.read_close() == 1009
    assert raw.closed_by_server()
    raw.close()


def test_utf8_character_split_across_fragments_is_fine(node):
    raw = open_raw(node)
    smile = "😀".encode()
    raw.sock.sendall(client_frame(0x1, smile[:1], fin=False) + client_frame(0x9, b"mid")
                     + client_frame(0x0, smile[1:]) + client_frame(0x9, b"after"))
    assert raw.read_frame() == (0xA, b"mid")
    assert raw.read_frame() == (0xA, b"after")
    raw.close()


def test_bytes_pipelined_after_the_upgrade_are_frames(node):
    raw = open_raw(node, extra=client_frame(0x9, b"early") + client_frame(0x8, struct.pack("!H", 1000)))
    assert raw.read_frame() == (0xA, b"early")
    assert raw.read_close() == 1000
    assert raw.closed_by_server()
    raw.close()


@pytest.mark.parametrize("name,key,version,status", [
    ("missing key", "", "13", 400),
    ("short key", base64.b64encode(b"short").decode(), "13", 400),
    ("wrong version", None, "8", 426),
    ("missing version", None, "", 426),
])
def test_bad_handshake_gets_http_error_and_http_goes_on(node, name, key, version, status):
    raw = RawSocket(node.discovery_port)
    request, _ = upgrade_request(key=key, version=version)
    raw.sock.sendall(request)
    got, headers = raw.read_head()
    assert got == status
    raw.read_body(headers)
    if status == 426:
        assert headers.get("sec-websocket-version") == "13"
    assert headers.get("connection", "").lower() != "close"
    raw.sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    got, headers = raw.read_head()
    assert got == 200
    assert b"healthy" in raw.read_body(headers)
    raw.close()


def test_refused_upgrade_then_pipelined_request_is_answered_in_order(node):
    raw = RawSocket(node.discovery_port)
    request, _ = upgrade_request(version="99")
    raw.sock.sendall(request + b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    first, headers = raw.read_head()
    raw.read_body(headers)
    second, headers = raw.read_head()
    assert (first, second) == (426, 200)
    raw.close()


def test_server_pings_and_drops_a_silent_client(make_node):
    n = make_node(config={"limits": {"websocket_ping_interval": "1s", "websocket_idle_timeout": "3s"}})
    raw = open_raw(n)
    started = time.monotonic()
    assert raw.read_frame() == (0x9, b"")
    assert raw.closed_by_server(wait=6.0), "a client silent past the idle timeout is dropped"
    assert 2.0 <= time.monotonic() - started <= 6.0
    raw.close()
    # A client that answers pings stays connected past the idle timeout.
    lively = open_raw(n)
    deadline = time.monotonic() + 4.5
    while time.monotonic() < deadline:
        opcode, payload = lively.read_frame()
        assert opcode == 0x9
        lively.sock.sendall(client_frame(0xA, payload))
    lively.sock.sendall(client_frame(0x9, b"still here"))
    assert lively.read_frame() == (0xA, b"still here")
    lively.close()


@pytest.mark.parametrize("limits,message", [
    ({"websocket_ping_interval": "10s", "websocket_idle_timeout": "10s"}, "websocket_ping_interval < websocket_idle_timeout"),
    ({"websocket_ping_interval": "500ms"}, "1s <= websocket_ping_interval"),
    ({"websocket_max_message_bytes": 10}, "websocket_max_message_bytes"),
    ({"websocket_max_unsent_bytes": 1000}, "websocket_max_unsent_bytes"),
    ({"websocket_typo": 1}, 'unknown key "limits.websocket_typo"'),
])
def test_websocket_limits_are_validated_at_start(limits, message):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "config.json")
        with open(path, "w") as f:
            json.dump({"limits": limits}, f)
        out = subprocess.run([BIN, "agent", "-dev", "-config-file", path, "-data-dir", os.path.join(folder, "data")],
                             capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert message in out.stderr + out.stdout


def test_sigterm_sends_1001_then_the_node_exits(make_node):
    n = make_node()
    raw = open_raw(n)

    async def watcher():
        async with connect(ws_url(n)) as ws:
            await asyncio.wait_for(await ws.ping(), 5)
            n.proc.send_signal(signal.SIGTERM)
            with pytest.raises(websockets.ConnectionClosedOK):
                await asyncio.wait_for(ws.recv(), 5)
            return ws.protocol.close_rcvd.code
    assert asyncio.run(watcher()) == 1001
    assert raw.read_close() == 1001
    raw.sock.sendall(client_frame(0x8, struct.pack("!H", 1001)))
    assert raw.closed_by_server()
    raw.close()
    assert n.stop() == 0


def test_200_watchers_and_the_node_still_answers(make_node):
    n = make_node(extra_args=["-log-level", "debug"])

    async def scenario():
        sockets = await asyncio.gather(*(connect(ws_url(n), ping_interval=None) for _ in range(200)))
        async with httpx.AsyncClient(base_url=n.discovery) as http:
            health = await http.get("/health")
            assert health.status_code == 200
        pongs = await asyncio.gather(*(ws.ping() for ws in sockets))
        await asyncio.wait_for(asyncio.gather(*pongs), 10)
        await asyncio.gather(*(ws.close() for ws in sockets))
        assert all(ws.close_code == 1000 for ws in sockets)
    asyncio.run(scenario())
    # Every subscriber was cancelled and its connection forgotten: the node serves as before.
    assert httpx.get(f"{n.discovery}/health").status_code == 200
    assert n.stop() == 0
    log = open(n.log_path).read()
    assert "[ERROR]" not in log and "[WARN]" not in log, log
    # Each connection ended once, and so told the node once (the same place sends `.cancel`).
    ended = [line for line in log.splitlines() if "websocket closed" in line]
    assert len(ended) == 200, ended[:5]
    assert all("client closed (1000)" in line for line in ended), ended[:5]
