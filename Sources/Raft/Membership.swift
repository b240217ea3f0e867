/// Who votes and who only receives the log, and where each member listens. A change is one log
/// entry (`RaftEntry.Kind.membership`) that takes effect as soon as a server has it in its log,
/// committed or not (thesis §4.1), one change at a time.
public struct Membership: Sendable, Equatable {
    public private(set) var voters: [RaftNodeID]
    /// Servers that receive the log but do not vote: new servers catch up as learners before
    /// they are promoted, so adding one never stalls commits.
    public private(set) var learners: [RaftNodeID]
    /// Each member's peer address ("host:port", a DNS name or an IP) as it advertised it. The
    /// core never reads it; it travels with the membership so every server knows where the
    /// others are after a restart.
    public private(set) var addresses: [RaftNodeID: String]

    public init(voters: [RaftNodeID], learners: [RaftNodeID] = [], addresses: [RaftNodeID: String] = [:]) {
        self.voters = Array(Set(voters)).sorted()
        self.learners = Array(Set(learners).subtracting(voters)).sorted()
        let members = Set(voters).union(learners)
        self.addresses = addresses.filter { members.contains($0.key) }
    }

    public var members: [RaftNodeID] { (voters + learners).sorted() }
    public var quorum: Int { voters.count / 2 + 1 }

    /// One change, or nil when it would change nothing or leave no voter.
    public func applying(_ change: MembershipChange) -> Membership? {
        switch change {
        case .addLearner(let id, let address):
            guard !voters.contains(id), !learners.contains(id) else { return nil }
            var next = addresses
            next[id] = address
            return Membership(voters: voters, learners: learners + [id], addresses: next)
        case .promote(let id):
            guard learners.contains(id) else { return nil }
            return Membership(voters: voters + [id], learners: learners.filter { $0 != id }, addresses: addresses)
        case .remove(let id):
            guard members.contains(id), voters != [id] else { return nil }
            return Membership(voters: voters.filter { $0 != id }, learners: learners.filter { $0 != id }, addresses: addresses)
        }
    }

    /// The entry payload (big-endian): voter count, voters, learner count, learners, then for
    /// each member in ID order that has one: its ID, the address's byte count (2 bytes) and UTF-8.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        for list in [voters, learners] {
            bytes += withUnsafeBytes(of: UInt32(list.count).bigEndian, Array.init)
            for id in list { bytes += withUnsafeBytes(of: id.bigEndian, Array.init) }
        }
        let known = members.filter { addresses[$0] != nil }
        bytes += withUnsafeBytes(of: UInt32(known.count).bigEndian, Array.init)
        for id in known {
            let utf8 = Array(addresses[id]!.utf8.prefix(Int(UInt16.max)))
            bytes += withUnsafeBytes(of: id.bigEndian, Array.init)
            bytes += withUnsafeBytes(of: UInt16(utf8.count).bigEndian, Array.init)
            bytes += utf8
        }
        return bytes
    }

    /// Reads `encoded`'s bytes; nil for anything it could not have written.
    public static func decode(_ bytes: [UInt8]) -> Membership? {
        var offset = 0
        func read(_ width: Int) -> UInt64? {
            guard offset + width <= bytes.count else { return nil }
            defer { offset += width }
            return bytes[offset..<offset + width].reduce(0) { $0 << 8 | UInt64($1) }
        }
        var lists: [[RaftNodeID]] = []
        for _ in 0..<2 {
            guard let count = read(4), count <= UInt64(bytes.count) else { return nil }
            var list: [RaftNodeID] = []
            for _ in 0..<count {
                guard let id = read(8) else { return nil }
                list.append(id)
            }
            lists.append(list)
        }
        var addresses: [RaftNodeID: String] = [:]
        guard let count = read(4), count <= UInt64(bytes.count) else { return nil }
        for _ in 0..<count {
            guard let id = read(8), let length = read(2), offset + Int(length) <= bytes.count else { return nil }
            addresses[id] = String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
            offset += Int(length)
        }
        guard offset == bytes.count else { return nil }
        let membership = Membership(voters: lists[0], learners: lists[1], addresses: addresses)
        return membership.encoded == bytes ? membership : nil
    }
}

/// One membership change.
public enum MembershipChange: Sendable, Equatable {
    /// A new server, with the address it advertised.
    case addLearner(RaftNodeID, address: String)
    case promote(RaftNodeID)
    case remove(RaftNodeID)
}
