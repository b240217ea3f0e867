import COpenSSL
import Loop

// TLS for health probes as a byte transformer over OpenSSL memory BIOs (the shape of h2o's and
// node's TLS over libuv): the probe's TCP stream carries ciphertext in and out, a session turns
// it into the plaintext the HTTP exchange reads and writes. Nothing here touches a socket or a
// clock; the probe's one timer bounds the handshake with everything else.
//
// Ownership: a `TLSClientContext` owns its SSL_CTX, a `TLSClientSession` owns its SSL, and the
// SSL owns both memory BIOs (SSL_set_bio hands them over; SSL_free frees them). No OpenSSL
// pointer leaves these classes. Both are confined to the loop thread, like the probe that holds
// them: OpenSSL's error queue is per thread, and every call clears it before it starts.

/// A context or session OpenSSL could not set up (memory exhaustion, a name OpenSSL refuses),
/// with the text for the probe's output.
struct TLSClientError: Error, Sendable, Equatable {
    let message: String
}

/// One SSL_CTX per configuration: TLS 1.2 or later, and either the peer verified against the
/// system trust store (OpenSSL's default paths, which SSL_CERT_FILE and SSL_CERT_DIR override,
/// as they do for Go and so for Consul) or no verification at all (a check's `TLSSkipVerify`).
/// Immutable once made; sessions keep their context alive.
final class TLSClientContext {
    /// Whether sessions verify the peer's chain and name.
    let verifiesPeer: Bool
    fileprivate let ctx: OpaquePointer

    /// Loads the trust store now when `verifiesPeer`, so a probe never waits for the disk.
    init(verifiesPeer: Bool) throws(TLSClientError) {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw TLSClientError(message: "tls: " + TLSClientSession.queuedReason()) }
        self.ctx = ctx
        self.verifiesPeer = verifiesPeer
        // Go's tls.Config sets TLS 1.2 as its client minimum too.
        guard gravity_SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 else {
            throw TLSClientError(message: "tls: cannot require TLS 1.2: " + TLSClientSession.queuedReason())
        }
        // A kept probe connection idles between probes: its record buffers go back meanwhile.
        _ = gravity_SSL_CTX_release_buffers(ctx)
        SSL_CTX_set_verify(ctx, verifiesPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        if verifiesPeer && SSL_CTX_set_default_verify_paths(ctx) != 1 {
            throw TLSClientError(message: "tls: cannot load the system trust store: " + TLSClientSession.queuedReason())
        }
    }

    deinit { SSL_CTX_free(ctx) }
}

/// What one step of a session produced, for the caller to act on in this order: write
/// `ciphertext` to the stream, hand `plaintext` to the reader, then look at the flags.
struct TLSClientOutput: Equatable {
    /// Bytes for the peer (handshake records, encrypted requests, alerts).
    var ciphertext: [UInt8] = []
    /// Application data from the peer.
    var plaintext: [UInt8] = []
    /// The handshake completed (and the peer passed verification) in this step.
    var established = false
    /// The peer sent close_notify: its data has ended.
    var peerClosed = false
    /// The session failed (Go-like text, e.g. "tls: failed to verify certificate: x509: ...");
    /// nothing more will come from it.
    var failure: String?
}

/// One client connection's TLS state. Starts its handshake on `start`, is driven by the
/// ciphertext the caller feeds in, and sends the queued plaintext once the handshake is done.
final class TLSClientSession {
    enum State: Equatable { case idle, handshaking, established, closed, failed }

    /// Plaintext bytes one `SSL_read` may return (one TLS record's worth).
    static let readChunkBytes = 16 * 1024

    private let context: TLSClientContext
    private let ssl: OpaquePointer
    /// Ciphertext from the peer, read by OpenSSL; owned by `ssl`.
    private let incoming: OpaquePointer
    /// Ciphertext OpenSSL wrote for the peer; owned by `ssl`.
    private let outgoing: OpaquePointer
    /// The name the peer's certificate must match (and the SNI unless an IP), for texts.
    let serverName: String
    private(set) var state = State.idle
    /// Plaintext waiting for the handshake (or for OpenSSL to take it).
    private var pendingPlaintext: [UInt8] = []
    private var readScratch = [UInt8](repeating: 0, count: TLSClientSession.readChunkBytes)

    /// A session to `serverName` (a DNS name, or an IP literal without brackets). An IP gets no
    /// SNI (RFC 6066 §3 allows only host names there) but is still checked against the
    /// certificate's IP addresses when the context verifies. `alpn` lists the protocols
    /// offered (RFC 7301), in order; none by default.
    init(context: TLSClientContext, serverName: String, alpn: [String] = []) throws(TLSClientError) {
        precondition(!serverName.isEmpty, "a TLS session needs a name to verify")
        ERR_clear_error()
        guard let ssl = SSL_new(context.ctx) else { throw TLSClientError(message: "tls: " + Self.queuedReason()) }
        let incoming = BIO_new(BIO_s_mem()), outgoing = BIO_new(BIO_s_mem())
        guard let incoming, let outgoing else {
            // Not yet handed to the SSL: freed here (BIO_free takes NULL).
            BIO_free(incoming)
            BIO_free(outgoing)
            SSL_free(ssl)
            throw TLSClientError(message: "tls: cannot allocate memory BIOs")
        }
        // An empty BIO means "wait for more" (WANT_READ), never end of file: the stream says when it ends.
        _ = gravity_BIO_set_mem_eof_return(incoming, -1)
        SSL_set_bio(ssl, incoming, outgoing)
        SSL_set_connect_state(ssl)
        self.context = context
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        self.serverName = serverName
        try configureName()
        try configureALPN(alpn)
    }

    /// The ALPN list in its wire form: each name prefixed by its length.
    private func configureALPN(_ protocols: [String]) throws(TLSClientError) {
        guard !protocols.isEmpty else { return }
        var wire: [UInt8] = []
        for name in protocols {
            precondition(!name.isEmpty && name.utf8.count <= 255, "an ALPN name is 1-255 bytes")
            wire.append(UInt8(name.utf8.count))
            wire += name.utf8
        }
        // SSL_set_alpn_protos returns 0 on success (unlike most of OpenSSL).
        guard SSL_set_alpn_protos(ssl, wire, UInt32(wire.count)) == 0 else {
            throw TLSClientError(message: "tls: cannot offer ALPN \(protocols)")
        }
    }

    deinit { SSL_free(ssl) }

    /// SNI and the name to verify. Go verifies the same name it sends (tls.Config.ServerName).
    private func configureName() throws(TLSClientError) {
        // A zone ("fe80::1%eth0") is no part of the address a certificate names.
        let ip = serverName.split(separator: "%", maxSplits: 1).first.map(String.init) ?? serverName
        let isIP = (try? SocketAddress(ip: ip, port: 0)) != nil  // only a non-IP fails to parse
        if !isIP {
            guard serverName.utf8.count <= 255, gravity_SSL_set_tlsext_host_name(ssl, serverName) == 1 else {
                throw TLSClientError(message: "tls: invalid server name \(GoText.quoted(serverName))")
            }
        }
        guard context.verifiesPeer else { return }
        if isIP {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip) == 1 else {
                throw TLSClientError(message: "tls: cannot verify IP address \(GoText.quoted(ip))")
            }
        } else {
            // Go's wildcards cover a whole left-most label only ("*.example.com", never "w*.example.com").
            SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard SSL_set1_host(ssl, serverName) == 1 else {
                throw TLSClientError(message: "tls: invalid server name \(GoText.quoted(serverName))")
            }
        }
    }

    /// Starts the handshake (the ClientHello is in the output) and queues `plaintext` to be
    /// sent once it completes. Called once.
    func start(sending plaintext: [UInt8]) -> TLSClientOutput {
        precondition(state == .idle, "a TLS session starts once")
        state = .handshaking
        pendingPlaintext = plaintext
        var output = TLSClientOutput()
        advance(&output)
        return output
    }

    /// Queues more plaintext (sent at once when the handshake is done, else after it).
    func send(_ plaintext: [UInt8]) -> TLSClientOutput {
        precondition(state != .idle, "plaintext before the handshake started")
        var output = TLSClientOutput()
        guard state == .handshaking || state == .established, !plaintext.isEmpty else { return output }
        pendingPlaintext += plaintext
        advance(&output)
        return output
    }

    /// Feeds ciphertext from the peer and runs the session as far as it can go.
    func receive(_ ciphertext: UnsafeRawBufferPointer) -> TLSClientOutput {
        precondition(state != .idle, "ciphertext before the handshake started")
        var output = TLSClientOutput()
        guard state == .handshaking || state == .established, ciphertext.count > 0 else { return output }
        let written = BIO_write(incoming, ciphertext.baseAddress, Int32(ciphertext.count))
        guard written == Int32(ciphertext.count) else {
            fail("tls: cannot buffer \(ciphertext.count) bytes", &output)
            return output
        }
        advance(&output)
        return output
    }

    private func advance(_ output: inout TLSClientOutput) {
        if state == .handshaking { handshake(&output) }
        if state == .established { writePending(&output) }
        if state == .established { readAvailable(&output) }
        drainCiphertext(&output)
        assert(output.failure == nil || state == .failed, "a failure ends the session")
    }

    private func handshake(_ output: inout TLSClientOutput) {
        ERR_clear_error()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            state = .established
            output.established = true
            return
        }
        let code = SSL_get_error(ssl, rc)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return }
        fail(handshakeFailureText(), &output)
    }

    /// Hands the queued plaintext to OpenSSL. A memory BIO takes any amount, so a write is
    /// whole unless OpenSSL first needs to read (a TLS 1.3 key update): then it waits.
    private func writePending(_ output: inout TLSClientOutput) {
        guard !pendingPlaintext.isEmpty else { return }
        ERR_clear_error()
        let rc = pendingPlaintext.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        if rc > 0 {
            assert(Int(rc) <= pendingPlaintext.count)
            pendingPlaintext.removeFirst(Int(rc))
            return
        }
        let code = SSL_get_error(ssl, rc)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return }
        fail(Self.goText(Self.queuedReason()), &output)
    }

    /// Decrypts everything buffered. Terminates: each read consumes buffered ciphertext.
    private func readAvailable(_ output: inout TLSClientOutput) {
        while state == .established {
            ERR_clear_error()
            let rc = readScratch.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if rc > 0 {
                output.plaintext += readScratch[..<Int(rc)]
                continue
            }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                state = .closed
                output.peerClosed = true
            default:
                fail(Self.goText(Self.queuedReason()), &output)
            }
        }
    }

    private func drainCiphertext(_ output: inout TLSClientOutput) {
        let pending = Int(gravity_BIO_pending(outgoing))
        guard pending > 0 else { return }
        let bytes = [UInt8](unsafeUninitializedCapacity: pending) { buffer, count in
            count = Int(max(0, BIO_read(outgoing, buffer.baseAddress, Int32(pending))))
        }
        precondition(bytes.count == pending, "a memory BIO gives back what it holds")
        output.ciphertext += bytes
    }

    private func fail(_ text: String, _ output: inout TLSClientOutput) {
        state = .failed
        output.failure = text
        ERR_clear_error()
    }

    /// Verification first (what Go reports), then OpenSSL's own reason.
    private func handshakeFailureText() -> String {
        let verifyResult = SSL_get_verify_result(ssl)
        if context.verifiesPeer && verifyResult != X509_V_OK {
            return "tls: failed to verify certificate: " + Self.x509Text(verifyResult, name: serverName)
        }
        return Self.goText(Self.queuedReason())
    }
}

extension TLSClientSession {
    /// The reason of the first error on this thread's OpenSSL queue ("wrong version number").
    static func queuedReason() -> String {
        let code = ERR_get_error()
        guard code != 0, let reason = ERR_reason_error_string(code) else { return "handshake failure" }
        return String(cString: reason)
    }

    /// OpenSSL's reason in Go's words where Go has them: an alert from the peer is Go's
    /// "remote error: tls: <alert>", anything else "tls: <reason>".
    static func goText(_ reason: String) -> String {
        for prefix in ["sslv3 alert ", "tlsv1 alert ", "tlsv13 alert "] where reason.hasPrefix(prefix) {
            return "remote error: tls: " + reason.dropFirst(prefix.count)
        }
        return "tls: " + reason
    }

    /// A failed verification as Go's crypto/x509 words it, with OpenSSL's reason
    /// (X509_verify_cert_error_string) alongside so nothing is lost in the translation.
    static func x509Text(_ code: Int, name: String) -> String {
        let reason = String(cString: X509_verify_cert_error_string(code))
        switch Int32(truncatingIfNeeded: code) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
             X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED:
            return "x509: certificate signed by unknown authority (\(reason))"
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "x509: certificate is not valid for \(name) (\(reason))"
        case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID:
            return "x509: certificate has expired or is not yet valid (\(reason))"
        default:
            return "x509: \(reason)"
        }
    }
}
