import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Coffer's own HTTP/1.1 client for plain-HTTP calls inside the deployment (service to service, the
/// sandbox): keep-alive pools per host on each event loop, so a call costs no thread hop beyond the
/// loop and no TLS machinery. One attempt per `send`; retries belong to `CofferHTTPClient`.
public final class LoopHTTPClient: HTTPClient {
    /// Per-loop pools; touched only on that loop.
    final class LoopPools: @unchecked Sendable {
        let loop: EventLoop
        var pools: [String: ClientConnectionPool] = [:]
        init(loop: EventLoop) { self.loop = loop }
    }

    private let perLoop: [LoopPools]
    private let next = Atomic<Int>(0)
    private let addressCache = AddressCache()
    private let maxConnectionsPerHost: Int
    private let idleTimeout: Duration

    /// `maxConnectionsPerHost` applies per loop.
    public init(group: EventLoopGroup = .shared, maxConnectionsPerHost: Int = 64, idleTimeout: Duration = .seconds(20))
    {
        perLoop = group.loops.map(LoopPools.init)
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.idleTimeout = idleTimeout
    }

    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        guard let url = ClientURL(request.url) else {
            throw HTTPClientError(.invalidURL, target: "?", detail: "not an http URL")
        }
        guard !url.isTLS else {
            throw HTTPClientError(.invalidURL, target: url.poolKey, detail: "https is handled by URLSessionHTTPClient")
        }
        let addresses: [SocketAddress]
        if request.addressPolicy != nil, OutboundAddressPolicy.isMetadataName(url.host) {
            throw HTTPClientError(.addressRefused, target: url.poolKey, detail: "metadata host")
        }
        if TrustedProxies.parseIP(url.host) != nil {
            addresses = try SocketAddress.resolve(host: url.host, port: url.port)  // a literal: no lookup
        } else {
            do {
                addresses = try await addressCache.resolve(host: url.host, port: url.port)
            } catch {
                throw HTTPClientError(.connectFailed, target: url.poolKey, detail: "name resolution failed")
            }
        }
        // Every address the name has must be allowed: one private address among public ones is refused.
        if let policy = request.addressPolicy, let refused = addresses.first(where: { !policy.permits($0.ipAddress) }) {
            throw HTTPClientError(
                .addressRefused, target: url.poolKey,
                detail: AddressClass.classify(refused.ipAddress)?.rawValue ?? "unknown")
        }
        let bytes = PendingClientRequest.serialize(
            method: request.method, url: url, headers: request.headers, body: request.body)
        let state = perLoop[next.wrappingAdd(1, ordering: .relaxed).oldValue % perLoop.count]
        let maxConnections = maxConnectionsPerHost
        let idleTimeout = idleTimeout
        let timeout = request.timeout
        let maxResponseBytes = request.maxResponseBytes
        // A pool per address policy too: a connection opened for one kind of call is never reused by a stricter one.
        let poolKey = request.addressPolicy == nil ? url.poolKey : url.poolKey + "|checked"
        return try await withCheckedThrowingContinuation { continuation in
            state.loop.execute {
                let pending = PendingClientRequest(
                    bytes: bytes, method: request.method, target: url.poolKey, continuation: continuation)
                pending.maxResponseBytes = maxResponseBytes
                let pool: ClientConnectionPool
                if let existing = state.pools[poolKey] {
                    pool = existing
                } else {
                    pool = ClientConnectionPool(
                        key: url.poolKey, loop: state.loop, addresses: addresses,
                        maxConnections: maxConnections, idleTimeout: idleTimeout)
                    state.pools[poolKey] = pool
                }
                pool.submit(pending, timeout: timeout)
            }
        }
    }
}
