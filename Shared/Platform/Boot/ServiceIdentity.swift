import Postgres

/// What makes a service itself: its name (also its log `service` field and Postgres schema), its
/// default port, and its migrations.
public struct ServiceIdentity: Sendable {
    public let name: String
    public let defaultPort: Int
    public let schema: String
    public let migrations: [Migration]

    public init(name: String, defaultPort: Int, schema: String? = nil, migrations: [Migration]) {
        self.name = name
        self.defaultPort = defaultPort
        self.schema = schema ?? name
        self.migrations = migrations
    }
}

/// Coffer's version, reported by `/version` and `cofferctl --version`.
public enum CofferVersion {
    public static let current = "0.1.0"
}
