// An HTTPS server for the TLS probe tests: Python's http.server wrapped in an ssl context, run as a
// child process, with a self-signed certificate made at test time by the openssl command.
import Foundation
import XCTest

/// A self-signed certificate (and its key) for `localhost` and 127.0.0.1, valid one day, in a
/// temporary folder removed by `remove()`.
struct TestCertificate {
    let folder: URL
    var certificatePath: String { folder.appendingPathComponent("cert.pem").path }
    var keyPath: String { folder.appendingPathComponent("key.pem").path }

    /// Skips the test when the openssl command is missing (Debian package `openssl`).
    static func make() throws -> TestCertificate {
        let openssl = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: openssl) else { throw XCTSkip("needs \(openssl)") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gravity-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = TestCertificate(folder: folder)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1",
                             "-keyout", certificate.keyPath, "-out", certificate.certificatePath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TLSTestServerError("openssl req exited with \(process.terminationStatus)") }
        return certificate
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)  // a temporary folder; nothing to do if it is gone
    }
}

struct TLSTestServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `https://127.0.0.1:port`, HTTP/1.1 with persistent connections: `/ok` answers 200 "secure
/// ok", `/down` 503 "down", `/peer` the client's port (which tells connections apart), `/notify-close` the same and
/// then TLS close_notify, and any
/// POST echoes its method and body. Stopped by `stop()` (and on deinit).
final class TLSTestServer {
    private let process = Process()
    let port: Int

    static let script = """
        import http.server, ssl, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def answer(self, code, body):
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                if self.path == "/down": self.answer(503, b"down")
                elif self.path == "/peer": self.answer(200, str(self.client_address[1]).encode())
                elif self.path == "/notify-close":
                    self.answer(200, str(self.client_address[1]).encode())
                    try: self.connection.unwrap()
                    except Exception: pass
                    self.close_connection = True
                else: self.answer(200, b"secure ok")
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.answer(200, b"POST " + self.headers.get("X-Check", "").encode() + b" " + body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    /// Starts the server with `certificate` and waits for its port. Skips the test when
    /// python3 is missing.
    init(certificate: TestCertificate) throws {
        port = try Self.launchPython(Self.script, certificate: certificate, in: process, failure: "the HTTPS test server did not start")
    }

    /// Runs `script` under python3 with the certificate and key paths as arguments and returns
    /// the port it prints on its first line. Skips the test when python3 is missing.
    static func launchPython(_ script: String, certificate: TestCertificate, in process: Process, failure: String) throws -> Int {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("needs \(python)") }
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, certificate.certificatePath, certificate.keyPath]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }  // the server exited before printing its port
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TLSTestServerError(failure)
        }
        return port
    }

    func url(_ path: String, host: String = "127.0.0.1") -> String { "https://\(host):\(port)\(path)" }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
