import Postgres

/// Transactions under row-level security. Every tenant-owned table in payments and payouts has a
/// policy keyed on `app.tenant_id` (set here for the transaction only); cross-tenant work (operator
/// routes, snapshots, loops that walk every tenant) must say so with `platformTransaction`, which
/// switches to the `coffer_platform` role for the transaction (`PlatformRole`). Queries still filter on
/// tenant_id: the policy is the second lock.
extension PostgresPool {
    public func tenantTransaction<T: Sendable>(
        _ tenantID: String, isolation: PostgresIsolation = .readCommitted, maxAttempts: Int = 5,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        // Ids are `ten_` + Crockford base32 (or `platform`); anything else is refused before it is sent.
        try await transaction(
            isolation: isolation, maxAttempts: maxAttempts, localSettings: ["app.tenant_id": tenantID], body)
    }

    public func platformTransaction<T: Sendable>(
        isolation: PostgresIsolation = .readCommitted, maxAttempts: Int = 5,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await transaction(
            isolation: isolation, maxAttempts: maxAttempts, localSettings: ["role": PlatformRole.name], body)
    }
}
