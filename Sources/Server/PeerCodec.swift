import Raft

// The bytes of one peer message (what `PeerFrame` carries), big-endian throughout:
//
//   PeerMessage   tag u8, then the case's fields:
//     1 raft       from u64, to u64, term u64, body tag u8, the body's fields
//     2 status     bootstrapped bool, leader optional ID, term u64, nodeName string, address string,
//                  nodeID string
//     3 forward    context u64, payload bytes
//     4 forwarded  context u64, index u64, term u64
//     5 join       address string
//     6 operate    context u64, operation tag u8 (1 transferLeader, 2 removePeer), then its
//                  fields as optional strings
//     7 operated   context u64, failure optional string
//   RaftMessage.Body tags: 1 preVote, 2 preVoteResponse, 3 requestVote, 4 voteResponse, 5 append,
//     6 appendResponse, 7 heartbeat, 8 heartbeatResponse, 9 readIndex, 10 readIndexResponse,
//     11 timeoutNow, 12 snapshot; fields in the order the case declares them.
//   RaftEntry     index u64, term u64, kind u8 (RaftEntry.Kind's raw value), data bytes
//   RaftSnapshot  index u64, term u64, membership bytes (Membership.encoded), data bytes
//   PeerHandshake version u8, datacenter string, id u64, address string
//
// bool: one byte, 0 or 1. optional ID / optional string: a presence bool, then the value. bytes and
// string: u32 length, then the bytes (strings UTF-8). Tags are append-only: a tag once used
// keeps its meaning forever; a new case takes a new number. Tag 0 is never used, so a run of
// zero bytes is refused at once.
//
// Decoding refuses anything encoding could not have produced, so whatever decodes re-encodes to
// the same bytes (PeerCodecTests checks this on random input).

/// The peer wire's message codec. Pure: no I/O, no clock.
public enum PeerCodec {
    /// The bytes of `message`. In debug builds, asserts that they decode back to it.
    public static func encode(_ message: PeerMessage) -> [UInt8] {
        var writer = PeerByteWriter(reservingCapacity: 64 + payloadBytes(of: message))
        writeMessage(message, to: &writer)
        let bytes = writer.bytes
        assert((try? decode(bytes)) == message, "PeerCodec.encode wrote bytes that do not decode back")
        return bytes
    }

    /// The bytes of `message` as a head and a bulk, `head + bulk == encode(message)`: a
    /// snapshot's data, the last field of its encoding, is the bulk, left in the snapshot's own
    /// buffer instead of copied (`PeerFrameStream` frames the two in place). Any other message
    /// is all head.
    public static func encodeParts(_ message: PeerMessage) -> (head: [UInt8], bulk: [UInt8]) {
        guard case .raft(var raft) = message, case .snapshot(var snapshot) = raft.body, !snapshot.data.isEmpty else {
            return (encode(message), [])
        }
        let bulk = snapshot.data
        snapshot.data = []
        raft.body = .snapshot(snapshot)
        var head = encode(.raft(raft))
        // The data's length, the head's last field, went out as 0.
        var length = PeerByteWriter(reservingCapacity: 4)
        length.count(bulk.count)
        head.replaceSubrange((head.count - 4)..., with: length.bytes)
        return (head, bulk)
    }

    /// Reads one message. Never traps, whatever the bytes; allocates only in proportion to what
    /// it decodes. The error names what was wrong and where.
    public static func decode(_ bytes: [UInt8]) throws(PeerCodecError) -> PeerMessage {
        var reader = PeerByteReader(bytes)
        let message = try readMessage(from: &reader)
        try reader.finish()
        return message
    }

    /// The bytes of `handshake`. The layout is the same in every protocol version, so a peer of
    /// another version is refused for its version, not for bytes we cannot read.
    public static func encode(_ handshake: PeerHandshake) -> [UInt8] {
        var writer = PeerByteWriter(reservingCapacity: 32 + handshake.datacenter.utf8.count + handshake.address.utf8.count)
        writer.u8(handshake.version)
        writer.string(handshake.datacenter)
        writer.u64(handshake.id)
        writer.string(handshake.address)
        let bytes = writer.bytes
        assert((try? decodeHandshake(bytes)) == handshake, "PeerCodec.encode wrote a handshake that does not decode back")
        return bytes
    }

    /// Reads a handshake of any version; the transport decides whether it speaks that version.
    public static func decodeHandshake(_ bytes: [UInt8]) throws(PeerCodecError) -> PeerHandshake {
        var reader = PeerByteReader(bytes)
        let version = try reader.u8("handshake.version")
        let datacenter = try reader.string("handshake.datacenter")
        let id = try reader.u64("handshake.id")
        let address = try reader.string("handshake.address")
        try reader.finish()
        return PeerHandshake(version: version, datacenter: datacenter, id: id, address: address)
    }

    /// The bulk bytes a message carries, to size the buffer once.
    private static func payloadBytes(of message: PeerMessage) -> Int {
        switch message {
        case .raft(let raft):
            switch raft.body {
            case .append(_, _, let entries, _): entries.reduce(0) { $0 + 32 + $1.data.count }
            case .snapshot(let snapshot): snapshot.data.count + 16 * snapshot.membership.members.count
            default: 0
            }
        case .forward(_, let payload): payload.count
        case .status, .forwarded, .join, .operate, .operated: 0
        }
    }

    // MARK: PeerMessage

    private enum MessageTag: UInt8 {
        case raft = 1, status, forward, forwarded, join, operate, operated
    }

    private static func writeMessage(_ message: PeerMessage, to writer: inout PeerByteWriter) {
        switch message {
        case .raft(let raft):
            writer.u8(MessageTag.raft.rawValue)
            writer.u64(raft.from)
            writer.u64(raft.to)
            writer.u64(raft.term)
            writeBody(raft.body, to: &writer)
        case .status(let status):
            writer.u8(MessageTag.status.rawValue)
            writer.bool(status.bootstrapped)
            writer.optionalID(status.leader)
            writer.u64(status.term)
            writer.string(status.nodeName)
            writer.string(status.address)
            writer.string(status.nodeID)
        case .forward(let context, let payload):
            writer.u8(MessageTag.forward.rawValue)
            writer.u64(context)
            writer.byteArray(payload)
        case .forwarded(let context, let index, let term):
            writer.u8(MessageTag.forwarded.rawValue)
            writer.u64(context)
            writer.u64(index)
            writer.u64(term)
        case .join(let address):
            writer.u8(MessageTag.join.rawValue)
            writer.string(address)
        case .operate(let context, let operation):
            writer.u8(MessageTag.operate.rawValue)
            writer.u64(context)
            switch operation {
            case .transferLeader(let id):
                writer.u8(1)
                writer.optionalString(id)
            case .removePeer(let id, let address):
                writer.u8(2)
                writer.optionalString(id)
                writer.optionalString(address)
            }
        case .operated(let context, let failure):
            writer.u8(MessageTag.operated.rawValue)
            writer.u64(context)
            writer.optionalString(failure)
        }
    }

    private static func readMessage(from reader: inout PeerByteReader) throws(PeerCodecError) -> PeerMessage {
        let start = reader.offset
        let rawTag = try reader.u8("message.tag")
        guard let tag = MessageTag(rawValue: rawTag) else { throw .unknownTag(type: "message", tag: rawTag, offset: start) }
        switch tag {
        case .raft:
            let from = try reader.u64("raft.from")
            let to = try reader.u64("raft.to")
            let term = try reader.u64("raft.term")
            return .raft(RaftMessage(from: from, to: to, term: term, body: try readBody(from: &reader)))
        case .status:
            return .status(try readStatus(from: &reader))
        case .forward:
            let context = try reader.u64("forward.context")
            return .forward(context: context, payload: try reader.byteArray("forward.payload"))
        case .forwarded:
            let context = try reader.u64("forwarded.context")
            let index = try reader.u64("forwarded.index")
            return .forwarded(context: context, index: index, term: try reader.u64("forwarded.term"))
        case .join:
            return .join(address: try reader.string("join.address"))
        case .operate:
            let context = try reader.u64("operate.context")
            let start = reader.offset
            switch try reader.u8("operate.operation") {
            case 1:
                return .operate(context: context, operation: .transferLeader(id: try reader.optionalString("operate.id")))
            case 2:
                let id = try reader.optionalString("operate.id")
                return .operate(context: context, operation: .removePeer(id: id, address: try reader.optionalString("operate.address")))
            case let other:
                throw .unknownTag(type: "operation", tag: other, offset: start)
            }
        case .operated:
            let context = try reader.u64("operated.context")
            return .operated(context: context, failure: try reader.optionalString("operated.failure"))
        }
    }

    private static func readStatus(from reader: inout PeerByteReader) throws(PeerCodecError) -> PeerStatus {
        let bootstrapped = try reader.bool("status.bootstrapped")
        let leader = try reader.optionalID("status.leader")
        let term = try reader.u64("status.term")
        let nodeName = try reader.string("status.nodeName")
        let address = try reader.string("status.address")
        let nodeID = try reader.string("status.nodeID")
        return PeerStatus(bootstrapped: bootstrapped, leader: leader, term: term, nodeName: nodeName, address: address, nodeID: nodeID)
    }
}
