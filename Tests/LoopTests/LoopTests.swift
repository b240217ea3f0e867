// Proves the libuv shell over real loopback sockets: TCP echo, UDP, timers, the mailbox from
// other threads, thread-pool work, and that a stopped loop ends with no handle left open.
import CLibUV
import Foundation
import XCTest

@testable import Loop

final class LoopTests: XCTestCase {
    private func withLoop(_ body: (EventLoop) throws -> Void) throws {
        let loop = try EventLoop()
        try body(loop)
        loop.closeAllHandles()
        XCTAssertEqual(loop.liveHandleCount, 0)
        try loop.close()
    }

    /// Runs the loop until `done()` or a 5 s safety timer, which fails the test.
    private func run(_ loop: EventLoop, until done: () -> Bool) throws {
        let guardTimer = try Timer(loop: loop)
        var timedOut = false
        guardTimer.start(afterMilliseconds: 5000) { timedOut = true; loop.stop() }
        guardTimer.unref()
        while !done() && !timedOut { loop.runOnce(); usleep(100) }
        XCTAssertFalse(timedOut, "loop test timed out")
        guardTimer.close()
    }

    func testTCPEchoOverLoopbackAndCleanClose() throws {
        try withLoop { loop in
            let listener = try TCPListener(loop: loop)
            var serverStreams: [TCPStream] = []
            try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { stream in
                serverStreams.append(stream)
                stream.onRead = { bytes in stream.write(Array(bytes)) }
                stream.onReadEnd = { _ in stream.close() }
                try? stream.startReading()  // a fresh stream can always start reading
            }
            let port = try XCTUnwrap(listener.localAddress?.port)
            let client = try TCPStream(loop: loop)
            var received: [UInt8] = []
            var connectError: LoopError?
            let message = Array("hello, loop".utf8)
            client.connect(to: try SocketAddress(ip: "127.0.0.1", port: port)) { error in
                connectError = error
                client.onRead = { received += Array($0) }
                try? client.startReading()
                client.write(message)
            }
            try run(loop) { received.count >= message.count }
            XCTAssertNil(connectError)
            XCTAssertEqual(received, message)
            XCTAssertEqual(serverStreams.count, 1)
            XCTAssertGreaterThanOrEqual(loop.liveHandleCount, 3)
        }
    }

    func testWritesTheSocketCannotTakeAtOnceAreQueuedAndArriveInOrder() throws {
        try withLoop { loop in
            let listener = try TCPListener(loop: loop)
            var server: TCPStream?
            var received: [UInt8] = []
            try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { stream in
                server = stream
                stream.onRead = { received += Array($0) }
            }
            let client = try TCPStream(loop: loop)
            var connected = false
            client.connect(to: try SocketAddress(ip: "127.0.0.1", port: listener.localAddress!.port)) { _ in connected = true }
            try run(loop) { connected && server != nil }
            // 8 MiB in three writes while the server reads nothing: the first fills the
            // socket buffers and queues its rest; the others queue behind it.
            let chunks = (0..<3).map { part in (0..<(part == 0 ? 6 << 20 : 1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ part) } }
            for chunk in chunks { client.write(chunk) }
            XCTAssertGreaterThan(client.pendingWriteBytes, 0, "the kernel cannot have taken 8 MiB at once")
            try server?.startReading()
            let expected = chunks.flatMap { $0 }
            try run(loop) { received.count >= expected.count }
            XCTAssertEqual(received.count, expected.count)
            XCTAssertTrue(received == expected, "bytes arrive whole and in write order")
            XCTAssertEqual(client.pendingWriteBytes, 0)
        }
    }

    func testPeerCloseIsReportedAsEndOfStream() throws {
        try withLoop { loop in
            let listener = try TCPListener(loop: loop)
            var ended = false
            var endError: LoopError?
            try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { stream in
                stream.onReadEnd = { error in endError = error; ended = true; stream.close() }
                try? stream.startReading()
            }
            let client = try TCPStream(loop: loop)
            client.connect(to: try SocketAddress(ip: "127.0.0.1", port: listener.localAddress!.port)) { _ in
                client.write(Array("bye".utf8))
                client.closeAfterPendingWrites()
            }
            try run(loop) { ended }
            XCTAssertNil(endError)
            XCTAssertEqual(client.state, .closed)
        }
    }

    func testResetOnCloseEndsTheConnectionWithAResetNotAnEndOfStream() throws {
        try withLoop { loop in
            let listener = try TCPListener(loop: loop)
            var ended = false
            var endError: LoopError?
            try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { stream in
                stream.onReadEnd = { error in endError = error; ended = true; stream.close() }
                try? stream.startReading()
            }
            let client = try TCPStream(loop: loop)
            client.connect(to: try SocketAddress(ip: "127.0.0.1", port: listener.localAddress!.port)) { _ in
                client.resetOnClose()
                client.close()
            }
            try run(loop) { ended }
            XCTAssertEqual(endError?.code, UV_ECONNRESET.rawValue, "the peer sees a reset (no FIN, no TIME_WAIT left behind)")
        }
    }

    func testLingeringShutdownSendsEndOfStreamAndKeepsReading() throws {
        try withLoop { loop in
            let listener = try TCPListener(loop: loop)
            var serverReceived: [UInt8] = []
            var serverEnded = false
            try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { stream in
                stream.onRead = { serverReceived += Array($0) }
                stream.onReadEnd = { _ in serverEnded = true; stream.close() }
                try? stream.startReading()
                stream.write(Array("last words".utf8))
                stream.shutDownAfterPendingWrites()
            }
            let client = try TCPStream(loop: loop)
            var clientReceived: [UInt8] = []
            var clientSawEnd = false
            client.connect(to: try SocketAddress(ip: "127.0.0.1", port: listener.localAddress!.port)) { _ in
                client.onRead = { clientReceived += Array($0) }
                client.onReadEnd = { _ in
                    clientSawEnd = true
                    // The server still reads after its FIN: these bytes reach it, then our end.
                    client.write(Array("late".utf8))
                    client.closeAfterPendingWrites()
                }
                try? client.startReading()
            }
            try run(loop) { serverEnded }
            XCTAssertEqual(String(decoding: clientReceived, as: UTF8.self), "last words")
            XCTAssertTrue(clientSawEnd)
            XCTAssertEqual(String(decoding: serverReceived, as: UTF8.self), "late")
        }
    }

    func testConnectFailureIsReportedLaterNotInline() throws {
        try withLoop { loop in
            // Bind a port, then close it, so connecting there is refused.
            let probe = try TCPListener(loop: loop)
            try probe.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
            let port = probe.localAddress!.port
            probe.close()
            try run(loop) { probe.state == .closed }
            let client = try TCPStream(loop: loop)
            var result: LoopError??
            client.connect(to: try SocketAddress(ip: "127.0.0.1", port: port)) { result = .some($0) }
            XCTAssertTrue(result == nil, "completion must not run inside connect()")
            try run(loop) { result != nil }
            XCTAssertEqual(result??.code, UV_ECONNREFUSED.rawValue)
        }
    }

    func testBindingAPortInUseIsATypedError() throws {
        try withLoop { loop in
            let first = try TCPListener(loop: loop)
            try first.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
            let second = try TCPListener(loop: loop)
            XCTAssertThrowsError(try second.listen(on: try SocketAddress(ip: "127.0.0.1", port: first.localAddress!.port)) { _ in }) { error in
                XCTAssertEqual((error as? LoopError)?.code, UV_EADDRINUSE.rawValue)
                XCTAssertTrue("\(error)".contains("EADDRINUSE"))
            }
        }
    }

    func testUDPRoundTrip() throws {
        try withLoop { loop in
            let server = try UDPSocket(loop: loop)
            try server.bind(to: try SocketAddress(ip: "127.0.0.1", port: 0))
            try server.startReceiving { bytes, from in
                server.send(UnsafeRawBufferPointer(rebasing: bytes[...]), to: from)
            }
            let client = try UDPSocket(loop: loop)
            try client.bind(to: try SocketAddress(ip: "127.0.0.1", port: 0))
            var echoed: [UInt8] = []
            try client.startReceiving { bytes, _ in echoed = Array(bytes) }
            let datagram: [UInt8] = [1, 2, 3, 4]
            datagram.withUnsafeBytes { client.send($0, to: server.localAddress!) }
            try run(loop) { !echoed.isEmpty }
            XCTAssertEqual(echoed, datagram)
        }
    }

    func testTimerRepeatsAndStops() throws {
        try withLoop { loop in
            let timer = try Timer(loop: loop)
            var fired = 0
            timer.start(afterMilliseconds: 1, repeatMilliseconds: 1) {
                fired += 1
                if fired == 3 { timer.stop() }
            }
            try run(loop) { fired == 3 }
            XCTAssertEqual(fired, 3)
        }
    }

    /// A check runs after the I/O callbacks of its round: reads that arrived together are all
    /// seen before it runs, and it runs once per round whatever the number of reads.
    func testCheckRunsOncePerRoundAfterThatRoundsReads() throws {
        try withLoop { loop in
            let listener = try TCPListener(loop: loop)
            var arrivedSinceCheck = 0
            var batches: [Int] = []
            try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { stream in
                stream.onRead = { _ in arrivedSinceCheck += 1 }
                try? stream.startReading()
            }
            let check = try Check(loop: loop)
            check.start {
                if arrivedSinceCheck > 0 { batches.append(arrivedSinceCheck) }
                arrivedSinceCheck = 0
            }
            let port = try XCTUnwrap(listener.localAddress?.port)
            var clients: [TCPStream] = []
            var connected = 0
            for _ in 0..<4 {
                let client = try TCPStream(loop: loop)
                clients.append(client)
                client.connect(to: try SocketAddress(ip: "127.0.0.1", port: port)) { _ in connected += 1 }
            }
            try run(loop) { connected == 4 }
            try run(loop) { listener.localAddress != nil && loop.liveHandleCount >= 10 }  // four accepted streams
            for client in clients { client.write(Array("x".utf8)) }
            usleep(20_000)  // all four writes are in the server's sockets before the next round polls
            try run(loop) { batches.reduce(0, +) == 4 }
            XCTAssertEqual(batches, [4], "one round read all four, and the check saw them together")
            check.stop()
        }
    }

    func testMailboxDeliversFromOtherThreadsInOrderAndRefusesAfterClose() throws {
        try withLoop { loop in
            var received: [Int] = []
            let mailbox = try Mailbox<Int>(loop: loop) { received.append($0) }
            let poster = mailbox.poster
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                for value in 0..<1000 { XCTAssertTrue(poster.post(value)) }
                done.signal()
            }
            done.wait()
            try run(loop) { received.count == 1000 }
            XCTAssertEqual(received, Array(0..<1000))
            mailbox.close()
            XCTAssertFalse(poster.post(1), "a closed mailbox refuses messages")
        }
    }

    func testMailboxCapacityIsABoundNotAQueueThatGrows() throws {
        try withLoop { loop in
            let mailbox = try Mailbox<Int>(loop: loop, capacity: 2) { _ in }
            XCTAssertTrue(mailbox.poster.post(1))
            XCTAssertTrue(mailbox.poster.post(2))
            XCTAssertFalse(mailbox.poster.post(3))
        }
    }

    func testThreadPoolWorkCompletesOnTheLoopThread() throws {
        try withLoop { loop in
            let loopThread = pthread_self()
            var result: Int?
            var completedOnLoop = false
            loop.queueWork({ () -> Int in
                (1...100).reduce(0, +)
            }, completion: { value in
                result = value
                completedOnLoop = pthread_equal(pthread_self(), loopThread) != 0
            })
            try run(loop) { result != nil }
            XCTAssertEqual(result, 5050)
            XCTAssertTrue(completedOnLoop)
        }
    }

    /// Background work runs on another thread at nice 19 and reports back on the loop thread;
    /// the loop thread's own priority is untouched.
    func testBackgroundWorkRunsElsewhereAtTheLowestPriorityAndCompletesOnTheLoop() throws {
        try withLoop { loop in
            let loopThread = pthread_self()
            let loopNice = gravity_thread_nice()
            var result: (nice: Int32, sameThread: Bool)?
            var completedOnLoop = false
            try loop.runInBackground({ () -> Int32 in
                gravity_thread_nice()
            }, completion: { nice in
                completedOnLoop = pthread_equal(pthread_self(), loopThread) != 0
                result = (nice, false)
            })
            try run(loop) { result != nil }
            XCTAssertEqual(result?.nice, 19)
            XCTAssertTrue(completedOnLoop)
            XCTAssertEqual(gravity_thread_nice(), loopNice)
        }
    }

    func testDeferRunsLaterNotInline() throws {
        try withLoop { loop in
            var ran = false
            loop.defer { ran = true }
            XCTAssertFalse(ran)
            try run(loop) { ran }
        }
    }

    func testNameResolutionCompletesLaterWithAddressesOrATypedError() throws {
        try withLoop { loop in
            var found: Result<[SocketAddress], LoopError>?
            var missing: Result<[SocketAddress], LoopError>?
            _ = NameResolution.start(loop: loop, host: "localhost", port: 8500) { found = $0 }
            _ = NameResolution.start(loop: loop, host: "no-such-host.invalid", port: 80) { missing = $0 }
            XCTAssertNil(found, "completion must not run inside start()")
            try run(loop) { found != nil && missing != nil }
            let addresses = try XCTUnwrap(try found?.get())
            XCTAssertFalse(addresses.isEmpty)
            XCTAssertTrue(addresses.allSatisfy { $0.port == 8500 && ["127.0.0.1", "::1"].contains($0.ip) }, "\(addresses)")
            XCTAssertThrowsError(try missing?.get()) { error in
                XCTAssertTrue((error as? LoopError)?.name.hasPrefix("EAI_") == true, "\(error)")
            }
        }
    }

    func testNameResolutionOfALiteralAndItsBytes() throws {
        try withLoop { loop in
            var result: Result<[SocketAddress], LoopError>?
            let lookup = NameResolution.start(loop: loop, host: "::ffff:10.1.2.3", port: 1) { result = $0 }
            lookup.cancel()  // caught before a pool thread took it, or too late: either way one completion
            try run(loop) { result != nil }
            switch result {
            case .success(let addresses):
                XCTAssertEqual(addresses.first?.ipBytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 2, 3])
            case .failure(let error):
                XCTAssertEqual(error.code, UV_EAI_CANCELED.rawValue)
            case nil:
                XCTFail("no completion")
            }
            XCTAssertEqual(try SocketAddress(ip: "169.254.169.254", port: 80).ipBytes, [169, 254, 169, 254])
        }
    }

    func testCloseAllHandlesLeavesNothingOpenForUVLoopClose() throws {
        let loop = try EventLoop()
        let listener = try TCPListener(loop: loop)
        try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
        let timer = try Timer(loop: loop)
        timer.start(afterMilliseconds: 60_000) {}
        _ = try Mailbox<Int>(loop: loop) { _ in }
        var closedCallbacks = 0
        listener.onClose = { closedCallbacks += 1 }
        timer.onClose = { closedCallbacks += 1 }
        XCTAssertEqual(loop.liveHandleCount, 3)
        loop.closeAllHandles()
        XCTAssertEqual(loop.liveHandleCount, 0)
        XCTAssertEqual(closedCallbacks, 2)
        XCTAssertEqual(listener.state, .closed)
        // uv_loop_close fails with EBUSY if libuv still knows any handle.
        XCTAssertNoThrow(try loop.close())
    }
}
