#if canImport(Glibc)
    import Glibc
#endif

/// A pipe another thread writes one byte into to wake a thread blocked in `poll()`, so cancelling a
/// listener needs no timeout loop. Both ends close when the last owner lets go, never earlier, so a
/// late `wake()` cannot write into a reused descriptor.
final class WakeUpPipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init?() {
        var fds: [Int32] = [-1, -1]
        // pipe2 needs _GNU_SOURCE, which Glibc's module does not set; fcntl does the same.
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    func wake() {
        var byte: UInt8 = 1
        // A full pipe already holds a wake-up; nothing more to do.
        _ = write(writeEnd, &byte, 1)
    }

    /// Waits until `fd` is readable, the pipe is woken, or `timeout` passes (nil: no limit).
    /// Returns which of the two fired.
    func wait(forReadable fd: Int32?, timeout: Duration?) -> (readable: Bool, woken: Bool) {
        var descriptors = [pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
        if let fd { descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = timeout.map { Int32(clamping: $0.roundedUpMilliseconds) } ?? -1
        let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        guard ready > 0 else { return (false, false) }
        let woken = descriptors[0].revents != 0
        let readable = descriptors.count > 1 && descriptors[1].revents != 0
        return (readable, woken)
    }
}
