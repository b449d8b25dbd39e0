import Foundation
import Synchronization

/// A dedicated OS thread that owns one `LibPQSession` and runs submitted jobs one at a time, so
/// libpq's blocking calls never occupy a thread of Swift's cooperative pool. Callers suspend on a
/// continuation that the job resumes.
final class ConnectionThread: Sendable {
    typealias Job = @Sendable (LibPQSession) -> Void

    private enum Item: Sendable {
        case job(Job)
        case stop(@Sendable () -> Void)
    }

    private struct Queue {
        var items: [Item] = []
        /// A stop is queued: later jobs would never run, so they are refused at once instead.
        var stopping = false
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)

    /// Starts the thread. It keeps itself alive until `stop()`.
    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        // libpq and result copying need little stack; keep many idle threads cheap.
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func loop() {
        let session = LibPQSession()
        while true {
            // Sleeps until a job arrives: no polling while idle.
            wake.wait()
            let item = queue.withLock { $0.items.isEmpty ? nil : $0.items.removeFirst() }
            switch item {
            case .job(let job)?:
                job(session)
            case .stop(let done)?:
                session.close()
                done()
                return
            case nil:
                continue
            }
        }
    }

    func submit(_ job: @escaping Job) {
        let accepted = queue.withLock { queue in
            guard !queue.stopping else { return false }
            queue.items.append(.job(job))
            return true
        }
        if accepted {
            wake.signal()
        } else {
            // A session that was never opened: the job fails fast with "connection is closed".
            job(LibPQSession())
        }
    }

    /// Runs `body` on the thread and returns its result to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable (LibPQSession) throws(PostgresError) -> T)
        async throws(PostgresError) -> T
    {
        let result: Result<T, PostgresError> = await withCheckedContinuation { continuation in
            submit { session in
                do throws(PostgresError) {
                    continuation.resume(returning: .success(try body(session)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Like `stop()`, without waiting (for `deinit`).
    func requestStop() {
        enqueueStop {}
    }

    /// Closes the session after the jobs already queued and ends the thread.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            enqueueStop { continuation.resume() }
        }
    }

    private func enqueueStop(_ done: @escaping @Sendable () -> Void) {
        let first = queue.withLock { queue in
            guard !queue.stopping else { return false }
            queue.stopping = true
            queue.items.append(.stop(done))
            return true
        }
        if first {
            wake.signal()
        } else {
            done()
        }
    }
}
