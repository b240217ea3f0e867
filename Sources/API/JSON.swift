/// A JSON value whose objects keep their keys in the order they were built, so the bytes of a
/// response never depend on hashing (Swift seeds `Hasher` per process).
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An unsigned integer above `Int64.max` (KV `Flags` are uint64 in Consul), written exactly.
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.uint(x), .uint(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Compact bytes, or indented with four spaces per level (Consul's `?pretty`).
    public func encoded(pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, pretty: pretty, depth: 0)
        if pretty { out.append(UInt8(ascii: "\n")) }
        return out
    }

    func write(into out: inout [UInt8], pretty: Bool, depth: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .uint(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value): JSON.writeDouble(value, into: &out)
        case .string(let value): JSON.writeString(value, into: &out)
        case .array(let items): writeArray(items, into: &out, pretty: pretty, depth: depth)
        case .object(let members): writeObject(members, into: &out, pretty: pretty, depth: depth)
        }
    }

    private func writeArray(_ items: [JSON], into out: inout [UInt8], pretty: Bool, depth: Int) {
        guard !items.isEmpty else { out.append(contentsOf: "[]".utf8); return }
        out.append(UInt8(ascii: "["))
        for (offset, item) in items.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            JSON.newline(into: &out, pretty: pretty, depth: depth + 1)
            item.write(into: &out, pretty: pretty, depth: depth + 1)
        }
        JSON.newline(into: &out, pretty: pretty, depth: depth)
        out.append(UInt8(ascii: "]"))
    }

    private func writeObject(_ members: [(String, JSON)], into out: inout [UInt8], pretty: Bool, depth: Int) {
        guard !members.isEmpty else { out.append(contentsOf: "{}".utf8); return }
        out.append(UInt8(ascii: "{"))
        for (offset, (key, value)) in members.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            JSON.newline(into: &out, pretty: pretty, depth: depth + 1)
            JSON.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            if pretty { out.append(UInt8(ascii: " ")) }
            value.write(into: &out, pretty: pretty, depth: depth + 1)
        }
        JSON.newline(into: &out, pretty: pretty, depth: depth)
        out.append(UInt8(ascii: "}"))
    }

    private static func newline(into out: inout [UInt8], pretty: Bool, depth: Int) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 4))
    }

    /// Writes a JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 §7).
    public static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Integral values print without a fraction, as Go does; NaN and infinities, which JSON
    /// cannot carry, print as null.
    static func writeDouble(_ value: Double, into out: inout [UInt8]) {
        guard value.isFinite else { out.append(contentsOf: "null".utf8); return }
        if value == value.rounded(), abs(value) < 1e15 {
            out.append(contentsOf: String(Int64(value)).utf8)
        } else {
            out.append(contentsOf: "\(value)".utf8)
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
