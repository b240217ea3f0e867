// An HTTP/2-over-TLS server for the gRPC and H2PING TLS probe tests: Python's ssl with ALPN "h2"
// (a connection that did not negotiate h2 is closed at once, so the probe must offer it), writing
// raw HTTP/2 frames: SETTINGS, acknowledgements of SETTINGS and PING, and one fixed answer per
// Check call (SERVING, or NOT_SERVING for the service "down"). A child process, like TLSTestServer.
import Foundation
import XCTest

final class HTTP2TLSTestServer {
    private let process = Process()
    let port: Int

    static let script = """
        import socket, ssl, struct, sys, threading
        def frame(kind, flags, stream, payload=b""):
            return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload
        def literal(name, value):  # HPACK literal without indexing, new name, no Huffman
            return b"\\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value
        def answer(conn, stream, body):
            service = body[7:].decode() if len(body) > 7 and body[5] == 0x0A else ""
            status = 2 if service == "down" else 1
            head = b"\\x88" + b"\\x0f\\x10" + bytes([16]) + b"application/grpc"  # :status 200, content-type
            conn.sendall(frame(1, 0x4, stream, head) + frame(0, 0, stream, b"\\x00\\x00\\x00\\x00\\x02\\x08" + bytes([status]))
                         + frame(1, 0x5, stream, literal(b"grpc-status", b"0")))
        def serve(conn):
            try:
                if conn.selected_alpn_protocol() != "h2":
                    return
                preface = b""
                while len(preface) < 24:
                    chunk = conn.recv(24 - len(preface))
                    if not chunk:
                        return
                    preface += chunk
                conn.sendall(frame(4, 0, 0))
                buffered, bodies = b"", {}
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffered += chunk
                    while len(buffered) >= 9:
                        length = int.from_bytes(buffered[:3], "big")
                        if len(buffered) < 9 + length:
                            break
                        kind, flags = buffered[3], buffered[4]
                        stream = int.from_bytes(buffered[5:9], "big") & 0x7FFFFFFF
                        payload, buffered = buffered[9:9 + length], buffered[9 + length:]
                        if kind == 4 and not flags & 1:
                            conn.sendall(frame(4, 1, 0))
                        elif kind == 6 and not flags & 1:
                            conn.sendall(frame(6, 1, 0, payload))
                        elif kind == 0:
                            bodies[stream] = bodies.get(stream, b"") + payload
                        if kind in (0, 1) and flags & 1:
                            answer(conn, stream, bodies.get(stream, b""))
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        context.set_alpn_protocols(["h2"])
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        print(listener.getsockname()[1], flush=True)
        while True:
            raw, _ = listener.accept()
            def handshake(raw=raw):
                try:
                    serve(context.wrap_socket(raw, server_side=True))
                except (OSError, ssl.SSLError):
                    raw.close()
            threading.Thread(target=handshake, daemon=True).start()
        """

    /// Starts the server with `certificate` and waits for its port. Skips the test when
    /// python3 is missing.
    init(certificate: TestCertificate) throws {
        port = try TLSTestServer.launchPython(Self.script, certificate: certificate, in: process, failure: "the HTTP/2 TLS test server did not start")
    }

    var address: String { "127.0.0.1:\(port)" }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
