import Raft

// The consensus half of the peer codec: RaftMessage bodies, entries and snapshots. The layout
// table is at the top of PeerCodec.swift.

extension PeerCodec {
    enum BodyTag: UInt8 {
        case preVote = 1, preVoteResponse, requestVote, voteResponse, append, appendResponse
        case heartbeat, heartbeatResponse, readIndex, readIndexResponse, timeoutNow, snapshot
    }

    /// An entry's smallest encoding: index, term, kind and an empty data length.
    static let minimumEntryBytes = 8 + 8 + 1 + 4

    static func writeBody(_ body: RaftMessage.Body, to writer: inout PeerByteWriter) {
        switch body {
        case .preVote(let lastIndex, let lastTerm):
            writer.u8(BodyTag.preVote.rawValue)
            writer.u64(lastIndex)
            writer.u64(lastTerm)
        case .preVoteResponse(let granted):
            writer.u8(BodyTag.preVoteResponse.rawValue)
            writer.bool(granted)
        case .requestVote(let lastIndex, let lastTerm, let transfer):
            writer.u8(BodyTag.requestVote.rawValue)
            writer.u64(lastIndex)
            writer.u64(lastTerm)
            writer.bool(transfer)
        case .voteResponse(let granted):
            writer.u8(BodyTag.voteResponse.rawValue)
            writer.bool(granted)
        case .append(let prevIndex, let prevTerm, let entries, let commit):
            writer.u8(BodyTag.append.rawValue)
            writeAppend(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit, to: &writer)
        case .appendResponse(let success, let matchIndex, let hintIndex):
            writer.u8(BodyTag.appendResponse.rawValue)
            writer.bool(success)
            writer.u64(matchIndex)
            writer.u64(hintIndex)
        case .heartbeat(let commit, let round):
            writer.u8(BodyTag.heartbeat.rawValue)
            writer.u64(commit)
            writer.u64(round)
        case .heartbeatResponse(let round):
            writer.u8(BodyTag.heartbeatResponse.rawValue)
            writer.u64(round)
        case .readIndex(let context):
            writer.u8(BodyTag.readIndex.rawValue)
            writer.u64(context)
        case .readIndexResponse(let context, let index):
            writer.u8(BodyTag.readIndexResponse.rawValue)
            writer.u64(context)
            writer.u64(index)
        case .timeoutNow:
            writer.u8(BodyTag.timeoutNow.rawValue)
        case .snapshot(let snapshot):
            writer.u8(BodyTag.snapshot.rawValue)
            writeSnapshot(snapshot, to: &writer)
        }
    }

    private static func writeAppend(prevIndex: UInt64, prevTerm: UInt64, entries: [RaftEntry], commit: UInt64,
                                    to writer: inout PeerByteWriter) {
        writer.u64(prevIndex)
        writer.u64(prevTerm)
        writer.count(entries.count)
        for entry in entries {
            writer.u64(entry.index)
            writer.u64(entry.term)
            writer.u8(entry.kind.rawValue)
            writer.byteArray(entry.data)
        }
        writer.u64(commit)
    }

    private static func writeSnapshot(_ snapshot: RaftSnapshot, to writer: inout PeerByteWriter) {
        writer.u64(snapshot.index)
        writer.u64(snapshot.term)
        writer.byteArray(snapshot.membership.encoded)
        writer.byteArray(snapshot.data)
    }

    static func readBody(from reader: inout PeerByteReader) throws(PeerCodecError) -> RaftMessage.Body {
        let start = reader.offset
        let rawTag = try reader.u8("raft.body.tag")
        guard let tag = BodyTag(rawValue: rawTag) else { throw .unknownTag(type: "raft body", tag: rawTag, offset: start) }
        switch tag {
        case .preVote:
            let lastIndex = try reader.u64("preVote.lastIndex")
            return .preVote(lastIndex: lastIndex, lastTerm: try reader.u64("preVote.lastTerm"))
        case .preVoteResponse:
            return .preVoteResponse(granted: try reader.bool("preVoteResponse.granted"))
        case .requestVote:
            let lastIndex = try reader.u64("requestVote.lastIndex")
            let lastTerm = try reader.u64("requestVote.lastTerm")
            return .requestVote(lastIndex: lastIndex, lastTerm: lastTerm, transfer: try reader.bool("requestVote.transfer"))
        case .voteResponse:
            return .voteResponse(granted: try reader.bool("voteResponse.granted"))
        case .append:
            return try readAppend(from: &reader)
        case .appendResponse:
            let success = try reader.bool("appendResponse.success")
            let matchIndex = try reader.u64("appendResponse.matchIndex")
            return .appendResponse(success: success, matchIndex: matchIndex, hintIndex: try reader.u64("appendResponse.hintIndex"))
        case .heartbeat:
            let commit = try reader.u64("heartbeat.commit")
            return .heartbeat(commit: commit, round: try reader.u64("heartbeat.round"))
        case .heartbeatResponse:
            return .heartbeatResponse(round: try reader.u64("heartbeatResponse.round"))
        case .readIndex:
            return .readIndex(context: try reader.u64("readIndex.context"))
        case .readIndexResponse:
            let context = try reader.u64("readIndexResponse.context")
            return .readIndexResponse(context: context, index: try reader.u64("readIndexResponse.index"))
        case .timeoutNow:
            return .timeoutNow
        case .snapshot:
            return .snapshot(try readSnapshot(from: &reader))
        }
    }

    private static func readAppend(from reader: inout PeerByteReader) throws(PeerCodecError) -> RaftMessage.Body {
        let prevIndex = try reader.u64("append.prevIndex")
        let prevTerm = try reader.u64("append.prevTerm")
        let count = try reader.count("append.entries", minimumElementBytes: minimumEntryBytes)
        var entries: [RaftEntry] = []
        // The count is checked against the bytes left, so this reservation is bounded by the input.
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try readEntry(from: &reader)) }
        assert(entries.count == count)
        return .append(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: try reader.u64("append.commit"))
    }

    private static func readEntry(from reader: inout PeerByteReader) throws(PeerCodecError) -> RaftEntry {
        let index = try reader.u64("entry.index")
        let term = try reader.u64("entry.term")
        let start = reader.offset
        let rawKind = try reader.u8("entry.kind")
        guard let kind = RaftEntry.Kind(rawValue: rawKind) else { throw .unknownTag(type: "entry kind", tag: rawKind, offset: start) }
        return RaftEntry(index: index, term: term, kind: kind, data: try reader.byteArray("entry.data"))
    }

    private static func readSnapshot(from reader: inout PeerByteReader) throws(PeerCodecError) -> RaftSnapshot {
        let index = try reader.u64("snapshot.index")
        let term = try reader.u64("snapshot.term")
        let start = reader.offset
        let membershipBytes = try reader.byteArray("snapshot.membership")
        guard let membership = Membership.decode(membershipBytes) else { throw .badMembership(offset: start) }
        return RaftSnapshot(index: index, term: term, membership: membership, data: try reader.byteArray("snapshot.data"))
    }
}
