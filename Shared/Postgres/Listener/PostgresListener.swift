import CLibPQ
import Foundation
import Shared
import Synchronization

/// LISTEN on one channel over a dedicated connection and thread. The thread sleeps in `poll()` on
/// the socket and a wake-up pipe (no busy loop). When the connection breaks (a server restart) it
/// reconnects with backoff, LISTENs again and calls `onReconnect`, so the caller can catch up on
/// what was sent meanwhile: NOTIFY is not queued for absent listeners.
///
/// Callbacks run on the listener's thread, one at a time: keep them short (hand the work to a task).
public final class PostgresListener: Sendable {
    public let channel: String
    private let parameters: ConnectionParameters
    private let logger: Logger
    private let onReconnect: @Sendable () -> Void
    private let onNotification: @Sendable (PostgresNotification) -> Void
    private let wakeUp: WakeUpPipe
    private let cancelled = Atomic<Bool>(false)

    init(
        channel: String, parameters: ConnectionParameters, logger: Logger,
        onReconnect: @escaping @Sendable () -> Void,
        onNotification: @escaping @Sendable (PostgresNotification) -> Void
    ) throws(PostgresError) {
        guard let wakeUp = WakeUpPipe() else {
            throw PostgresError(kind: .connectionFailed, serverMessage: "could not create the listener's wake-up pipe")
        }
        self.channel = channel
        self.parameters = parameters
        self.logger = logger.with(["db.channel": .string(channel)])
        self.onReconnect = onReconnect
        self.onNotification = onNotification
        self.wakeUp = wakeUp
    }

    /// Stops listening and closes the connection. Safe to call more than once, from any thread.
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .relaxed) else { return }
        wakeUp.wake()
    }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Connects and LISTENs on a new thread; returns once the LISTEN is in place (so a NOTIFY sent
    /// after this returns is delivered), then keeps the thread running.
    func start() async throws(PostgresError) {
        let result: Result<Void, PostgresError> = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                let session = LibPQSession()
                do throws(PostgresError) {
                    try connectAndListen(session)
                } catch {
                    continuation.resume(returning: .failure(error))
                    return
                }
                continuation.resume(returning: .success(()))
                run(session)
                session.close()
            }
            thread.name = "coffer-pg-listen"
            thread.stackSize = 1 << 20
            thread.start()
        }
        try result.get()
    }

    private func connectAndListen(_ session: LibPQSession) throws(PostgresError) {
        try session.connect(parameters, logger: logger)
        try session.executeScript("LISTEN " + PostgresQuery.quoteIdentifier(channel))
    }

    private func run(_ session: LibPQSession) {
        while !isCancelled {
            if !session.isUsable {
                guard reconnect(session) else { return }
            }
            let (readable, woken) = wakeUp.wait(forReadable: session.socket, timeout: nil)
            if woken || isCancelled { return }
            guard readable, let connection = session.connection else { continue }
            if PQconsumeInput(connection) == 0 {
                logger.warning("postgres listener lost its connection")
                session.close()
                continue
            }
            deliverPending(connection)
        }
    }

    private func deliverPending(_ connection: OpaquePointer) {
        while let notify = PQnotifies(connection) {
            let notification = PostgresNotification(
                channel: notify.pointee.relname.map { String(cString: $0) } ?? channel,
                payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                processID: notify.pointee.be_pid)
            PQfreemem(notify)
            onNotification(notification)
        }
    }

    /// Retries with backoff (100 ms doubling to 5 s, jittered) until connected or cancelled.
    private func reconnect(_ session: LibPQSession) -> Bool {
        var attempt = 0
        while !isCancelled {
            let base = min(100 << min(attempt, 6), 5000)
            let delay = Duration.milliseconds(base / 2 + Int.random(in: 0...(base / 2)))
            if wakeUp.wait(forReadable: nil, timeout: delay).woken || isCancelled { return false }
            do throws(PostgresError) {
                try connectAndListen(session)
                if let connection = session.connection { deliverPending(connection) }
                logger.info("postgres listener reconnected", ["db.attempts": .integer(attempt + 1)])
                onReconnect()
                return true
            } catch {
                session.close()
                attempt += 1
                if attempt == 1 || attempt % 10 == 0 {
                    logger.warning("postgres listener cannot reconnect yet", ["error": .string(error.debugDescription)])
                }
            }
        }
        return false
    }
}
