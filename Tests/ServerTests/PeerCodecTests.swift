// Proves the peer wire is exact and safe: every message and Raft body round-trips, any byte string decodes or fails with a named error (never a trap), and framing gives the same messages however the stream is split.
import Raft
@testable import Server
import XCTest

final class PeerCodecTests: XCTestCase {
    // MARK: Samples

    private static let membership = Membership(voters: [3, 1, 2], learners: [9], addresses: [1: "10.0.0.1:8300", 2: "b.svc:8300", 9: "[::1]:8300"])

    private static func raft(_ body: RaftMessage.Body, from: RaftNodeID = 1, to: RaftNodeID = 2, term: UInt64 = 7) -> PeerMessage {
        .raft(RaftMessage(from: from, to: to, term: term, body: body))
    }

    /// Every RaftMessage body, some twice with edge values.
    private static let bodies: [RaftMessage.Body] = [
        .preVote(lastIndex: 10, lastTerm: 3),
        .preVoteResponse(granted: true),
        .preVoteResponse(granted: false),
        .requestVote(lastIndex: .max, lastTerm: 0, transfer: true),
        .requestVote(lastIndex: 1, lastTerm: 1),
        .voteResponse(granted: true),
        .append(prevIndex: 0, prevTerm: 0, entries: [], commit: 0),
        .append(prevIndex: 4, prevTerm: 2, entries: [
            RaftEntry(index: 5, term: 2, kind: .noop),
            RaftEntry(index: 6, term: 3, kind: .command, data: [1, 2, 3]),
            RaftEntry(index: 7, term: 3, kind: .membership, data: membership.encoded),
            RaftEntry(index: 8, term: 3, kind: .command, data: []),
        ], commit: 6),
        .appendResponse(success: true, matchIndex: 8, hintIndex: 8),
        .appendResponse(success: false, matchIndex: 0, hintIndex: 3),
        .heartbeat(commit: 12, round: 99),
        .heartbeatResponse(round: 99),
        .readIndex(context: 0xDEAD_BEEF),
        .readIndexResponse(context: 0xDEAD_BEEF, index: 44),
        .timeoutNow,
        .snapshot(RaftSnapshot(index: 100, term: 9, membership: membership, data: Array("state".utf8))),
        .snapshot(RaftSnapshot(index: 1, term: 1, membership: Membership(voters: [1]), data: [])),
    ]

    /// Every PeerMessage case, every body, small enough to test every prefix.
    private static let samples: [PeerMessage] = bodies.map { raft($0) } + [
        raft(.timeoutNow, from: .max, to: 0, term: .max),
        .status(PeerStatus(bootstrapped: true, leader: 3, term: 8, nodeName: "node-a", address: "a.svc:8300", nodeID: "0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e")),
        .status(PeerStatus(bootstrapped: false, leader: nil, term: 0, nodeName: "", address: "")),
        .status(PeerStatus(bootstrapped: true, leader: 0, term: 1, nodeName: "nœud-β", address: "[fe80::1]:8300")),
        .forward(context: 5, payload: [0, 1, 2, 255]),
        .forward(context: 0, payload: []),
        .forwarded(context: 5, index: 17, term: 4),
        .forwarded(context: 6, index: 0, term: 0),
        .join(address: "10.0.0.4:8300"),
        .operate(context: 9, operation: .transferLeader(id: nil)),
        .operate(context: 10, operation: .transferLeader(id: "00000000000000a1")),
        .operate(context: 11, operation: .removePeer(id: nil, address: "10.0.0.2:8300")),
        .operate(context: 12, operation: .removePeer(id: "b2", address: nil)),
        .operated(context: 9, failure: nil),
        .operated(context: 10, failure: "cannot find a voter with ID 00000000000000a1"),
    ]

    private static let handshakes: [PeerHandshake] = [
        PeerHandshake(datacenter: "dc1", id: 1, address: "127.0.0.1:8300"),
        PeerHandshake(version: 200, datacenter: "", id: .max, address: ""),
    ]

    /// The body's case name, exhaustively: a new case fails to compile here until it has a sample.
    private static func caseName(_ body: RaftMessage.Body) -> String {
        switch body {
        case .preVote: "preVote"
        case .preVoteResponse: "preVoteResponse"
        case .requestVote: "requestVote"
        case .voteResponse: "voteResponse"
        case .append: "append"
        case .appendResponse: "appendResponse"
        case .heartbeat: "heartbeat"
        case .heartbeatResponse: "heartbeatResponse"
        case .readIndex: "readIndex"
        case .readIndexResponse: "readIndexResponse"
        case .timeoutNow: "timeoutNow"
        case .snapshot: "snapshot"
        }
    }

    private static func caseName(_ message: PeerMessage) -> String {
        switch message {
        case .raft(let raft): "raft." + caseName(raft.body)
        case .status: "status"
        case .forward: "forward"
        case .forwarded: "forwarded"
        case .join: "join"
        case .operate: "operate"
        case .operated: "operated"
        }
    }

    // MARK: Round trips

    func testEveryCaseRoundTrips() throws {
        XCTAssertEqual(Set(Self.samples.map(Self.caseName)).count, 12 + 6, "a sample per body and per message case")
        for message in Self.samples {
            let bytes = PeerCodec.encode(message)
            XCTAssertEqual(try PeerCodec.decode(bytes), message, Self.caseName(message))
        }
        for handshake in Self.handshakes {
            XCTAssertEqual(try PeerCodec.decodeHandshake(PeerCodec.encode(handshake)), handshake)
        }
    }

    func testLargeDataRoundTrips() throws {
        var random = SplitMix64(seed: 7)
        let big = (0..<300_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let messages: [PeerMessage] = [
            Self.raft(.append(prevIndex: 1, prevTerm: 1, entries: [RaftEntry(index: 2, term: 1, data: big), RaftEntry(index: 3, term: 1)], commit: 2)),
            Self.raft(.snapshot(RaftSnapshot(index: 9, term: 2, membership: Self.membership, data: big))),
            .forward(context: 1, payload: big),
        ]
        for message in messages {
            let bytes = PeerCodec.encode(message)
            XCTAssertGreaterThan(bytes.count, big.count)
            XCTAssertEqual(try PeerCodec.decode(bytes), message)
        }
    }

    /// A snapshot's data is left out of the head, in place; every other message is all head.
    func testPartsJoinToTheEncoding() throws {
        var random = SplitMix64(seed: 11)
        let data = (0..<70_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let snapshot = Self.raft(.snapshot(RaftSnapshot(index: 9, term: 2, membership: Self.membership, data: data)))
        let (head, bulk) = PeerCodec.encodeParts(snapshot)
        XCTAssertEqual(bulk, data)
        XCTAssertLessThan(head.count, 200)
        XCTAssertEqual(head + bulk, PeerCodec.encode(snapshot))
        for message in Self.samples {
            let parts = PeerCodec.encodeParts(message)
            XCTAssertEqual(parts.head + parts.bulk, PeerCodec.encode(message), Self.caseName(message))
            if case .raft(let raft) = message, case .snapshot(let taken) = raft.body, !taken.data.isEmpty { continue }
            XCTAssertEqual(parts.bulk, [], Self.caseName(message))
        }
    }

    func testLayoutIsBigEndianWithOneTagByte() {
        XCTAssertEqual(PeerCodec.encode(.forwarded(context: 1, index: 0x0102, term: 3)),
                       [4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 3])
        XCTAssertEqual(PeerCodec.encode(Self.raft(.timeoutNow, from: 1, to: 2, term: 3)),
                       [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 11])
        XCTAssertEqual(PeerCodec.encode(PeerHandshake(datacenter: "d", id: 2, address: "a")),
                       [1, 0, 0, 0, 1, 100, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 97])
    }

    // MARK: Refusals

    func testEveryStrictPrefixThrows() {
        for message in Self.samples {
            let bytes = PeerCodec.encode(message)
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try PeerCodec.decode(Array(bytes[..<length])), "\(Self.caseName(message)) prefix \(length)")
            }
        }
        for handshake in Self.handshakes {
            let bytes = PeerCodec.encode(handshake)
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try PeerCodec.decodeHandshake(Array(bytes[..<length])), "handshake prefix \(length)")
            }
        }
    }

    func testTrailingBytesAreRejected() {
        for message in Self.samples {
            let bytes = PeerCodec.encode(message)
            XCTAssertThrowsError(try PeerCodec.decode(bytes + [0])) { error in
                XCTAssertEqual(error as? PeerCodecError, .trailingBytes(count: 1, offset: bytes.count))
            }
        }
        let handshake = PeerCodec.encode(Self.handshakes[0])
        XCTAssertThrowsError(try PeerCodec.decodeHandshake(handshake + [1, 2])) { error in
            XCTAssertEqual(error as? PeerCodecError, .trailingBytes(count: 2, offset: handshake.count))
        }
    }

    /// Each refusal names what was wrong.
    func testErrorsNameTheProblem() {
        let header: [UInt8] = [1] + [UInt8](repeating: 0, count: 24)  // raft, from 0, to 0, term 0
        let cases: [([UInt8], PeerCodecError, String)] = [
            ([9], .unknownTag(type: "message", tag: 9, offset: 0), "unknown message tag 9 at offset 0"),
            ([0], .unknownTag(type: "message", tag: 0, offset: 0), "unknown message tag 0"),
            (header + [13], .unknownTag(type: "raft body", tag: 13, offset: 25), "unknown raft body tag 13"),
            ([1, 0, 0], .truncated(field: "raft.from", offset: 1), "truncated at field raft.from"),
            (header + [5] + [UInt8](repeating: 0, count: 16) + [0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 8),
             .countTooLarge(field: "append.entries", count: 0xFFFF_FFFF, remaining: 8, offset: 42), "larger than the 8 remaining bytes"),
            (header + [5] + [UInt8](repeating: 0, count: 16) + [0, 0, 0, 1] + [UInt8](repeating: 0, count: 16) + [7, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8),
             .unknownTag(type: "entry kind", tag: 7, offset: 62), "unknown entry kind tag 7"),
            (header + [2, 2], .invalidFlag(field: "preVoteResponse.granted", byte: 2, offset: 26), "not a boolean"),
            ([5, 0, 0, 0, 2, 0xC3, 0x28], .invalidUTF8(field: "join.address", offset: 1), "not valid UTF-8"),
            ([3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 1], .countTooLarge(field: "forward.payload", count: 9, remaining: 1, offset: 9), "forward.payload"),
            (header + [12] + [UInt8](repeating: 0, count: 16) + [0, 0, 0, 1, 0xAB] + [0, 0, 0, 0],
             .badMembership(offset: 42), "bad membership at offset 42"),
        ]
        for (bytes, expected, text) in cases {
            XCTAssertThrowsError(try PeerCodec.decode(bytes)) { error in
                XCTAssertEqual(error as? PeerCodecError, expected)
                XCTAssertTrue("\(error)".contains(text), "\(error) should say \(text)")
            }
        }
    }

    /// Random bytes and mutated encodings: every one decodes or throws, and whatever decodes
    /// re-encodes to the same bytes (the codec is canonical).
    func testRandomBytesNeverTrap() {
        var random = SplitMix64(seed: 0x5EED_0001)
        let encodings = Self.samples.map(PeerCodec.encode)
        var decoded = 0
        for round in 0..<20_000 {
            let bytes = round % 2 == 0 ? Self.randomBytes(&random) : Self.mutated(encodings[round / 2 % encodings.count], &random)
            if let message = try? PeerCodec.decode(bytes) {
                decoded += 1
                XCTAssertEqual(PeerCodec.encode(message), bytes, "seed 0x5EED0001 round \(round)")
            }
            if let handshake = try? PeerCodec.decodeHandshake(bytes) {
                XCTAssertEqual(PeerCodec.encode(handshake), bytes, "seed 0x5EED0001 round \(round)")
            }
        }
        XCTAssertGreaterThan(decoded, 100, "mutations should sometimes still decode")
    }

    /// Mostly a valid tag first, so decoding gets past the first byte.
    private static func randomBytes(_ random: inout SplitMix64) -> [UInt8] {
        let count = Int(random.next() % 80)
        var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        if !bytes.isEmpty && random.next() % 4 != 0 { bytes[0] = UInt8(1 + random.next() % 5) }
        return bytes
    }

    /// A valid encoding with a few bytes overwritten, some cut off, or some inserted.
    private static func mutated(_ valid: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = valid
        for _ in 0..<(1 + random.next() % 3) where !bytes.isEmpty {
            let position = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 4 {
            case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes[position] ^= 1 << UInt8(random.next() % 8)
            case 2: bytes.removeLast(min(bytes.count, Int(random.next() % 4)))
            default: bytes.insert(UInt8(truncatingIfNeeded: random.next() % 3), at: position)
            }
        }
        return bytes
    }
}

// MARK: Framing: chunking, reassembly across any split, and the refusals.

extension PeerCodecTests {
    private func decodeAll(_ pieces: [ArraySlice<UInt8>], decoder: inout PeerFrameDecoder) throws -> [[UInt8]] {
        var messages: [[UInt8]] = []
        for piece in pieces { messages += try decoder.feed(Array(piece)) }
        return messages
    }

    func testSmallMessagesSurviveEverySplit() throws {
        let messages = [PeerCodec.encode(.join(address: "10.0.0.4:8300")), [], [42]]
        let stream = messages.flatMap { PeerFrame.encode($0) }
        XCTAssertEqual(stream.count, messages.reduce(0) { $0 + $1.count } + 3 * PeerFrame.headerBytes)
        for split in 0...stream.count {
            var decoder = PeerFrameDecoder()
            XCTAssertEqual(try decodeAll([stream[..<split], stream[split...]], decoder: &decoder), messages, "split at \(split)")
            XCTAssertEqual(decoder.bufferedBytes, 0)
        }
        var decoder = PeerFrameDecoder()
        XCTAssertEqual(try decodeAll(stream.map { [$0][...] }, decoder: &decoder), messages, "one byte at a time")
    }

    func testLargeMessageIsChunkedAndReassembledAtRandomSplits() throws {
        var random = SplitMix64(seed: 0xF4A3E)
        let message = (0..<(3 << 20) + 5).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let stream = PeerFrame.encode(message) + PeerFrame.encode([7, 7])
        XCTAssertEqual(stream.count, message.count + 2 + 5 * PeerFrame.headerBytes, "four chunks, then one")
        XCTAssertEqual(stream[1], 1, "the first chunk says more follow")
        for round in 0..<3 {
            var cuts = (0..<40).map { _ in Int(random.next() % UInt64(stream.count)) }.sorted()
            cuts = [0] + cuts + [stream.count]
            let pieces = zip(cuts, cuts.dropFirst()).map { stream[$0..<$1] }
            var decoder = PeerFrameDecoder()
            let decoded = try decodeAll(pieces, decoder: &decoder)
            XCTAssertEqual(decoded.count, 2, "round \(round)")
            XCTAssertTrue(decoded.first == message, "round \(round): the 3 MiB message arrives intact")
            XCTAssertEqual(decoded.last, [7, 7])
        }
    }

    /// A message framed a chunk at a time gives the same bytes as framed at once, wherever the
    /// head ends: in the first chunk, on a chunk boundary, in a later chunk, or with no bulk.
    func testStreamedFramesAreTheFramesOfTheWholeMessage() throws {
        var random = SplitMix64(seed: 0x57EA)
        let bytes = (0..<10_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for (headCount, bulkCount, chunk) in [(0, 0, 4), (3, 0, 4), (0, 9, 4), (5, 17, 4), (8, 8, 4), (9, 3, 4), (40, 3000, 1000), (2500, 2500, 1000), (100, 7, 1 << 20)] {
            let head = Array(bytes[0..<headCount]), bulk = Array(bytes[headCount..<(headCount + bulkCount)])
            var stream = PeerFrameStream(head: head, bulk: bulk, maxChunkBytes: chunk)
            var frames: [UInt8] = []
            var count = 0
            while let frame = stream.nextFrame() {
                frames += frame
                count += 1
            }
            let label = "head \(headCount), bulk \(bulkCount), chunk \(chunk)"
            XCTAssertEqual(frames, PeerFrame.encode(head + bulk, maxChunkBytes: chunk), label)
            XCTAssertEqual(count, max(1, (headCount + bulkCount + chunk - 1) / chunk), label)
            XCTAssertTrue(stream.isFinished, label)
            XCTAssertNil(stream.nextFrame(), label)
            var decoder = PeerFrameDecoder(maxChunkBytes: max(chunk, 4))
            XCTAssertEqual(try decoder.feed(frames), [head + bulk], label)
        }
    }

    func testChecksumFlipIsDetected() {
        var stream = PeerFrame.encode(Array("hello, peer".utf8))
        stream[PeerFrame.headerBytes + 3] ^= 0x10
        var decoder = PeerFrameDecoder()
        XCTAssertThrowsError(try decoder.feed(stream)) { error in
            guard case .checksumMismatch = error as? PeerFrameError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("checksum mismatch"))
        }
        // The decoder is dead: even good bytes now fail.
        XCTAssertThrowsError(try decoder.feed(PeerFrame.encode([1])))
    }

    func testMessagesBeforeABadFrameAreKept() {
        var bad = PeerFrame.encode([9, 9])
        bad[bad.count - 1] ^= 1
        let stream = PeerFrame.encode([1]) + PeerFrame.encode([2, 2]) + bad
        var decoder = PeerFrameDecoder()
        var messages: [[UInt8]] = []
        XCTAssertThrowsError(try stream.withUnsafeBytes { try decoder.feed($0, into: &messages) })
        XCTAssertEqual(messages, [[1], [2, 2]], "what precedes the bad frame is delivered, however the reads split")
    }

    func testBadHeadersAreRefusedBeforeThePayload() {
        let cases: [([UInt8], PeerFrameError)] = [
            ([2, 0, 0, 0, 0, 1, 0, 0, 0, 0], .unsupportedVersion(2)),
            ([1, 2, 0, 0, 0, 1, 0, 0, 0, 0], .unknownFlags(2)),
            ([1, 0, 0, 0x10, 0, 1, 0, 0, 0, 0], .chunkTooLarge(bytes: (1 << 20) + 1, limit: 1 << 20)),
            ([1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], .chunkTooLarge(bytes: .max, limit: 1 << 20)),
        ]
        for (header, expected) in cases {
            var decoder = PeerFrameDecoder()
            XCTAssertEqual(try decoder.feed(Array(header.prefix(9))), [])
            XCTAssertThrowsError(try decoder.feed([header[9]]), "the tenth header byte decides") { error in
                XCTAssertEqual(error as? PeerFrameError, expected)
            }
        }
    }

    func testReassembledMessageOverTheLimitIsRefused() throws {
        var decoder = PeerFrameDecoder(maxChunkBytes: 4, maxMessageBytes: 10)
        XCTAssertEqual(try decoder.feed(PeerFrame.encode(Array(repeating: 1, count: 10), maxChunkBytes: 4)), [Array(repeating: 1, count: 10)])
        let stream = PeerFrame.encode(Array(repeating: 2, count: 11), maxChunkBytes: 4)
        XCTAssertThrowsError(try decoder.feed(stream)) { error in
            XCTAssertEqual(error as? PeerFrameError, .messageTooLarge(bytes: 11, limit: 10))
        }
        XCTAssertEqual(decoder.bufferedBytes, 8 + PeerFrame.headerBytes, "the refused chunk's payload is never buffered")
    }

    func testRandomStreamsNeverTrap() {
        var random = SplitMix64(seed: 0xF8A3E)
        for round in 0..<2_000 {
            var decoder = PeerFrameDecoder(maxChunkBytes: 64, maxMessageBytes: 256)
            var stream = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            // Mostly a plausible header start, so some frames get as far as their checksum.
            if stream.count > 2 && round % 2 == 0 { stream[0] = 1; stream[1] = UInt8(random.next() % 2) }
            var offset = 0
            while offset < stream.count {
                let end = min(stream.count, offset + 1 + Int(random.next() % 40))
                _ = try? decoder.feed(Array(stream[offset..<end]))  // only a trap would fail the test
                offset = end
            }
            XCTAssertLessThanOrEqual(decoder.bufferedBytes, 256 + PeerFrame.headerBytes)
        }
    }
}
