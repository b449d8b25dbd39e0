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

    private let queue = Mutex<[Item]>([])
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
            let item = queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
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
        queue.withLock { $0.append(.job(job)) }
        wake.signal()
    }

    /// Runs `body` on the thread and returns its result to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable (LibPQSession) throws(PostgresError) -> T) async throws(PostgresError) -> T {
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
        queue.withLock { $0.append(.stop({})) }
        wake.signal()
    }

    /// Closes the session after the jobs already queued and ends the thread.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.withLock { $0.append(.stop({ continuation.resume() })) }
            wake.signal()
        }
    }
}
