import Shared
import Synchronization

/// A background loop, the one way every service runs one: call `round` again at once while it finds
/// work, otherwise sleep until `idle` passes or the loop's bell rings (a local writer's nudge); a round
/// that throws is logged and followed by `afterFailure`. `shutdown()` stops it after the current round
/// (it rings the bell so a sleeping loop notices at once). Replaces a stop flag and a bell wait in each
/// loop.
public final class PollingLoop: Service {
    /// What a round found.
    public enum Outcome: Sendable {
        /// It did work: go again at once.
        case busy
        /// Nothing to do: sleep until `idle` passes or the bell rings.
        case idle
        /// Sleep this long (or until the bell rings) before the next round.
        case sleep(Duration)
    }

    public let name: String
    public var bell: Doorbell { control.bell }
    private let idle: Duration
    private let afterFailure: Duration
    private let logger: Logger
    private let round: @Sendable () async throws -> Outcome
    private let control: LoopControl

    public init(
        name: String, bell: Doorbell = Doorbell(), idle: Duration, afterFailure: Duration = .milliseconds(500),
        logger: Logger,
        round: @escaping @Sendable () async throws -> Outcome
    ) {
        self.name = name
        control = LoopControl(bell: bell)
        self.idle = idle
        self.afterFailure = afterFailure
        self.logger = logger
        self.round = round
    }

    public var isStopping: Bool { !control.isRunning }

    public func run() async throws {
        while !isStopping {
            let outcome: Outcome
            do {
                outcome = try await round()
            } catch {
                logger.warning(
                    "\(name) round failed", ["loop": .string(name), "error": .string(String(describing: error))])
                outcome = .sleep(afterFailure)
            }
            guard !isStopping else { return }
            switch outcome {
            case .busy: continue
            case .idle: await bell.wait(timeout: idle)
            case .sleep(let duration): await bell.wait(timeout: duration)
            }
        }
    }

    public func shutdown() async { control.stop() }
}

/// The stop flag and the bell of a loop that keeps state of its own between rounds (the outbox relay's
/// purge clock, the sealer's backlog clock): `while control.isRunning { …; await control.pause(idle) }`,
/// and `stop()` from `shutdown()`, which wakes a sleeping loop at once. `PollingLoop` is built on it.
public final class LoopControl: Sendable {
    public let bell: Doorbell
    private let stopping = Atomic<Bool>(false)

    public init(bell: Doorbell = Doorbell()) {
        self.bell = bell
    }

    public var isRunning: Bool { !stopping.load(ordering: .relaxed) }

    /// Sleeps until `timeout` passes, the bell rings, or the loop is stopped.
    public func pause(_ timeout: Duration) async {
        guard isRunning else { return }
        await bell.wait(timeout: timeout)
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        bell.ring()
    }
}
