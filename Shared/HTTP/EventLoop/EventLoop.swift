import CSystem
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Something that receives readiness events for a file descriptor. Lives on one loop's thread.
protocol EventLoopSelectable: AnyObject {
    func handleEvents(_ events: UInt32)
}

/// One epoll thread. It is also a Swift `TaskExecutor`: request handlers run as tasks that prefer
/// their connection's loop, so a request is read, handled and answered on one thread without hops,
/// and the cooperative pool is never blocked by socket I/O. It sleeps in `epoll_wait` with no timeout
/// when there is nothing to do (no busy loop while idle).
public final class EventLoop: TaskExecutor, @unchecked Sendable {
    // @unchecked: `pending` is the only state touched off the loop thread, under its lock; the rest
    // is confined to the loop thread (checked by `inEventLoop`).

    /// Work handed in from any thread.
    private struct Pending {
        var jobs: [UnownedJob] = []
        var closures: [LoopClosure] = []
        var sleeping = false
        var stopping = false
    }

    /// A closure that will only run on the loop thread, so what it captures stays confined.
    struct LoopClosure: @unchecked Sendable {
        let body: () -> Void
    }

    public let name: String
    private let epollFD: Int32
    private let wakeFD: Int32
    private let pending = Mutex(Pending())
    private var thread: pthread_t?
    private var handlers: [Int32: any EventLoopSelectable] = [:]
    private var timers = TimerHeap()
    private var running = true
    /// Scratch space for reads on this loop: one 64 KiB buffer reused by every connection.
    let readBuffer: UnsafeMutableRawBufferPointer

    init(name: String) throws {
        self.name = name
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SocketError(operation: "epoll_create1", errno: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw SocketError(operation: "eventfd", errno: errno) }
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            throw SocketError(operation: "epoll_ctl", errno: errno)
        }
    }

    /// Starts the loop's thread and returns once it runs.
    func start() {
        let started = DispatchSemaphore(value: 0)
        let threadName = String(name.prefix(15))
        let box = Unmanaged.passRetained(
            ThreadStart { [self] in
                thread = pthread_self()
                _ = csystem_set_thread_name(threadName)
                started.signal()
                run()
            })
        var tid = pthread_t()
        let result = pthread_create(
            &tid, nil,
            { argument in
                guard let argument else { return nil }
                let start = Unmanaged<ThreadStart>.fromOpaque(argument).takeRetainedValue()
                start.body()
                return nil
            }, box.toOpaque())
        precondition(result == 0, "pthread_create failed: \(result)")
        started.wait()
    }

    /// True on this loop's thread.
    public var inEventLoop: Bool {
        guard let thread else { return false }
        return pthread_equal(pthread_self(), thread) != 0
    }

    // MARK: TaskExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wake = pending.withLock { pending -> Bool in
            pending.jobs.append(job)
            defer { pending.sleeping = false }
            return pending.sleeping
        }
        if wake { wakeUp() }
    }

    /// Runs `body` on the loop thread: now if already there, otherwise soon.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        if inEventLoop {
            body()
        } else {
            submit(LoopClosure(body: body))
        }
    }

    /// Queues `body` to run on the loop thread after the current work, even when called on it.
    func submit(_ closure: LoopClosure) {
        let wake = pending.withLock { pending -> Bool in
            pending.closures.append(closure)
            defer { pending.sleeping = false }
            return pending.sleeping
        }
        if wake { wakeUp() }
    }

    private func wakeUp() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: Registration (loop thread only)

    func register(_ fd: Int32, events: UInt32, handler: any EventLoopSelectable) throws {
        assert(inEventLoop)
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw SocketError(operation: "epoll_ctl(add)", errno: errno)
        }
        handlers[fd] = handler
    }

    func modify(_ fd: Int32, events: UInt32) {
        assert(inEventLoop)
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Removes `fd` from the loop. The caller closes it.
    func deregister(_ fd: Int32) {
        assert(inEventLoop)
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        handlers[fd] = nil
    }

    // MARK: Timers (loop thread only)

    /// Calls `callback` on the loop after `delay`. Returns an id for `cancelTimer`.
    @discardableResult
    func scheduleTimer(after delay: Duration, _ callback: @escaping () -> Void) -> UInt64 {
        assert(inEventLoop)
        return timers.schedule(at: MonotonicClock.nanoseconds() &+ MonotonicClock.nanoseconds(delay), callback)
    }

    func cancelTimer(_ id: UInt64) {
        assert(inEventLoop)
        timers.cancel(id)
    }

    // MARK: Running

    func stop() {
        let wake = pending.withLock { pending -> Bool in
            pending.stopping = true
            return true
        }
        if wake { wakeUp() }
    }

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        let executor = asUnownedTaskExecutor()
        while running {
            // Run queued jobs and closures; new ones queued meanwhile run in the next round, after I/O.
            let (jobs, closures, stopping) = pending.withLock { pending in
                let taken = (pending.jobs, pending.closures, pending.stopping)
                pending.jobs.removeAll(keepingCapacity: true)
                pending.closures.removeAll(keepingCapacity: true)
                return taken
            }
            for closure in closures { closure.body() }
            for job in jobs { job.runSynchronously(on: executor) }
            if stopping { running = false; break }

            var timeout: Int32 = -1
            if let deadline = timers.earliestDeadline() {
                let now = MonotonicClock.nanoseconds()
                timeout = deadline <= now ? 0 : Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            }
            let mustPoll = pending.withLock { pending -> Bool in
                if !pending.jobs.isEmpty || !pending.closures.isEmpty || pending.stopping { return true }
                pending.sleeping = timeout != 0
                return false
            }
            if mustPoll { timeout = 0 }

            let count = epoll_wait(epollFD, events, Int32(capacity), timeout)
            pending.withLock { $0.sleeping = false }
            if count > 0 {
                for index in 0..<Int(count) {
                    let event = events[index]
                    let fd = event.data.fd
                    if fd == wakeFD {
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, 8)
                        continue
                    }
                    handlers[fd]?.handleEvents(event.events)
                }
            }
            if timers.earliestDeadline() != nil {
                for callback in timers.popExpired(now: MonotonicClock.nanoseconds()) { callback() }
            }
        }
    }
}

/// Boxes a thread body for pthread_create.
private final class ThreadStart {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
