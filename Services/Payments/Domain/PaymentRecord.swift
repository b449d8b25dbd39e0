import Foundation
import Postgres
import Shared

/// A payment row and its public JSON (Stripe-shaped: `object: "payment"`, minor units, uppercase currency).
struct PaymentRecord: Sendable {
    let id: String
    let tenantID: String
    let livemode: Bool
    let amount: Int64
    let currency: Currency
    var amountCapturable: Int64
    var amountCaptured: Int64
    var amountRefunded: Int64
    /// Held by refunds that are pending or awaiting approval (so concurrent refunds cannot overshoot).
    var amountRefundReserved: Int64
    var status: PaymentStatus
    let captureMethod: CaptureMethod
    var provider: String?
    var connectorID: String?
    var providerPaymentID: String?
    let customer: JSONValue?
    let payeeID: String?
    let description: String?
    let metadata: JSONValue
    var nextAction: JSONValue?
    var failureCode: String?
    var failureMessage: String?
    let createdBy: String
    let createdAt: Date
    var updatedAt: Date
    var capturedAt: Date?
    var fulfillment: String?
    let paymentMethod: String?
    let returnURL: String?
    /// The fee split fixed at capture (nil before).
    var split: CapturedSplit?
    /// The amount of a partial capture in flight (nil for a full capture).
    var captureRequested: Int64?
    /// Set while an automatic-capture payment waits for the capture worker.
    var autoCaptureAt: Date?

    struct CapturedSplit: Sendable, Equatable {
        let platformFee: Int64
        let providerFee: Int64
        let referralBounty: Int64
        let recruiterPayeeID: String?
        let payeeNet: Int64
        /// How much of `payeeNet` refunds and disputes have taken back so far.
        var payeeRefunded: Int64
    }

    static let columns = """
        p.id, p.tenant_id, p.livemode, p.amount, p.currency, p.amount_capturable, p.amount_captured, p.amount_refunded, p.status,
        p.capture_method, p.amount_refund_reserved, p.provider, p.connector_id, p.provider_payment_id, p.customer::text, p.payee_id, p.description,
        p.metadata::text, p.next_action::text, p.failure_code, p.failure_message, p.created_by, p.created_at, p.updated_at, p.captured_at,
        (SELECT f.status FROM payments.fulfillments f WHERE f.payment_id = p.id),
        p.payment_method, p.return_url, p.platform_fee, p.provider_fee, p.referral_bounty, p.recruiter_payee_id, p.payee_net, p.payee_refunded,
        p.capture_requested, p.auto_capture_at
        """

    init(row: PostgresRow) throws {
        let head = try row.decode((String, String, Bool, Int64, String, Int64, Int64, Int64, String, String).self, startingAt: 0)
        amountRefundReserved = try row.decode(Int64.self, at: 10)
        let tail = try row.decode((String?, String?, String?, String?, String?, String?, String, String?, String?, String?, String, Date, Date,
                                   Date?, String?).self, startingAt: 11)
        id = head.0
        tenantID = head.1
        livemode = head.2
        amount = head.3
        currency = Currency(code: head.4) ?? .usd
        amountCapturable = head.5
        amountCaptured = head.6
        amountRefunded = head.7
        status = PaymentStatus(rawValue: head.8) ?? .processing
        captureMethod = CaptureMethod(rawValue: head.9) ?? .automatic
        provider = tail.0
        connectorID = tail.1
        providerPaymentID = tail.2
        customer = try tail.3.map { try JSONValue.parse($0) }
        payeeID = tail.4
        description = tail.5
        metadata = (try? JSONValue.parse(tail.6)) ?? [:]
        nextAction = try tail.7.map { try JSONValue.parse($0) }
        failureCode = tail.8
        failureMessage = tail.9
        createdBy = tail.10
        createdAt = tail.11
        updatedAt = tail.12
        capturedAt = tail.13
        fulfillment = tail.14
        let extra = try row.decode((String?, String?, Int64?, Int64?, Int64?, String?, Int64?, Int64).self, startingAt: 26)
        paymentMethod = extra.0
        returnURL = extra.1
        if let platformFee = extra.2, let providerFee = extra.3, let bounty = extra.4, let payeeNet = extra.6 {
            split = CapturedSplit(platformFee: platformFee, providerFee: providerFee, referralBounty: bounty, recruiterPayeeID: extra.5,
                                  payeeNet: payeeNet, payeeRefunded: extra.7)
        } else {
            split = nil
        }
        captureRequested = try row.decode(Int64?.self, at: 34)
        autoCaptureAt = try row.decode(Date?.self, at: 35)
    }

    var money: Money { Money(minorUnits: amount, currency: currency) }
    /// What a new refund may still take: captured, less refunded and reserved by pending refunds.
    var refundable: Int64 { amountCaptured - amountRefunded - amountRefundReserved }

    var json: JSONValue {
        [
            "id": .string(id), "object": "payment", "livemode": .bool(livemode), "amount": .int(amount), "currency": .string(currency.code),
            "amount_capturable": .int(amountCapturable), "amount_received": .int(amountCaptured), "amount_refunded": .int(amountRefunded),
            "amount_refundable": .int(refundable),
            "status": .string(status.rawValue), "capture_method": .string(captureMethod.rawValue),
            "provider": provider.map(JSONValue.string) ?? .null, "connector_id": connectorID.map(JSONValue.string) ?? .null,
            "provider_payment_id": providerPaymentID.map(JSONValue.string) ?? .null, "customer": customer ?? .null,
            "payee_id": payeeID.map(JSONValue.string) ?? .null, "description": description.map(JSONValue.string) ?? .null,
            "metadata": metadata, "next_action": nextAction ?? .null,
            "failure_code": failureCode.map(JSONValue.string) ?? .null, "failure_message": failureMessage.map(JSONValue.string) ?? .null,
            "fulfillment": fulfillment.map { ["status": .string($0)] } ?? .null,
            "created": .string(Timestamp.rfc3339(createdAt)), "updated": .string(Timestamp.rfc3339(updatedAt)),
            "captured_at": capturedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "payment_method": paymentMethod.map(JSONValue.string) ?? .null, "return_url": returnURL.map(JSONValue.string) ?? .null,
            "fees": split.map { split -> JSONValue in
                ["platform_fee": .int(split.platformFee), "provider_fee": .int(split.providerFee),
                 "referral_bounty": .int(split.referralBounty), "payee_net": .int(split.payeeNet)]
            } ?? .null,
        ]
    }

    /// Loads a payment of the tenant (under row-level security), locking it when asked.
    static func load(_ id: String, tenantID: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> PaymentRecord? {
        let lock = forUpdate ? "FOR UPDATE OF p" : ""
        return try await connection.query(prepared: """
            SELECT \(unsafeSQL: columns) FROM payments.payments p WHERE p.id = \(id) AND p.tenant_id = \(tenantID) \(unsafeSQL: lock)
            """).first.map(PaymentRecord.init(row:))
    }

    /// Locks a payment and reads the tenant's capture terms in the same round trip (the settle path).
    static func lockWithTerms(_ id: String, tenantID: String, on connection: PostgresConnection) async throws
        -> (PaymentRecord, PaymentEffects.CaptureTerms)? {
        let lock: PostgresQuery = """
            SELECT \(unsafeSQL: columns) FROM payments.payments p WHERE p.id = \(id) AND p.tenant_id = \(tenantID) FOR UPDATE OF p
            """
        let results = try await connection.pipeline([lock.prepared(), PaymentEffects.termsQuery(tenantID: tenantID, paymentID: id)])
        guard let paymentRow = results[0].first, let termsRow = results[1].first else { return nil }
        return (try PaymentRecord(row: paymentRow), try PaymentEffects.terms(termsRow))
    }

    static func load(providerPaymentID: String, connectorID: String?, tenantID: String, forUpdate: Bool,
                     on connection: PostgresConnection) async throws -> PaymentRecord? {
        let lock = forUpdate ? "FOR UPDATE OF p" : ""
        return try await connection.query(prepared: """
            SELECT \(unsafeSQL: columns) FROM payments.payments p
            WHERE p.tenant_id = \(tenantID) AND p.provider_payment_id = \(providerPaymentID)
              AND (\(connectorID ?? "") = '' OR p.connector_id = \(connectorID ?? ""))
            \(unsafeSQL: lock)
            """).first.map(PaymentRecord.init(row:))
    }
}
