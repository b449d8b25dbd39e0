import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed set of event loops, one thread each. Servers spread connections over them; the HTTP
/// client uses them for its connections. One group per process is the norm (`shared`).
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let counter = Atomic<Int>(0)

    /// One loop per online CPU unless `threads` says otherwise.
    public init(threads: Int? = nil, name: String = "coffer-loop") throws {
        let count = max(1, threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var loops: [EventLoop] = []
        for index in 0..<count {
            let loop = try EventLoop(name: "\(name)-\(index)")
            loop.start()
            loops.append(loop)
        }
        self.loops = loops
    }

    /// Round-robin choice of a loop.
    public func next() -> EventLoop {
        loops[counter.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// The process-wide group, created on first use with one loop per CPU
    /// (`COFFER_EVENT_LOOPS` overrides the count).
    public static let shared: EventLoopGroup = {
        let configured = ProcessEnvironment.value("COFFER_EVENT_LOOPS").flatMap { Int($0) }
        do {
            return try EventLoopGroup(threads: configured)
        } catch {
            // Without an event loop the process cannot serve at all; there is nothing to degrade to.
            fatalError("cannot create event loops: \(error)")
        }
    }()
}

/// Reads the environment without Foundation's ProcessInfo on hot paths.
enum ProcessEnvironment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}
