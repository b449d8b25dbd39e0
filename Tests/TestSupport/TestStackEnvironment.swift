import Foundation

/// Environment for running Coffer's processes against one test database.
public enum TestStackEnvironment {
    public static let internalSecret = "test-internal-secret-0123456789"
    public static let adminToken = "test-admin-token-0123456789"
    public static let secondAdminToken = "test-second-operator-0123456789"
    /// 32 bytes, base64.
    public static let masterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

    public static func variables(database: TestDatabase, extra: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [
            "COFFER_ENV": "test",
            "DATABASE_URL": database.appURL,
            "DATABASE_OWNER_URL": database.ownerURL,
            "DATABASE_POOL_SIZE": "8",
            "COFFER_INTERNAL_SECRET": internalSecret,
            "COFFER_ADMIN_TOKENS": "operator:\(adminToken),second:\(secondAdminToken)",
            "COFFER_MASTER_KEY": masterKey,
            "LOG_LEVEL": "info",
            "SHUTDOWN_GRACE_PERIOD": "5s",
        ]
        for (key, value) in extra { env[key] = value }
        return env
    }
}
