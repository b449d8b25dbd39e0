import Dispatch
import Synchronization

/// Resolved addresses by host, kept for a short while. getaddrinfo blocks, so it runs on a
/// Dispatch queue, never on an event loop or the cooperative pool.
final class AddressCache: Sendable {
    private struct Entry {
        let addresses: [SocketAddress]
        let expires: UInt64
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let ttl: Duration
    private let queue = DispatchQueue(label: "coffer.dns", attributes: .concurrent)

    init(ttl: Duration = .seconds(30)) { self.ttl = ttl }

    func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        let key = "\(host):\(port)"
        let now = MonotonicClock.nanoseconds()
        if let cached = entries.withLock({ $0[key] }), cached.expires > now { return cached.addresses }
        let addresses: [SocketAddress] = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    continuation.resume(returning: try SocketAddress.resolve(host: host, port: port))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        guard !addresses.isEmpty else { throw ResolutionError(host: host, message: "no addresses") }
        let expires = MonotonicClock.nanoseconds() &+ MonotonicClock.nanoseconds(ttl)
        entries.withLock { $0[key] = Entry(addresses: addresses, expires: expires) }
        return addresses
    }
}
