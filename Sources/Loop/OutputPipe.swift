import CLibUV
import Glibc

/// The parent's reading end of a pipe a child process writes to. `init` makes the pipe; hand
/// `writeDescriptor` to the child (`ChildProcess`), then call `closeWriteEnd()`, so that the
/// reader sees end-of-stream once the child (and whatever inherited the pipe from it) is done.
/// Reads are borrowed bytes, valid only during `onRead`.
public final class OutputPipe: Handle {
    /// Bytes that arrived; the loop's shared read buffer, valid only during the call.
    public var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// Every writer closed (nil) or the read failed. Reading has stopped.
    public var onReadEnd: ((LoopError?) -> Void)?
    /// The write end, for the child; -1 once closed here.
    public private(set) var writeDescriptor: Int32

    public init(loop: EventLoop) throws(LoopError) {
        var descriptors: [uv_file] = [-1, -1]
        // Both ends close-on-exec; the child gets its copies through dup2, which clears the flag.
        // The write end stays blocking: the child shares its file status, and a script that
        // finds its stdout non-blocking can lose output on EAGAIN.
        let made = uv_pipe(&descriptors, 0, 0)
        guard made == 0 else {
            writeDescriptor = -1
            super.init(loop: loop, byteCount: MemoryLayout<uv_pipe_t>.size)
            abandon()
            throw LoopError(code: made, operation: "pipe")
        }
        writeDescriptor = descriptors[1]
        super.init(loop: loop, byteCount: MemoryLayout<uv_pipe_t>.size)
        let rc = uv_pipe_init(loop.uv, raw.assumingMemoryBound(to: uv_pipe_t.self), 0)
        if rc < 0 {
            Glibc.close(descriptors[0])
            closeWriteEnd()
            abandon()
            throw LoopError(code: rc, operation: "uv_pipe_init")
        }
        adopt()
        // From here the read end is the handle's: closing the handle closes it.
        let opened = uv_pipe_open(raw.assumingMemoryBound(to: uv_pipe_t.self), descriptors[0])
        if opened < 0 {
            Glibc.close(descriptors[0])
            close()
            throw LoopError(code: opened, operation: "uv_pipe_open")
        }
    }

    var stream: UnsafeMutablePointer<uv_stream_t> { raw.assumingMemoryBound(to: uv_stream_t.self) }

    /// Closes this process's copy of the write end; idempotent.
    public func closeWriteEnd() {
        guard writeDescriptor >= 0 else { return }
        // A pipe end that nothing was written through here: close cannot lose data.
        Glibc.close(writeDescriptor)
        writeDescriptor = -1
    }

    /// Starts delivering bytes to `onRead`.
    public func startReading() throws(LoopError) {
        precondition(state == .open)
        try LoopError.check(uv_read_start(stream, pipeAllocCallback, pipeReadCallback), "uv_read_start")
    }

    override func willClose() {
        onRead = nil
        onReadEnd = nil
        closeWriteEnd()
    }

    fileprivate func didRead(_ count: Int, _ base: UnsafeMutableRawPointer?) {
        if count > 0, let base {
            onRead?(UnsafeRawBufferPointer(start: base, count: count))
        } else if count < 0 {
            _ = uv_read_stop(stream)
            let error = LoopError(code: Int32(count), operation: "read")
            let callback = onReadEnd
            onReadEnd = nil
            callback?(error.code == UV_EOF.rawValue ? nil : error)
        }
    }
}

private let pipeAllocCallback: uv_alloc_cb = { handle, _, buffer in
    let loop = EventLoop.from(handle!.pointee.loop)
    buffer!.pointee = uv_buf_init(loop.readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(loop.readBuffer.count))
}

private let pipeReadCallback: uv_read_cb = { stream, count, buffer in
    guard let stream, let data = stream.pointee.data else { return }
    Unmanaged<OutputPipe>.fromOpaque(data).takeUnretainedValue().didRead(count, UnsafeMutableRawPointer(buffer?.pointee.base))
}
