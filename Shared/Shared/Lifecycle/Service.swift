/// A long-running part of a process: an HTTP server, an outbox relay, a worker loop.
/// `run()` returns once `shutdown()` has been called and the work has drained.
public protocol Service: Sendable {
    var name: String { get }
    func run() async throws
    /// Asks the service to stop taking new work and to finish what it has; `run()` then returns.
    func shutdown() async
}
