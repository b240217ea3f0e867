import CLibUV

/// A libuv call that failed: the one place where libuv's negative return codes become a Swift error.
public struct LoopError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libuv's error code (negative errno, e.g. `UV_EADDRINUSE`).
    public let code: Int32
    /// libuv's short name for the code, e.g. "EADDRINUSE".
    public let name: String
    /// What we were doing, e.g. "bind 127.0.0.1:8500".
    public let operation: String

    public init(code: Int32, operation: String) {
        precondition(code < 0, "libuv errors are negative")
        self.code = code
        self.name = String(cString: uv_err_name(code))
        self.operation = operation
    }

    public var description: String {
        "\(operation): \(name) (\(String(cString: uv_strerror(code))))"
    }

    /// Maps a libuv return code: negative is an error, anything else is success.
    @inline(__always)
    static func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(LoopError) {
        if rc < 0 { throw LoopError(code: rc, operation: operation()) }
    }

    /// True when a connect found nothing listening at the address (`ECONNREFUSED`).
    public var isRefusal: Bool { code == UV_ECONNREFUSED.rawValue }

    /// True for the codes that mean "the peer went away", which are routine, not faults.
    public var isDisconnect: Bool {
        code == UV_EOF.rawValue || code == UV_ECONNRESET.rawValue || code == UV_EPIPE.rawValue
            || code == UV_ECANCELED.rawValue
    }
}
