import Synchronization

/// Returns `operation`'s result, or `fallback` once `timeout` passes, whichever comes first. The
/// operation is not interrupted (a libpq call cannot be); it finishes in the background and cleans up
/// after itself. A task group would not do: it waits for every child before returning.
enum FirstToFinish {
    static func run<T: Sendable>(
        timeout: Duration, fallback: T, _ operation: @escaping @Sendable () async -> T
    ) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let box = ResumeOnce(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { box.resume(fallback) }
            }
            Task {
                let value = await operation()
                timer.cancel()
                box.resume(value)
            }
        }
    }

    private final class ResumeOnce<T: Sendable>: Sendable {
        private let pending: Mutex<CheckedContinuation<T, Never>?>
        init(_ continuation: CheckedContinuation<T, Never>) { pending = Mutex(continuation) }
        func resume(_ value: T) {
            pending.withLock { $0.take() }?.resume(returning: value)
        }
    }
}
