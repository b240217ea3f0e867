import API
import Glibc

/// Log levels, most verbose first.
public enum LogLevel: String, Sendable, Comparable, CaseIterable {
    case trace, debug, info, warn, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Structured logging to standard error, as text (`2026-11-29T17:00:00.123Z [INFO] agent: msg k=v`)
/// or one JSON object per line. Never pass secrets as fields.
public struct Logger: Sendable {
    public var level: LogLevel
    public var json: Bool
    public let subsystem: String

    public init(level: LogLevel = .info, json: Bool = false, subsystem: String = "agent") {
        self.level = level
        self.json = json
        self.subsystem = subsystem
    }

    public func named(_ subsystem: String) -> Logger { Logger(level: level, json: json, subsystem: subsystem) }

    public func debug(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.info, message, fields) }
    public func warn(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.warn, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.error, message, fields) }

    public func log(_ messageLevel: LogLevel, _ message: String, _ fields: KeyValuePairs<String, String>) {
        log(messageLevel, message, pairs: fields.map { ($0.key, $0.value) })
    }

    /// The same, with fields built at run time (in their order).
    public func log(_ messageLevel: LogLevel, _ message: String, pairs fields: [(String, String)]) {
        guard messageLevel >= level else { return }
        let time = WallClock.iso8601Now()
        var line: String
        if json {
            var members: [(String, String)] = [("@timestamp", time), ("@level", messageLevel.rawValue), ("@module", subsystem), ("@message", message)]
            members += fields
            line = "{" + members.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"
        } else {
            line = "\(time) [\(messageLevel.rawValue.uppercased())] \(subsystem): \(message)"
            for (key, value) in fields { line += " \(key)=\(value)" }
        }
        line += "\n"
        var bytes = Array(line.utf8)
        // Standard error is a C global that Swift 6 does not let us touch; write(2) is thread-safe.
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// A JSON string literal, escaped as every response is (`API.JSON`).
    private func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSON.writeString(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
