import HTTP
import Shared

/// The client for calls to URLs a tenant chose (a connector's `api_base_url`): every request gets the
/// address policy (never metadata or link-local addresses; loopback and private networks only in
/// development and tests) and a cap on the answer's size, whatever the adapter that built it.
public struct TenantURLClient: HTTPClient {
    public static let maxResponseBytes = 1 << 20

    private let base: any HTTPClient
    public let policy: OutboundAddressPolicy

    public init(_ base: any HTTPClient, policy: OutboundAddressPolicy) {
        self.base = base
        self.policy = policy
    }

    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        var request = request
        request.addressPolicy = policy
        request.maxResponseBytes = min(request.maxResponseBytes, Self.maxResponseBytes)
        return try await base.send(request)
    }
}
