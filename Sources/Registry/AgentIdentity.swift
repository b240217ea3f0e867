/// Who this node is: its name, stable ID and datacenter. Fixed for the life of a data folder.
public struct AgentIdentity: Sendable, Equatable {
    /// The node name, valid as a DNS label.
    public let nodeName: String
    /// A UUID in Consul's textual form (8-4-4-4-12 lowercase hex), persisted in the data folder.
    public let nodeID: String
    /// The datacenter name.
    public let datacenter: String

    /// Validates every field; the error names the first bad one.
    public init(nodeName: String, nodeID: String, datacenter: String) throws(ValidationError) {
        try Self.validateNodeName(nodeName)
        try Self.validateNodeID(nodeID)
        try Self.validateDatacenter(datacenter)
        self.nodeName = nodeName
        self.nodeID = nodeID
        self.datacenter = datacenter
    }

    /// The longest node name accepted; it must fit a DNS name with room for the domain.
    public static let maxNodeNameBytes = 128

    /// Node names become DNS labels (`<node>.node.consul`) and URL path segments, so they are
    /// limited to letters, digits, '-', '_' and '.'.
    public static func validateNodeName(_ name: String) throws(ValidationError) {
        guard !name.isEmpty else { throw ValidationError(field: "NodeName", message: "Missing node name") }
        guard name.utf8.count <= maxNodeNameBytes else {
            throw ValidationError(field: "NodeName", message: "Invalid node name: longer than \(maxNodeNameBytes) bytes")
        }
        guard name.utf8.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }) else {
            throw ValidationError(field: "NodeName", message: "Invalid node name \"\(name)\": only letters, digits, '-', '_' and '.' are allowed")
        }
    }

    /// Consul's rule: datacenter names are lowercase letters, digits, '-' and '_'.
    public static func validateDatacenter(_ name: String) throws(ValidationError) {
        guard !name.isEmpty, name.utf8.count <= 64 else {
            throw ValidationError(field: "Datacenter", message: "Invalid Datacenter \"\(name)\": must be 1 to 64 characters")
        }
        guard name.utf8.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
            throw ValidationError(field: "Datacenter", message: "Invalid Datacenter \"\(name)\": only lowercase letters, digits, '-' and '_' are allowed")
        }
    }

    /// A node ID is a UUID written as 36 characters of lowercase hex and dashes.
    public static func validateNodeID(_ id: String) throws(ValidationError) {
        let bytes = Array(id.utf8)
        let dashes: Set<Int> = [8, 13, 18, 23]
        let ok = bytes.count == 36 && bytes.indices.allSatisfy { index in
            dashes.contains(index) ? bytes[index] == UInt8(ascii: "-") : isLowerHex(bytes[index])
        }
        guard ok else {
            throw ValidationError(field: "NodeID", message: "Invalid NodeID \"\(id)\": must be a UUID like 0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e")
        }
    }

    /// Formats 16 random bytes (drawn by the shell) as a version-4 UUID.
    public static func formatNodeID(randomBytes bytes: [UInt8]) -> String {
        precondition(bytes.count == 16, "a UUID is 16 bytes")
        var b = bytes
        b[6] = (b[6] & 0x0f) | 0x40  // version 4
        b[8] = (b[8] & 0x3f) | 0x80  // RFC 4122 variant
        let hex = b.map { byte -> String in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
        }
        let groups = [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }
        let id = groups.joined(separator: "-")
        assert((try? validateNodeID(id)) != nil)
        return id
    }
}

@inline(__always) func isAlphanumeric(_ c: UInt8) -> Bool {
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

@inline(__always) func isLowerAlphanumeric(_ c: UInt8) -> Bool {
    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)
}

@inline(__always) func isLowerHex(_ c: UInt8) -> Bool {
    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)
}
