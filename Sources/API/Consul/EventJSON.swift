import HTTP
import Registry

/// Consul's `UserEvent` JSON and its opaque list index (consul-api.md §1.5, §2.8).
enum EventJSON {
    /// `{"ID","Name","Payload","NodeFilter","ServiceFilter","TagFilter","Version","LTime"}`;
    /// `Payload` is base64, `null` when empty.
    static func event(_ event: UserEvent, ltime: UInt64) -> JSON {
        .object([
            ("ID", .string(event.id)),
            ("Name", .string(event.name)),
            ("Payload", event.payload.isEmpty ? .null : .string(Base64.encode(event.payload))),
            ("NodeFilter", .string(event.nodeFilter)),
            ("ServiceFilter", .string(event.serviceFilter)),
            ("TagFilter", .string(event.tagFilter)),
            ("Version", .int(EventEndpoint.version)),
            ("LTime", KVJSON.unsigned(ltime)),
        ])
    }

    /// Consul's `uuidToUint64`: the UUID's first 16 hex digits XOR its last 16 (dashes
    /// skipped). An ID that is not a UUID (never written by Gravity) gives 1.
    static func index(ofEventID id: String) -> UInt64 {
        let digits = Array(id.utf8.filter { $0 != UInt8(ascii: "-") })
        guard id.utf8.count == 36, digits.count == 32,
              let low = UInt64(String(decoding: digits[0..<16], as: UTF8.self), radix: 16),
              let high = UInt64(String(decoding: digits[16..<32], as: UTF8.self), radix: 16) else { return 1 }
        return low ^ high
    }
}
