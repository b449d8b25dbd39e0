import Foundation
import Platform
import Postgres
import Shared

/// Applies provider news to a payment row the caller has locked, with every consequence in the same
/// transaction: the state change, exactly one fulfilment per payment, the capture's balanced ledger
/// postings and fee split, `payee.credited` for the payee and a recruiter's bounty, and the events.
/// API answers, webhooks and status polls all come through here, so a capture counts once however
/// many of them report it. The writes go to the database as one pipelined round trip.
struct PaymentEffects: Sendable {
    let outbox: Outbox
    let ledger = LedgerPoster()

    /// What a capture needs from the tenant: its fee schedule, and the payee's recruiter (the marketplace
    /// case). Read with the payment's lock when the caller can (`PaymentRecord.lockWithTerms`).
    struct CaptureTerms: Sendable {
        let fees: TenantSettings.FeeSchedule
        let recruiterPayeeID: String?
    }

    /// Returns the payment as it is after the news (unchanged for stale or repeated news). `trailing`
    /// statements (the idempotency answer) are sent in the same round trip, after the effects.
    @discardableResult
    func apply(_ observation: ProviderObservation, to payment: PaymentRecord, terms: CaptureTerms? = nil, correlationID: String?,
               logger: Logger, on connection: PostgresConnection,
               trailing: (PaymentRecord) -> [PostgresQuery] = { _ in [] }) async throws -> PaymentRecord {
        var record = payment
        var events = PendingEvents(source: "payments", tenantID: payment.tenantID, correlationID: correlationID)
        var writes: [PostgresQuery] = []
        if let currency = observation.currency, currency != payment.currency {
            logger.error("provider reported another currency; ignored", [
                "payment_id": .string(payment.id), "expected": .string(payment.currency.code), "reported": .string(currency.code),
                "source": .string(observation.source)])
            try await run(trailing(payment), on: connection)
            return payment
        }
        var changed = false
        if record.providerPaymentID == nil, let providerID = observation.providerPaymentID {
            record.providerPaymentID = providerID
            changed = true
        }
        let transition = PaymentTransition.decide(current: payment.status, observed: observation.status,
                                                  amountCaptured: min(payment.amount, observation.amountCaptured ?? payment.amount),
                                                  amountCapturable: observation.amountCapturable ?? payment.amount)
        switch transition {
        case .unchanged:
            break
        case .stale(let reason):
            logger.warning("stale provider news ignored", ["payment_id": .string(payment.id), "reason": .string(reason),
                                                           "source": .string(observation.source)])
        case .requiresAction(let url):
            record.status = .requiresAction
            record.nextAction = ["type": "redirect_to_url", "redirect_to_url": ["url": .string(url)], "url": .string(url)]
            changed = true
        case .authorize(let capturable):
            record.status = .authorized
            record.amountCapturable = capturable > 0 ? min(capturable, payment.amount) : payment.amount
            record.nextAction = nil
            changed = true
            events.add(PaymentEventType.paymentAuthorized, data: record.json, orderingKey: payment.id)
            if payment.captureMethod == .automatic {
                // The provider waits for the merchant to capture (PayPal after the buyer's approval):
                // Coffer does, at once, through the capture worker (never inside this transaction).
                record.status = .capturing
                record.autoCaptureAt = Date()
            }
        case .capture(let amount):
            if payment.status == .failed || payment.status == .canceled {
                logger.warning("provider captured a payment Coffer had closed; capturing it", [
                    "payment_id": .string(payment.id), "was": .string(payment.status.rawValue), "source": .string(observation.source)])
            }
            let captureTerms: CaptureTerms
            if let terms { captureTerms = terms } else { captureTerms = try await Self.terms(for: payment, on: connection) }
            writes += try capture(&record, amount: amount, terms: captureTerms, events: &events)
            changed = true
        case .fail(let code, let message):
            record.status = .failed
            record.failureCode = code ?? "payment_failed"
            record.failureMessage = message
            record.amountCapturable = 0
            record.nextAction = nil
            changed = true
            events.add(PaymentEventType.paymentFailed, data: record.json, orderingKey: payment.id)
        case .cancel:
            record.status = .canceled
            record.amountCapturable = 0
            record.nextAction = nil
            changed = true
            events.add(PaymentEventType.paymentCanceled, data: record.json, orderingKey: payment.id)
        }
        guard changed else {
            try await run(trailing(payment), on: connection)
            return record
        }
        record.updatedAt = Date()
        writes.append(Self.saveQuery(record))
        if let (enqueue, _) = outbox.enqueueQuery(events.entries) { writes.append(enqueue) }
        try await run(writes + trailing(record), on: connection)
        return record
    }

    private func run(_ queries: [PostgresQuery], on connection: PostgresConnection) async throws {
        if !queries.isEmpty { _ = try await connection.pipeline(queries) }
    }

    /// The capture: fee split from the tenant's schedule, one fulfilment, ledger postings, payee credits.
    /// Returns the writes (the payment row itself is saved by the caller).
    private func capture(_ record: inout PaymentRecord, amount: Int64, terms: CaptureTerms,
                         events: inout PendingEvents) throws -> [PostgresQuery] {
        let recruiterID = record.payeeID == nil ? nil : terms.recruiterPayeeID
        let gross = Money(minorUnits: amount, currency: record.currency)
        let split = try FeeSplit(gross: gross, fees: terms.fees, hasRecruiter: recruiterID != nil)
        let wasFulfilled = record.fulfillment != nil
        record.status = .captured
        record.amountCaptured = amount
        record.amountCapturable = 0
        record.capturedAt = record.capturedAt ?? Date()
        record.nextAction = nil
        record.failureCode = nil
        record.failureMessage = nil
        record.captureRequested = nil
        record.split = PaymentRecord.CapturedSplit(platformFee: split.platformFee, providerFee: split.providerFee,
                                                   referralBounty: split.bounty, recruiterPayeeID: recruiterID, payeeNet: split.payeeNet,
                                                   payeeRefunded: 0)
        var writes: [PostgresQuery] = []
        // One fulfilment per payment, ever: the unique payment_id makes a second capture report a no-op.
        let fulfillmentID = CofferID.generate(.fulfillment)
        let fulfil: PostgresQuery = """
            INSERT INTO payments.fulfillments (id, tenant_id, payment_id, status) VALUES (\(fulfillmentID), \(record.tenantID), \(record.id), 'fulfilled')
            ON CONFLICT (payment_id) DO NOTHING
            """
        writes.append(fulfil.prepared())
        writes += ledger.postQueries(tenantID: record.tenantID, livemode: record.livemode, kind: "capture", reference: record.id,
                                     currency: record.currency.code,
                                     lines: LedgerPoster.captureLines(split: split, payeeID: record.payeeID, recruiterID: recruiterID,
                                                                      feeBearer: terms.fees.providerFeeBearer))
        if !wasFulfilled {
            record.fulfillment = "fulfilled"
            var data = record.json.objectValue ?? [:]
            data["fulfillment"] = ["id": .string(fulfillmentID), "status": "fulfilled"]
            events.add(PaymentEventType.paymentCaptured, data: .object(data), orderingKey: record.id)
        }
        if let payeeID = record.payeeID {
            events.payeeChange(MoneyEventType.payeeCredited, payeeID: payeeID, livemode: record.livemode, amount: split.payeeNet,
                               currency: record.currency, reason: "payment_captured", sourceID: record.id, paymentID: record.id)
            if let recruiterID {
                events.payeeChange(MoneyEventType.payeeCredited, payeeID: recruiterID, livemode: record.livemode, amount: split.bounty,
                                   currency: record.currency, reason: "referral_bounty", sourceID: record.id, paymentID: record.id)
            }
        }
        return writes
    }

    /// The tenant's capture terms, read on the caller's connection.
    static func terms(for payment: PaymentRecord, on connection: PostgresConnection) async throws -> CaptureTerms {
        guard let row = try await connection.query(termsQuery(tenantID: payment.tenantID, paymentID: payment.id)).first else {
            throw PermanentEventError("tenant \(payment.tenantID) does not exist")
        }
        return try terms(row)
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

    // Synchronous on purpose: Swift 6.3's optimizer crashes splitting async functions that call the
    // typed-throwing JSON parser (release builds only).
    @inline(never)
    static func terms(_ row: PostgresRow) throws -> CaptureTerms {
        let (settingsText, recruiter) = try row.decode((String, String?).self)
        return CaptureTerms(fees: try TenantSettings(json: JSONValue.parse(settingsText)).fees, recruiterPayeeID: recruiter)
    }

    /// Writes every mutable column of a locked payment and returns it as stored.
    func save(_ record: PaymentRecord, on connection: PostgresConnection) async throws -> PaymentRecord {
        var record = record
        record.updatedAt = Date()
        try await connection.execute(Self.saveQuery(record))
        return record
    }

    static func saveQuery(_ record: PaymentRecord) -> PostgresQuery {
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
}
