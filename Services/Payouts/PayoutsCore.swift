import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// What the payouts flows share.
struct PayoutsCore: Sendable {
    let database: PostgresPool
    let vault: DestinationVault
    let outbox: Outbox
    let audit: AuditLog
    let idempotency: IdempotencyStore
    let configuration: PayoutsConfiguration
    let logger: Logger
    /// Rung when a payout becomes due, so a worker claims it without waiting for its poll.
    let queueBell: Doorbell

    /// The tenant's settings from the tenancy replica (its time zone, payout limits, the test switch).
    func settings(_ tenantID: String, on connection: PostgresConnection) async throws -> TenantSettings {
        guard let row = try await connection.query(prepared: """
            SELECT settings::text, status FROM payouts.tenants WHERE tenant_id = \(tenantID)
            """).first
        else { throw HTTPError.notFound("No such tenant.") }
        return try Self.settings(row)
    }

    // Synchronous on purpose (Swift 6.3 release-build crash with typed throws in async loops).
    @inline(never)
    static func settings(_ row: PostgresRow) throws -> TenantSettings {
        let (text, _) = try row.decode((String, String).self)
        return settings(text: text)
    }

    @inline(never)
    static func settings(text: String) -> TenantSettings {
        (try? TenantSettings(json: JSONValue.parse(text))) ?? .defaults
    }
}

/// The events payouts publishes about its own state changes (written through `PendingEvents`).
enum PayoutEventType {
    static let created = "payout.created"
    static let queued = "payout.queued"
    static let held = "payout.held"
    static let processed = "payout.processed"
    static let failed = "payout.failed"
    static let reversed = "payout.reversed"
    static let canceled = "payout.canceled"
    static let balanceLow = "provider_balance.low"
}

extension PendingEvents {
    /// `payout.processed` / `payout.reversed` carry the `PayoutSettled` fields payments posts to its
    /// ledger, plus the payout for notifications.
    mutating func settled(_ type: String, payout: PayoutRecord) {
        var data = payout.json.objectValue ?? [:]
        data["payout_id"] = .string(payout.id)
        data["tenant_id"] = .string(payout.tenantID)
        if payout.isTest { data["destination_check"] = true }
        add(type, data: .object(data), orderingKey: "payee:" + payout.payeeID)
    }
}
