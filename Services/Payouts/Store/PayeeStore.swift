import Contracts
import Foundation
import Postgres
import Shared

/// Every statement about `payouts.payees`, and the tenant's settings from the tenancy replica.
struct PayeeStore: Sendable {
    static let columns = """
        e.id, e.tenant_id, e.livemode, e.name, e.type, e.email, e.destination_kind, e.destination_sealed, e.destination_last4,
        e.destination_fingerprint, e.destination_verified_at, e.destination_check, e.recruiter_payee_id, e.status,
        e.metadata::text AS metadata, e.version, e.created_by, e.created_at, e.updated_at, e.destination_changed_at,
        e.destination_changed_by
        """

    // Synchronous on purpose (docs/compiler-workarounds.md).
    @inline(never)
    static func payee(_ row: PostgresRow) throws -> Payee {
        Payee(
            id: try row.decode(String.self, column: "id"), tenantID: try row.decode(String.self, column: "tenant_id"),
            livemode: try row.decode(Bool.self, column: "livemode"), name: try row.decode(String.self, column: "name"),
            type: Payee.Kind(rawValue: try row.decode(String.self, column: "type")) ?? .seller,
            email: try row.decode(String?.self, column: "email"),
            destinationKind: PayoutDestination.Kind(rawValue: try row.decode(String.self, column: "destination_kind"))
                ?? .bankAccount,
            destinationSealed: try row.decode(String.self, column: "destination_sealed"),
            destinationLast4: try row.decode(String.self, column: "destination_last4"),
            destinationFingerprint: try row.decode(String.self, column: "destination_fingerprint"),
            destinationVerifiedAt: try row.decode(Date?.self, column: "destination_verified_at"),
            destinationCheck: try row.decode(String?.self, column: "destination_check").flatMap(
                Payee.DestinationCheck.init(rawValue:)),
            recruiterPayeeID: try row.decode(String?.self, column: "recruiter_payee_id"),
            status: try row.decode(String.self, column: "status"),
            metadata: (try? JSONValue.parse(try row.decode(String.self, column: "metadata"))) ?? [:],
            version: try row.decode(Int64.self, column: "version"),
            createdBy: try row.decode(String.self, column: "created_by"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            updatedAt: try row.decode(Date.self, column: "updated_at"),
            destinationChangedAt: try row.decode(Date?.self, column: "destination_changed_at"),
            destinationChangedBy: try row.decode(String?.self, column: "destination_changed_by"))
    }

    @inline(never)
    static func payees(_ rows: PostgresRows) throws -> [Payee] { try rows.map(payee) }

    func load(_ id: String, tenantID: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws
        -> Payee?
    {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM payouts.payees e WHERE e.id = \(id) AND e.tenant_id = \(tenantID)
            \(unsafeSQL: forUpdate ? "FOR UPDATE" : "")
            """
        ).first.map(Self.payee)
    }

    /// What creating a payout needs to know, in one round trip (the create path's hot read): the payee
    /// locked (its payouts are counted and its balance reserved one at a time), the tenant's settings
    /// (nil: no such tenant), whether the tenant confirmed its first run in this mode, and whether the
    /// payee's balance in `currency` is held.
    struct PayoutContext: Sendable {
        let payee: Payee
        let settings: TenantSettings?
        let firstRunConfirmed: Bool
        let balanceHeld: Bool
    }

    func payoutContext(
        _ id: String, tenantID: String, livemode: Bool, currency: String, on connection: PostgresConnection
    ) async throws -> PayoutContext? {
        let query: PostgresQuery = """
            SELECT \(unsafeSQL: Self.columns),
                   (SELECT t.settings::text FROM payouts.tenants t WHERE t.tenant_id = e.tenant_id) AS tenant_settings,
                   EXISTS (SELECT 1 FROM payouts.first_runs f WHERE f.tenant_id = e.tenant_id AND f.livemode = \(livemode))
                       AS first_run_confirmed,
                   EXISTS (SELECT 1 FROM payouts.balance_holds h WHERE h.tenant_id = e.tenant_id AND h.payee_id = e.id
                           AND h.currency = \(currency) AND h.status <> 'reversed') AS balance_held
            FROM payouts.payees e WHERE e.id = \(id) AND e.tenant_id = \(tenantID)
            FOR UPDATE OF e
            """
        return try await connection.query(query.prepared()).first.map(Self.payoutContext)
    }

    // Synchronous on purpose (docs/compiler-workarounds.md).
    @inline(never)
    static func payoutContext(_ row: PostgresRow) throws -> PayoutContext {
        PayoutContext(
            payee: try payee(row),
            settings: try row.decode(String?.self, column: "tenant_settings").map(settings(text:)),
            firstRunConfirmed: try row.decode(Bool.self, column: "first_run_confirmed"),
            balanceHeld: try row.decode(Bool.self, column: "balance_held"))
    }

    /// The tenant a payee belongs to (operators act across tenants).
    func tenant(of id: String, on connection: PostgresConnection) async throws -> String? {
        try await connection.query("SELECT tenant_id FROM payouts.payees WHERE id = \(id)").first?.decode(
            String.self, at: 0)
    }

    /// A payee's mode (nil: no payee of this tenant).
    func livemode(of id: String, tenantID: String, on connection: PostgresConnection) async throws -> Bool? {
        try await connection.query("SELECT livemode FROM payouts.payees WHERE id = \(id) AND tenant_id = \(tenantID)")
            .first?.decode(Bool.self, at: 0)
    }

    /// Locks a payee (a payout's creation and a balance hold lock it the same way); false when there is none.
    func lock(_ id: String, tenantID: String, on connection: PostgresConnection) async throws -> Bool {
        try await !connection.query(
            "SELECT 1 FROM payouts.payees WHERE id = \(id) AND tenant_id = \(tenantID) FOR UPDATE"
        ).isEmpty
    }

    func insert(_ payee: Payee, on connection: PostgresConnection) async throws -> Payee {
        guard
            let row = try await connection.query(
                """
                INSERT INTO payouts.payees AS e (id, tenant_id, livemode, name, type, email, destination_kind, destination_sealed, destination_last4,
                    destination_fingerprint, destination_check, recruiter_payee_id, status, metadata, version, created_by)
                VALUES (\(payee.id), \(payee.tenantID), \(payee.livemode), \(payee.name), \(payee.type.rawValue), \(payee.email),
                    \(payee.destinationKind.rawValue), \(payee.destinationSealed), \(payee.destinationLast4), \(payee.destinationFingerprint),
                    \(payee.destinationCheck?.rawValue), \(payee.recruiterPayeeID), \(payee.status), \(payee.metadata.jsonString)::jsonb,
                    \(payee.version), \(payee.createdBy))
                RETURNING \(unsafeSQL: Self.columns)
                """
            ).first
        else { throw DomainError.internalFailure("payee insert returned nothing") }
        return try Self.payee(row)
    }

    func save(_ payee: Payee, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE payouts.payees SET name = \(payee.name), email = \(payee.email), destination_kind = \(payee.destinationKind.rawValue),
                destination_sealed = \(payee.destinationSealed), destination_last4 = \(payee.destinationLast4),
                destination_fingerprint = \(payee.destinationFingerprint), destination_verified_at = \(payee.destinationVerifiedAt),
                destination_check = \(payee.destinationCheck?.rawValue), recruiter_payee_id = \(payee.recruiterPayeeID), status = \(payee.status),
                metadata = \(payee.metadata.jsonString)::jsonb, version = \(payee.version), destination_changed_at = \(payee.destinationChangedAt),
                destination_changed_by = \(payee.destinationChangedBy), updated_at = now()
            WHERE id = \(payee.id) AND tenant_id = \(payee.tenantID)
            """)
    }

    /// A destination check's result: verified (passed) or failed; a failed check may pass later.
    func recordDestinationCheck(payeeID: String, tenantID: String, passed: Bool, on connection: PostgresConnection)
        async throws
    {
        if passed {
            try await connection.execute(
                """
                UPDATE payouts.payees SET destination_check = 'passed', destination_verified_at = now(), updated_at = now()
                WHERE id = \(payeeID) AND tenant_id = \(tenantID) AND destination_check IN ('pending', 'failed')
                """)
        } else {
            try await connection.execute(
                """
                UPDATE payouts.payees SET destination_check = 'failed', updated_at = now()
                WHERE id = \(payeeID) AND tenant_id = \(tenantID) AND destination_check = 'pending'
                """)
        }
    }

    struct Filter: Sendable {
        var limit = 10
        var startingAfter: String?
        var type: String?
        var status: String?
    }

    func list(tenantID: String, livemode: Bool, filter: Filter, on connection: PostgresConnection) async throws
        -> [Payee]
    {
        try Self.payees(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns) FROM payouts.payees e
                WHERE e.tenant_id = \(tenantID) AND e.livemode = \(livemode)
                  AND (\(filter.startingAfter)::text IS NULL OR e.id < \(filter.startingAfter))
                  AND (\(filter.type)::text IS NULL OR e.type = \(filter.type)) AND (\(filter.status)::text IS NULL OR e.status = \(filter.status))
                ORDER BY e.id DESC LIMIT \(Int64(filter.limit + 1))
                """))
    }

    /// Every payee as `payee.upserted` carries it (a consumer's first copy), across tenants.
    func snapshot(on connection: PostgresConnection) async throws -> [JSONValue] {
        try await connection.query(
            """
            SELECT id, tenant_id, livemode, recruiter_payee_id, status, version FROM payouts.payees ORDER BY tenant_id, id
            """
        ).map { row -> JSONValue in
            let (id, tenantID, livemode, recruiter, status, version) = try row.decode(
                (String, String, Bool, String?, String, Int64).self)
            return [
                "payee_id": .string(id), "tenant_id": .string(tenantID), "livemode": .bool(livemode),
                "recruiter_payee_id": recruiter.map(JSONValue.string) ?? .null, "status": .string(status),
                "version": .int(version),
            ]
        }
    }

    /// Every payee's sealed destination (re-sealed after a master-key rotation), across tenants.
    func sealedDestinations(on connection: PostgresConnection) async throws -> [(
        id: String, tenantID: String, sealed: String
    )] {
        try await connection.query("SELECT id, tenant_id, destination_sealed FROM payouts.payees")
            .map { try $0.decode((String, String, String).self) }.map { (id: $0.0, tenantID: $0.1, sealed: $0.2) }
    }

    func reseal(
        _ payeeID: String, from old: String, to new: String, fingerprint: String, on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            UPDATE payouts.payees SET destination_sealed = \(new), destination_fingerprint = \(fingerprint)
            WHERE id = \(payeeID) AND destination_sealed = \(old)
            """)
    }

    // MARK: The tenant (from the tenancy replica)

    /// The tenant's settings (its time zone, payout limits, the destination check); nil for an unknown tenant.
    func settings(tenantID: String, on connection: PostgresConnection) async throws -> TenantSettings? {
        guard
            let row = try await connection.query(
                prepared: "SELECT settings::text FROM payouts.tenants WHERE tenant_id = \(tenantID)"
            ).first
        else { return nil }
        return Self.settings(text: try row.decode(String.self, at: 0))
    }

    @inline(never)
    static func settings(text: String) -> TenantSettings {
        (try? TenantSettings(json: JSONValue.parse(text))) ?? .defaults
    }
}
