import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Applies provider news to a payment the unit of work has locked, with every consequence in the same
/// transaction: the state change (`PaymentTransition`), exactly one fulfilment per payment, the
/// capture's balanced ledger posting and fee split, `payee.credited` for the payee and a recruiter's
/// bounty, and the events. API answers, webhooks and status polls all come through here, so a capture
/// counts once however many of them report it. The writes join the unit's final round trip.
struct PaymentEffects: Sendable {
    let core: PaymentsCore

    /// Returns the payment as it is after the news (unchanged for stale or repeated news).
    @discardableResult
    func apply(
        _ observation: ProviderObservation, to payment: Payment, terms: CaptureTerms? = nil, logger: Logger,
        in work: inout Work
    ) async throws -> Payment {
        var record = payment
        if let currency = observation.currency, currency != payment.currency {
            logger.error(
                "provider reported another currency; ignored",
                [
                    "payment_id": .string(payment.id), "expected": .string(payment.currency.code),
                    "reported": .string(currency.code),
                    "source": .string(observation.source),
                ])
            return payment
        }
        var changed = false
        if record.providerPaymentID == nil, let providerID = observation.providerPaymentID {
            record.providerPaymentID = providerID
            changed = true
        }
        let transition = PaymentTransition.decide(
            current: payment.status, observed: observation.status,
            amountCaptured: min(payment.amount, observation.amountCaptured ?? payment.amount),
            amountCapturable: observation.amountCapturable ?? payment.amount)
        switch transition {
        case .unchanged:
            break
        case .stale(let reason):
            logger.warning(
                "stale provider news ignored",
                [
                    "payment_id": .string(payment.id), "reason": .string(reason),
                    "source": .string(observation.source),
                ])
        case .requiresAction(let url):
            record.status = .requiresAction
            record.nextAction = [
                "type": "redirect_to_url", "redirect_to_url": ["url": .string(url)], "url": .string(url),
            ]
            changed = true
        case .authorize(let capturable):
            record.status = .authorized
            record.amountCapturable = capturable > 0 ? min(capturable, payment.amount) : payment.amount
            record.nextAction = nil
            changed = true
            work.publish(
                PaymentEventType.paymentAuthorized, data: record.json, orderingKey: payment.id,
                tenantID: payment.tenantID)
            if payment.captureMethod == .automatic {
                // The provider waits for the merchant to capture (PayPal after the buyer's approval):
                // Coffer does, at once, through the capture worker (never inside this transaction).
                record.status = .capturing
                record.autoCaptureAt = Date()
                work.ring(core.captureBell)
            }
        case .capture(let amount):
            if payment.status == .failed || payment.status == .canceled {
                logger.warning(
                    "provider captured a payment Coffer had closed; capturing it",
                    [
                        "payment_id": .string(payment.id), "was": .string(payment.status.rawValue),
                        "source": .string(observation.source),
                    ])
            }
            var captureTerms = terms
            if captureTerms == nil { captureTerms = try await core.payments.terms(for: payment, on: work.connection) }
            guard let captureTerms else { throw PermanentEventError("tenant \(payment.tenantID) does not exist") }
            try capture(&record, amount: amount, terms: captureTerms, in: &work)
            changed = true
        case .fail(let code, let message):
            record.status = .failed
            record.failureCode = code ?? "payment_failed"
            record.failureMessage = message
            record.amountCapturable = 0
            record.nextAction = nil
            changed = true
            work.publish(
                PaymentEventType.paymentFailed, data: record.json, orderingKey: payment.id, tenantID: payment.tenantID)
        case .cancel:
            record.status = .canceled
            record.amountCapturable = 0
            record.nextAction = nil
            changed = true
            work.publish(
                PaymentEventType.paymentCanceled, data: record.json, orderingKey: payment.id, tenantID: payment.tenantID
            )
        }
        guard changed else { return record }
        record.updatedAt = Date()
        work.write(core.payments.saveQuery(record))
        return record
    }

    /// The capture: fee split from the tenant's schedule, one fulfilment, the ledger posting, payee credits.
    private func capture(_ record: inout Payment, amount: Int64, terms: CaptureTerms, in work: inout Work) throws {
        let recruiterID = record.payeeID == nil ? nil : terms.recruiterPayeeID
        let split = try FeeSplit(
            gross: Money(minorUnits: amount, currency: record.currency), fees: terms.fees,
            hasRecruiter: recruiterID != nil)
        let wasFulfilled = record.fulfillment != nil
        record.status = .captured
        record.amountCaptured = amount
        record.amountCapturable = 0
        record.capturedAt = record.capturedAt ?? Date()
        record.nextAction = nil
        record.failureCode = nil
        record.failureMessage = nil
        record.captureRequested = nil
        record.split = Payment.CapturedSplit(
            platformFee: split.platformFee, providerFee: split.providerFee, referralBounty: split.bounty,
            recruiterPayeeID: recruiterID, payeeNet: split.payeeNet, payeeRefunded: 0)
        let fulfillmentID = CofferID.generate(.fulfillment)
        work.write(core.payments.fulfilQuery(record, fulfillmentID: fulfillmentID))
        work.post(
            LedgerPosting(
                tenantID: record.tenantID, livemode: record.livemode, kind: "capture", reference: record.id,
                currency: record.currency.code,
                lines: LedgerPosting.captureLines(
                    split: split, payeeID: record.payeeID, recruiterID: recruiterID,
                    feeBearer: terms.fees.providerFeeBearer)), to: core.ledger)
        if !wasFulfilled {
            record.fulfillment = "fulfilled"
            var data = record.json.objectValue ?? [:]
            data["fulfillment"] = ["id": .string(fulfillmentID), "status": "fulfilled"]
            work.publish(
                PaymentEventType.paymentCaptured, data: .object(data), orderingKey: record.id, tenantID: record.tenantID
            )
        }
        if let payeeID = record.payeeID {
            try work.payeeChange(
                MoneyEventType.payeeCredited, payeeID: payeeID, tenantID: record.tenantID, livemode: record.livemode,
                amount: split.payeeNet, currency: record.currency, reason: "payment_captured", sourceID: record.id,
                paymentID: record.id)
            if let recruiterID {
                try work.payeeChange(
                    MoneyEventType.payeeCredited, payeeID: recruiterID, tenantID: record.tenantID,
                    livemode: record.livemode,
                    amount: split.bounty, currency: record.currency, reason: "referral_bounty", sourceID: record.id,
                    paymentID: record.id)
            }
        }
    }

    /// Saves a locked payment's columns with the unit's writes; returns it as it will be stored.
    func save(_ record: Payment, in work: inout Work) -> Payment {
        var record = record
        record.updatedAt = Date()
        work.write(core.payments.saveQuery(record))
        return record
    }
}
