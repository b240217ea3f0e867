import Registry

/// The bytes of a command entry in the log: the leader's wall clock when it proposed the entry
/// (8 bytes, little-endian) followed by the encoded `Command`. Recording the time in the entry is
/// what lets every replica apply time-dependent rules (lock-delay) identically.
enum LogEntryPayload {
    static func encode(_ command: Command, leaderMilliseconds: UInt64) -> [UInt8] {
        let encoded = command.encode()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + encoded.count)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: leaderMilliseconds >> UInt64(shift))) }
        bytes.append(contentsOf: encoded)
        return bytes
    }

    /// The command and time of an entry. An entry this build cannot decode stops the node:
    /// a replica that cannot apply must not go on (DESIGN.md §7).
    static func decode(_ bytes: [UInt8], index: UInt64) -> (Command, UInt64) {
        precondition(bytes.count > 8, "log entry \(index) is too short to hold a command")
        let time = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        do {
            return (try Command.decode(Array(bytes[8...])), time)
        } catch {
            fatalError("log entry \(index) holds a command this build cannot decode: \(error)")
        }
    }
}
