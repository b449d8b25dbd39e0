import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where log lines go. Callers append to an in-memory buffer under a short lock and return; one
/// background thread writes the buffer out, so a slow disk or pipe never blocks a request. When the
/// buffer is full, lines are dropped and counted rather than blocking (the count is a metric).
public final class LogSink: Sendable {
    public static let standardOutput = LogSink(fileDescriptor: STDOUT_FILENO)

    private struct State {
        var buffer: [UInt8] = []
        var dropped: Int64 = 0
        var writerStarted = false
        var closed = false
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let fileDescriptor: Int32
    private let capacity: Int

    /// Lines dropped because the buffer was full.
    public var droppedLines: Int64 { state.withLock { $0.dropped } }

    public init(fileDescriptor: Int32, capacity: Int = 8 << 20) {
        self.fileDescriptor = fileDescriptor
        self.capacity = capacity
    }

    /// Opens (appending) a log file; falls back to standard output if it cannot.
    public static func file(path: String) -> LogSink {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        return fd >= 0 ? LogSink(fileDescriptor: fd) : standardOutput
    }

    public func append(_ line: [UInt8]) {
        let (startWriter, signal) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            if state.buffer.count + line.count > capacity {
                state.dropped += 1
                return (false, false)
            }
            let wasEmpty = state.buffer.isEmpty
            state.buffer.append(contentsOf: line)
            if !state.writerStarted {
                state.writerStarted = true
                return (true, true)
            }
            return (false, wasEmpty)
        }
        if startWriter { startWriterThread() }
        // Wake the writer only when the buffer goes from empty to non-empty: one wake-up per batch.
        if signal { wake.signal() }
    }

    /// Writes everything buffered so far before returning (used at shutdown and in tests).
    public func flush() {
        let pending = state.withLock { state -> [UInt8] in
            let out = state.buffer
            state.buffer.removeAll(keepingCapacity: true)
            return out
        }
        writeAll(pending)
    }

    private func startWriterThread() {
        let thread = Thread { [self] in
            while true {
                // Sleeps until there is something to write: no periodic wake-ups while idle.
                wake.wait()
                let pending = state.withLock { state -> [UInt8] in
                    guard !state.buffer.isEmpty else { return [] }
                    let out = state.buffer
                    state.buffer = []
                    state.buffer.reserveCapacity(min(out.count, 1 << 20))
                    return out
                }
                if !pending.isEmpty {
                    writeAll(pending)
                    // Rest briefly so lines arriving meanwhile go out in one write, and appends under
                    // load do not wake this thread per line. Idle, it sleeps in `wait()` above.
                    usleep(10_000)
                }
            }
        }
        thread.name = "coffer-log-writer"
        thread.start()
    }

    private func writeAll(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR || errno == EAGAIN {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
