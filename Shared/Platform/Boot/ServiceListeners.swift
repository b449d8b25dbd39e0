import HTTP
import Shared

/// A service's two listeners. The public one (`PORT`) carries only the public surface: the tenant
/// API, webhooks, the status page, health. The internal one (`INTERNAL_PORT`) carries `/internal/*`
/// (service to service), `/admin/*` (operators) and `/metrics`, and is never exposed publicly
/// (compose publishes only public ports, the Kubernetes NetworkPolicies admit only Coffer's pods and
/// the operators' network). A path served by one listener is a 404 on the other.
public final class ServiceListeners: Service {
    public let name = "http"
    public let publicServer: HTTPServer
    public let internalServer: HTTPServer

    /// Whether a route template belongs on the internal listener only.
    public static func isInternal(_ template: String) -> Bool {
        template.hasPrefix("/internal/") || template == "/internal" || template.hasPrefix("/admin/")
            || template == "/admin"
            || template == "/metrics"
    }

    /// Health and version answer on both, so probes may use either.
    static func isOperational(_ template: String) -> Bool { template.hasPrefix("/health/") || template == "/version" }

    public init(publicServer: HTTPServer, internalServer: HTTPServer) {
        self.publicServer = publicServer
        self.internalServer = internalServer
    }

    /// The public port actually bound.
    public var port: Int { publicServer.port }
    public var internalPort: Int { internalServer.port }

    public func start() async throws {
        try await publicServer.start()
        try await internalServer.start()
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.publicServer.run() }
            group.addTask { try await self.internalServer.run() }
            try await group.waitForAll()
        }
    }

    public func shutdown() async {
        async let first: Void = publicServer.shutdown()
        async let second: Void = internalServer.shutdown()
        _ = await (first, second)
    }
}
