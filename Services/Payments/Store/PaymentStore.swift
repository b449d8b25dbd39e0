import Contracts
import Foundation
import Postgres
import Shared

/// Every statement about `payments.payments` and its fulfilment (`payments.fulfillments`). Rows decode
/// by column name into `Payment`s.
struct PaymentStore: Sendable {
    static let columns = """
        p.id, p.tenant_id, p.livemode, p.amount, p.currency, p.amount_capturable, p.amount_captured, p.amount_refunded, p.status,
        p.capture_method, p.amount_refund_reserved, p.provider, p.connector_id, p.provider_payment_id, p.customer::text AS customer,
        p.payee_id, p.description, p.metadata::text AS metadata, p.next_action::text AS next_action, p.failure_code, p.failure_message,
        p.created_by, p.created_at, p.updated_at, p.captured_at,
        (SELECT f.status FROM payments.fulfillments f WHERE f.payment_id = p.id) AS fulfillment,
        p.payment_method, p.return_url, p.platform_fee, p.provider_fee, p.referral_bounty, p.recruiter_payee_id, p.payee_net, p.payee_refunded,
        p.capture_requested, p.auto_capture_at
        """

    // Synchronous on purpose: Swift 6.3's optimizer crashes splitting async functions that call the
    // typed-throwing JSON parser (release builds; docs/compiler-workarounds.md).
    @inline(never)
    static func payment(_ row: PostgresRow) throws -> Payment {
        func json(_ column: String) throws -> JSONValue? {
            try row.decode(String?.self, column: column).map { try JSONValue.parse($0) }
        }
        var split: Payment.CapturedSplit?
        if let platformFee = try row.decode(Int64?.self, column: "platform_fee"),
            let providerFee = try row.decode(Int64?.self, column: "provider_fee"),
            let bounty = try row.decode(Int64?.self, column: "referral_bounty"),
            let payeeNet = try row.decode(Int64?.self, column: "payee_net")
        {
            split = Payment.CapturedSplit(
                platformFee: platformFee, providerFee: providerFee, referralBounty: bounty,
                recruiterPayeeID: try row.decode(String?.self, column: "recruiter_payee_id"), payeeNet: payeeNet,
                payeeRefunded: try row.decode(Int64.self, column: "payee_refunded"))
        }
        return Payment(
            id: try row.decode(String.self, column: "id"), tenantID: try row.decode(String.self, column: "tenant_id"),
            livemode: try row.decode(Bool.self, column: "livemode"),
            amount: try row.decode(Int64.self, column: "amount"),
            currency: Currency(code: try row.decode(String.self, column: "currency")) ?? .usd,
            amountCapturable: try row.decode(Int64.self, column: "amount_capturable"),
            amountCaptured: try row.decode(Int64.self, column: "amount_captured"),
            amountRefunded: try row.decode(Int64.self, column: "amount_refunded"),
            amountRefundReserved: try row.decode(Int64.self, column: "amount_refund_reserved"),
            status: PaymentStatus(rawValue: try row.decode(String.self, column: "status")) ?? .processing,
            captureMethod: CaptureMethod(rawValue: try row.decode(String.self, column: "capture_method")) ?? .automatic,
            provider: try row.decode(String?.self, column: "provider"),
            connectorID: try row.decode(String?.self, column: "connector_id"),
            providerPaymentID: try row.decode(String?.self, column: "provider_payment_id"),
            customer: try json("customer"),
            payeeID: try row.decode(String?.self, column: "payee_id"),
            description: try row.decode(String?.self, column: "description"),
            metadata: ((try? json("metadata")) ?? nil) ?? [:], nextAction: try json("next_action"),
            failureCode: try row.decode(String?.self, column: "failure_code"),
            failureMessage: try row.decode(String?.self, column: "failure_message"),
            createdBy: try row.decode(String.self, column: "created_by"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            updatedAt: try row.decode(Date.self, column: "updated_at"),
            capturedAt: try row.decode(Date?.self, column: "captured_at"),
            fulfillment: try row.decode(String?.self, column: "fulfillment"),
            paymentMethod: try row.decode(String?.self, column: "payment_method"),
            returnURL: try row.decode(String?.self, column: "return_url"), split: split,
            captureRequested: try row.decode(Int64?.self, column: "capture_requested"),
            autoCaptureAt: try row.decode(Date?.self, column: "auto_capture_at"))
    }

    @inline(never)
    static func payments(_ rows: PostgresRows) throws -> [Payment] { try rows.map(payment) }

    // MARK: One payment

    /// A payment of the tenant (under row-level security), locked when asked.
    func load(_ id: String, tenantID: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws
        -> Payment?
    {
        let lock = forUpdate ? "FOR UPDATE OF p" : ""
        return try await connection.query(
            prepared: """
                SELECT \(unsafeSQL: Self.columns) FROM payments.payments p WHERE p.id = \(id) AND p.tenant_id = \(tenantID) \(unsafeSQL: lock)
                """
        ).first.map(Self.payment)
    }

    /// Locks a payment and reads the tenant's capture terms in the same round trip (the settle path).
    func lockWithTerms(_ id: String, tenantID: String, on connection: PostgresConnection) async throws -> (
        Payment, CaptureTerms
    )? {
        let lock: PostgresQuery = """
            SELECT \(unsafeSQL: Self.columns) FROM payments.payments p WHERE p.id = \(id) AND p.tenant_id = \(tenantID) FOR UPDATE OF p
            """
        let results = try await connection.pipeline([
            lock.prepared(), Self.termsQuery(tenantID: tenantID, paymentID: id),
        ])
        guard let paymentRow = results[0].first, let termsRow = results[1].first else { return nil }
        return (try Self.payment(paymentRow), try Self.terms(termsRow))
    }

    func load(
        providerPaymentID: String, connectorID: String?, tenantID: String, forUpdate: Bool,
        on connection: PostgresConnection
    ) async throws -> Payment? {
        let lock = forUpdate ? "FOR UPDATE OF p" : ""
        return try await connection.query(
            prepared: """
                SELECT \(unsafeSQL: Self.columns) FROM payments.payments p
                WHERE p.tenant_id = \(tenantID) AND p.provider_payment_id = \(providerPaymentID)
                  AND (\(connectorID ?? "") = '' OR p.connector_id = \(connectorID ?? ""))
                \(unsafeSQL: lock)
                """
        ).first.map(Self.payment)
    }

    /// The tenant's capture terms, read on the caller's connection.
    func terms(for payment: Payment, on connection: PostgresConnection) async throws -> CaptureTerms? {
        try await connection.query(Self.termsQuery(tenantID: payment.tenantID, paymentID: payment.id)).first.map(
            Self.terms)
    }

    /// The fee schedule and the payment's payee's recruiter, in one statement (pipelined with the lock).
    static func termsQuery(tenantID: String, paymentID: String) -> PostgresQuery {
        let query: PostgresQuery = """
            SELECT t.settings::text,
                   (SELECT r.id FROM payments.payees e JOIN payments.payments p ON p.payee_id = e.id
                    JOIN payments.payees r ON r.id = e.recruiter_payee_id AND r.tenant_id = e.tenant_id
                    WHERE p.id = \(paymentID) AND e.tenant_id = t.id AND r.livemode = p.livemode)
            FROM payments.tenants t WHERE t.id = \(tenantID)
            """
        return query.prepared()
    }

    @inline(never)
    static func terms(_ row: PostgresRow) throws -> CaptureTerms {
        let (settingsText, recruiter) = try row.decode((String, String?).self)
        return CaptureTerms(
            fees: try TenantSettings(json: JSONValue.parse(settingsText)).fees, recruiterPayeeID: recruiter)
    }

    /// The new payment's statements, for one round trip with the tenant's scope and the idempotency key's
    /// recovery point: the payee's status and mode, and the insert — made only if the payee (when named)
    /// is active and of the payment's mode, so a payee of the other mode is one that does not exist.
    func insertStatements(_ new: Payment) -> (payeeCheck: PostgresQuery, insert: PostgresQuery) {
        let payeeCheck: PostgresQuery = """
            SELECT status, livemode FROM payments.payees WHERE tenant_id = \(new.tenantID) AND id = \(new.payeeID)
            """
        let insert: PostgresQuery = """
            INSERT INTO payments.payments AS p (id, tenant_id, livemode, amount, currency, status, capture_method, provider, connector_id,
                customer, payee_id, description, metadata, payment_method, return_url, created_by, created_at, updated_at)
            SELECT \(new.id), \(new.tenantID), \(new.livemode), \(new.amount), \(new.currency.code), 'processing',
                \(new.captureMethod.rawValue), \(new.provider), \(new.connectorID), \(new.customer?.jsonString)::jsonb,
                \(new.payeeID), \(new.description), \(new.metadata.jsonString)::jsonb, \(new.paymentMethod), \(new.returnURL),
                \(new.createdBy), now(), now()
            WHERE \(new.payeeID)::text IS NULL OR EXISTS (
                SELECT 1 FROM payments.payees e WHERE e.tenant_id = \(new.tenantID) AND e.id = \(new.payeeID) AND e.status = 'active'
                  AND e.livemode = \(new.livemode))
            RETURNING \(unsafeSQL: Self.columns)
            """
        return (payeeCheck.prepared(), insert.prepared())
    }

    /// Every mutable column of a locked payment.
    func saveQuery(_ record: Payment) -> PostgresQuery {
        let split = record.split
        let query: PostgresQuery = """
            UPDATE payments.payments p SET status = \(record.status.rawValue), amount_capturable = \(record.amountCapturable),
                amount_captured = \(record.amountCaptured), amount_refunded = \(record.amountRefunded),
                amount_refund_reserved = \(record.amountRefundReserved), provider_payment_id = \(record.providerPaymentID),
                next_action = \(record.nextAction?.jsonString)::jsonb, failure_code = \(record.failureCode),
                failure_message = \(record.failureMessage), captured_at = \(record.capturedAt),
                platform_fee = \(split?.platformFee), provider_fee = \(split?.providerFee), referral_bounty = \(split?.referralBounty),
                recruiter_payee_id = \(split?.recruiterPayeeID), payee_net = \(split?.payeeNet), payee_refunded = \(split?.payeeRefunded ?? 0),
                capture_requested = \(record.captureRequested),
                auto_capture_at = \(record.status == .capturing ? record.autoCaptureAt : nil),
                updated_at = \(record.updatedAt)
            WHERE p.id = \(record.id) AND p.tenant_id = \(record.tenantID)
            """
        return query.prepared()
    }

    /// The resolver's clock for this payment starts again now.
    func touchQuery(_ paymentID: String) -> PostgresQuery {
        "UPDATE payments.payments SET updated_at = now() WHERE id = \(paymentID)"
    }

    /// One fulfilment per payment, ever: the unique payment id makes a second capture report a no-op.
    func fulfilQuery(_ payment: Payment, fulfillmentID: String) -> PostgresQuery {
        let query: PostgresQuery = """
            INSERT INTO payments.fulfillments (id, tenant_id, payment_id, status) VALUES (\(fulfillmentID), \(payment.tenantID), \(payment.id), 'fulfilled')
            ON CONFLICT (payment_id) DO NOTHING
            """
        return query.prepared()
    }

    /// Revokes the payment's fulfilment (fully refunded); its id, nil when there was none to revoke.
    func revokeFulfillment(_ payment: Payment, on connection: PostgresConnection) async throws -> String? {
        try await connection.query(
            """
            UPDATE payments.fulfillments SET status = 'revoked', revoked_at = now()
            WHERE payment_id = \(payment.id) AND tenant_id = \(payment.tenantID) AND status = 'fulfilled'
            RETURNING id
            """
        ).first?.decode(String.self, at: 0)
    }

    // MARK: Lists

    struct Filter: Sendable {
        var limit = 10
        var startingAfter: String?
        var status: String?
        var provider: String?
        var payeeID: String?
        var createdGTE: Date?
        var createdLT: Date?
    }

    func list(tenantID: String, livemode: Bool, filter: Filter, on connection: PostgresConnection) async throws
        -> [Payment]
    {
        try Self.payments(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns) FROM payments.payments p
                WHERE p.tenant_id = \(tenantID) AND p.livemode = \(livemode)
                  AND (\(filter.startingAfter)::text IS NULL OR p.id < \(filter.startingAfter))
                  AND (\(filter.status)::text IS NULL OR p.status = \(filter.status))
                  AND (\(filter.provider)::text IS NULL OR p.provider = \(filter.provider))
                  AND (\(filter.payeeID)::text IS NULL OR p.payee_id = \(filter.payeeID))
                  AND (\(filter.createdGTE)::timestamptz IS NULL OR p.created_at >= \(filter.createdGTE))
                  AND (\(filter.createdLT)::timestamptz IS NULL OR p.created_at < \(filter.createdLT))
                ORDER BY p.id DESC LIMIT \(Int64(filter.limit + 1))
                """))
    }

    // MARK: Background work (platform scope)

    struct Unsettled: Sendable {
        let id: String
        let tenantID: String
        let livemode: Bool
        /// The payment's status, or `refund`.
        let kind: String
    }

    /// Payments and refunds whose outcome is unknown and that have been quiet for `quiet` (the resolver).
    func unsettled(quiet: Duration, limit: Int = 200, on connection: PostgresConnection) async throws -> [Unsettled] {
        let seconds = Int64(quiet.components.seconds)
        let payments = try await connection.query(
            """
            SELECT id, tenant_id, livemode, status FROM payments.payments
            WHERE status IN ('processing', 'requires_action', 'capturing') AND parked_at IS NULL
              AND updated_at < now() - make_interval(secs => \(seconds))
            ORDER BY updated_at LIMIT \(Int64(limit))
            """
        ).map { row -> Unsettled in
            let (id, tenant, livemode, status) = try row.decode((String, String, Bool, String).self)
            return Unsettled(id: id, tenantID: tenant, livemode: livemode, kind: status)
        }
        let refunds = try await connection.query(
            """
            SELECT r.id, r.tenant_id, p.livemode FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id
            WHERE r.status = 'pending' AND r.parked_at IS NULL AND r.updated_at < now() - make_interval(secs => \(seconds))
            ORDER BY r.updated_at LIMIT \(Int64(limit))
            """
        ).map { row -> Unsettled in
            let (id, tenant, livemode) = try row.decode((String, String, Bool).self)
            return Unsettled(id: id, tenantID: tenant, livemode: livemode, kind: "refund")
        }
        return payments + refunds
    }

    /// Automatic-capture payments the provider only authorized, due for their capture: claimed with a
    /// lease (`auto_capture_at` a minute ahead), so with several replicas each is captured by one.
    func claimAutoCaptures(limit: Int = 50, on connection: PostgresConnection) async throws -> [(
        id: String, tenantID: String, livemode: Bool
    )] {
        try await connection.query(
            """
            UPDATE payments.payments p SET auto_capture_at = now() + interval '60 seconds'
            WHERE p.id IN (
                SELECT id FROM payments.payments
                WHERE auto_capture_at <= now() AND status = 'capturing' AND parked_at IS NULL
                ORDER BY auto_capture_at LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
            RETURNING p.id, p.tenant_id, p.livemode
            """
        ).map { try $0.decode((String, String, Bool).self) }.map { (id: $0.0, tenantID: $0.1, livemode: $0.2) }
    }

    /// Counts a background failure on a payment or refund, and parks it after `parkAfter` failures that
    /// cannot pass by themselves. True when it is now parked.
    func recordFailure(
        table: String, id: String, tenantID: String, counted: Bool, parkAfter: Int, reason: String,
        on connection: PostgresConnection
    ) async throws -> Bool {
        let count: Int32 = counted ? 1 : 0
        let target = table == "refunds" ? "payments.refunds" : "payments.payments"
        return try await connection.query(
            """
            UPDATE \(unsafeSQL: target) SET updated_at = now(),
                background_attempts = background_attempts + \(count),
                parked_at = CASE WHEN background_attempts + \(count) >= \(Int32(parkAfter)) THEN now() ELSE parked_at END,
                parked_reason = CASE WHEN background_attempts + \(count) >= \(Int32(parkAfter)) THEN \(reason) ELSE parked_reason END
            WHERE id = \(id) AND tenant_id = \(tenantID)
            RETURNING parked_at IS NOT NULL
            """
        ).first?.decode(Bool.self, at: 0) ?? false
    }
}
