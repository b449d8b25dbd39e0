import Foundation
import Shared
import Synchronization

/// Stripe's PaymentIntents, charges and refunds, in memory. Every change happens under one lock;
/// its events, operations and scheduled customer actions are handed on after the lock is released.
final class StripeSimulator: Sendable {
    struct State {
        var intents: [String: StripePaymentIntent] = [:]
        var charges: [String: StripeCharge] = [:]
        var refunds: [String: StripeRefund] = [:]
    }

    /// Who made an API call: for the operation log and the events' `request` field.
    struct Caller: Sendable {
        let accountID: String
        let idempotencyKey: String?
        let requestID: String?
    }

    let context: SimulatorContext
    private let state = Mutex(State())

    init(context: SimulatorContext) {
        self.context = context
    }

    // MARK: PaymentIntents

    func createPaymentIntent(_ form: StripeForm, caller: Caller) throws(StripeError) -> StripePaymentIntent {
        guard let amount = try form.integer("amount") else { throw .missingParameter("amount") }
        guard amount >= 1 else {
            throw .invalidRequest("This value must be greater than or equal to 1.", code: "parameter_invalid_integer", param: "amount")
        }
        guard amount <= 99_999_999 else {
            throw .invalidRequest("Amount must be no more than 99999999 in the currency's smallest unit.",
                                  code: "amount_too_large", param: "amount")
        }
        let currencyText = try form.required("currency")
        guard let currency = Currency(code: currencyText) else {
            throw .invalidRequest("Invalid currency: \(currencyText.lowercased()).", code: "parameter_invalid_string", param: "currency")
        }
        let captureMethod = form.value("capture_method") ?? "automatic"
        guard ["automatic", "automatic_async", "manual"].contains(captureMethod) else {
            throw .invalidRequest("Invalid capture_method: must be one of automatic, automatic_async, or manual",
                                  code: "parameter_invalid_string", param: "capture_method")
        }
        let confirm = try form.boolean("confirm") ?? false
        var paymentMethod = form.value("payment_method")
        if confirm, paymentMethod == nil { paymentMethod = StripeTestPaymentMethods.default }
        if let paymentMethod, StripeTestPaymentMethods.outcome(of: paymentMethod) == nil {
            throw .invalidRequest("No such PaymentMethod: '\(paymentMethod)'", code: "resource_missing", param: "payment_method")
        }
        var metadata: [String: String] = [:]
        StripeForm.apply(try form.metadata(), to: &metadata)

        let id = ProviderIDs.stripe("pi")
        let intent = StripePaymentIntent(
            id: id, accountID: caller.accountID, clientSecret: id + "_secret_" + ProviderIDs.random(25, from: Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)),
            amount: amount, currency: currency.code.lowercased(), captureMethod: captureMethod,
            status: paymentMethod == nil ? "requires_payment_method" : "requires_confirmation", metadata: metadata,
            description: form.value("description"), receiptEmail: form.value("receipt_email"), returnURL: form.value("return_url"),
            paymentMethod: paymentMethod, created: Int64(Date().timeIntervalSince1970))
        var effects = StripeEffects(accountID: caller.accountID, intentID: id)
        effects.operation(.createPayment, objectID: id, idempotencyKey: caller.idempotencyKey, cofferID: metadata["coffer_payment_id"],
                          amount: amount, currency: intent.currency)
        let outcome = state.withLock { state -> Result<StripePaymentIntent, StripeError> in
            state.intents[id] = intent
            guard confirm, let paymentMethod else { return .success(intent) }
            return attempt(id, paymentMethod: paymentMethod, state: &state, effects: &effects)
        }
        finish(effects, caller: caller)
        return try outcome.get()
    }

    func confirmPaymentIntent(_ id: String, _ form: StripeForm, caller: Caller) throws(StripeError) -> StripePaymentIntent {
        let requested = form.value("payment_method")
        if let requested, StripeTestPaymentMethods.outcome(of: requested) == nil {
            throw .invalidRequest("No such PaymentMethod: '\(requested)'", code: "resource_missing", param: "payment_method")
        }
        let returnURL = form.value("return_url")
        var effects = StripeEffects(accountID: caller.accountID, intentID: id)
        let outcome = try state.withLock { (state: inout State) throws(StripeError) -> Result<StripePaymentIntent, StripeError> in
            guard var intent = state.intents[id], intent.accountID == caller.accountID else {
                throw .noSuch("payment_intent", id, param: "intent")
            }
            guard ["requires_payment_method", "requires_confirmation"].contains(intent.status) else {
                throw .unexpectedState("This PaymentIntent's status is \(intent.status), but it must be one of "
                    + "requires_payment_method or requires_confirmation to be confirmed.")
            }
            let paymentMethod = requested ?? intent.paymentMethod ?? StripeTestPaymentMethods.default
            if let returnURL { intent.returnURL = returnURL }
            state.intents[id] = intent
            effects.operation(.confirm, objectID: id, idempotencyKey: caller.idempotencyKey, cofferID: intent.metadata["coffer_payment_id"],
                              amount: intent.amount, currency: intent.currency)
            return attempt(id, paymentMethod: paymentMethod, state: &state, effects: &effects)
        }
        finish(effects, caller: caller)
        return try outcome.get()
    }

    func paymentIntent(_ id: String, accountID: String) throws(StripeError) -> StripePaymentIntent {
        guard let intent = state.withLock({ $0.intents[id] }), intent.accountID == accountID else {
            throw .noSuch("payment_intent", id, param: "intent")
        }
        return intent
    }

    /// A charge of the account's (for `expand[]=latest_charge`).
    func charge(_ id: String, accountID: String) -> StripeCharge? {
        state.withLock { state in
            guard let charge = state.charges[id], state.intents[charge.paymentIntent]?.accountID == accountID else { return nil }
            return charge
        }
    }

    func capture(_ id: String, _ form: StripeForm, caller: Caller) throws(StripeError) -> StripePaymentIntent {
        let requested = try form.integer("amount_to_capture")
        var effects = StripeEffects(accountID: caller.accountID, intentID: id)
        let intent = try state.withLock { (state: inout State) throws(StripeError) -> StripePaymentIntent in
            guard var intent = state.intents[id], intent.accountID == caller.accountID else {
                throw .noSuch("payment_intent", id, param: "intent")
            }
            guard intent.status == "requires_capture", let chargeID = intent.latestCharge, var charge = state.charges[chargeID] else {
                throw .unexpectedState("This PaymentIntent could not be captured because it has a status of \(intent.status). "
                    + "Only a PaymentIntent with one of the following statuses may be captured: requires_capture.")
            }
            let amount = requested ?? intent.amountCapturable
            guard amount >= 1 else {
                throw .invalidRequest("This value must be greater than or equal to 1.", code: "parameter_invalid_integer",
                                      param: "amount_to_capture")
            }
            guard amount <= intent.amountCapturable else {
                throw .invalidRequest("The amount to capture (\(amount)) is greater than the amount capturable "
                    + "(\(intent.amountCapturable)).", code: "amount_too_large", param: "amount_to_capture")
            }
            // A partial capture releases the rest, as at Stripe.
            charge.captured = true
            charge.amountCaptured = amount
            intent.amountReceived = amount
            intent.amountCapturable = 0
            intent.status = "succeeded"
            state.charges[chargeID] = charge
            state.intents[id] = intent
            effects.event("charge.captured", charge.json)
            effects.event("payment_intent.succeeded", intent.json(publicURL: context.publicURL))
            effects.operation(.capture, objectID: id, relatedObjectID: chargeID, idempotencyKey: caller.idempotencyKey,
                              cofferID: intent.metadata["coffer_payment_id"], amount: amount, currency: intent.currency)
            return intent
        }
        finish(effects, caller: caller)
        return intent
    }

    func cancel(_ id: String, _ form: StripeForm, caller: Caller) throws(StripeError) -> StripePaymentIntent {
        let reason = form.value("cancellation_reason")
        if let reason, !["duplicate", "fraudulent", "requested_by_customer", "abandoned"].contains(reason) {
            throw .invalidRequest("Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned",
                                  code: "parameter_invalid_string", param: "cancellation_reason")
        }
        var effects = StripeEffects(accountID: caller.accountID, intentID: id)
        let intent = try state.withLock { (state: inout State) throws(StripeError) -> StripePaymentIntent in
            guard var intent = state.intents[id], intent.accountID == caller.accountID else {
                throw .noSuch("payment_intent", id, param: "intent")
            }
            let cancellable = ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"]
            guard cancellable.contains(intent.status) else {
                throw .unexpectedState("You cannot cancel this PaymentIntent because it has a status of \(intent.status). "
                    + "Only a PaymentIntent with one of the following statuses may be canceled: " + cancellable.joined(separator: ", ") + ".")
            }
            let released = intent.amountCapturable
            intent.status = "canceled"
            intent.canceledAt = Int64(Date().timeIntervalSince1970)
            intent.cancellationReason = reason
            intent.amountCapturable = 0
            state.intents[id] = intent
            effects.event("payment_intent.canceled", intent.json(publicURL: context.publicURL))
            effects.operation(.cancel, objectID: id, idempotencyKey: caller.idempotencyKey, cofferID: intent.metadata["coffer_payment_id"],
                              amount: released, currency: intent.currency)
            return intent
        }
        finish(effects, caller: caller)
        return intent
    }

    /// The simulated customer finishes (or fails) 3-D Secure. Nil when no such intent exists; the
    /// intent unchanged when it was not waiting for authentication.
    @discardableResult
    func authenticate(_ id: String, succeed: Bool) -> (intent: StripePaymentIntent, changed: Bool)? {
        var effects: StripeEffects?
        let result = state.withLock { state -> (intent: StripePaymentIntent, changed: Bool)? in
            guard let intent = state.intents[id] else { return nil }
            guard intent.status == "requires_action" else { return (intent, false) }
            var changes = StripeEffects(accountID: intent.accountID, intentID: id)
            changes.operation(.customerAction, objectID: id, idempotencyKey: nil, cofferID: intent.metadata["coffer_payment_id"],
                              amount: intent.amount, currency: intent.currency)
            defer { effects = changes }
            if succeed {
                let paymentMethod = intent.paymentMethod ?? StripeTestPaymentMethods.default
                let outcome: StripeTestPaymentMethods.Outcome =
                    paymentMethod == "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds"
                    ? .decline(code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds.")
                    : .succeed
                _ = charge(id, outcome: outcome, state: &state, effects: &changes)
            } else {
                var failed = intent
                failed.status = "requires_payment_method"
                failed.lastPaymentError = StripePaymentError(
                    type: "invalid_request_error", code: "payment_intent_authentication_failure",
                    message: "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new "
                        + "PaymentMethod to attempt to fulfill this PaymentIntent again.",
                    paymentMethod: intent.paymentMethod)
                state.intents[id] = failed
                changes.event("payment_intent.payment_failed", failed.json(publicURL: context.publicURL))
            }
            return state.intents[id].map { ($0, true) }
        }
        if let effects { finish(effects, caller: Caller(accountID: effects.accountID, idempotencyKey: nil, requestID: nil)) }
        return result
    }

    // MARK: Refunds

    func createRefund(_ form: StripeForm, caller: Caller) throws(StripeError) -> StripeRefund {
        let intentID = form.value("payment_intent")
        let chargeParameter = form.value("charge")
        guard intentID != nil || chargeParameter != nil else {
            throw .invalidRequest("One of the following params should be provided for this request: payment_intent or charge.")
        }
        let requested = try form.integer("amount")
        if let requested, requested < 1 {
            throw .invalidRequest("This value must be greater than or equal to 1.", code: "parameter_invalid_integer", param: "amount")
        }
        let reason = form.value("reason")
        if let reason, !["duplicate", "fraudulent", "requested_by_customer", "expired_uncaptured_charge"].contains(reason) {
            throw .invalidRequest("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
                                  code: "parameter_invalid_string", param: "reason")
        }
        var metadata: [String: String] = [:]
        StripeForm.apply(try form.metadata(), to: &metadata)
        var effects = StripeEffects(accountID: caller.accountID, intentID: intentID ?? "")
        let refund = try state.withLock { (state: inout State) throws(StripeError) -> StripeRefund in
            let intent: StripePaymentIntent
            if let intentID {
                guard let found = state.intents[intentID], found.accountID == caller.accountID else {
                    throw .noSuch("payment_intent", intentID, param: "payment_intent")
                }
                intent = found
            } else {
                let chargeID = chargeParameter ?? ""
                guard let charge = state.charges[chargeID], let found = state.intents[charge.paymentIntent],
                      found.accountID == caller.accountID
                else { throw .noSuch("charge", chargeID, param: "charge") }
                intent = found
            }
            guard let chargeID = intent.latestCharge, var charge = state.charges[chargeID], charge.captured,
                  charge.status == "succeeded"
            else {
                throw .invalidRequest("This PaymentIntent does not have a successful charge to refund.",
                                      code: "charge_not_refundable", param: intentID == nil ? "charge" : "payment_intent")
            }
            let remaining = charge.amountCaptured - charge.amountRefunded
            guard remaining > 0 else {
                throw .invalidRequest("Charge \(chargeID) has already been refunded.", code: "charge_already_refunded")
            }
            let amount = requested ?? remaining
            guard amount <= remaining else {
                throw .invalidRequest("Refund amount (\(Self.format(amount, charge.currency))) is greater than unrefunded amount "
                    + "on charge (\(Self.format(remaining, charge.currency)))", code: "amount_too_large", param: "amount")
            }
            charge.amountRefunded += amount
            state.charges[chargeID] = charge
            let refund = StripeRefund(
                id: ProviderIDs.stripe("re"), accountID: caller.accountID, amount: amount, currency: charge.currency,
                paymentIntent: intent.id, charge: chargeID, status: "succeeded", reason: reason, metadata: metadata,
                created: Int64(Date().timeIntervalSince1970))
            state.refunds[refund.id] = refund
            effects.intentID = intent.id
            effects.event("refund.created", refund.json)
            effects.event("charge.refunded", charge.json)
            effects.operation(.refund, objectID: refund.id, relatedObjectID: intent.id, idempotencyKey: caller.idempotencyKey,
                              cofferID: metadata["coffer_refund_id"], amount: amount, currency: charge.currency)
            return refund
        }
        finish(effects, caller: caller)
        return refund
    }

    func refund(_ id: String, accountID: String) throws(StripeError) -> StripeRefund {
        guard let refund = state.withLock({ $0.refunds[id] }), refund.accountID == accountID else {
            throw .noSuch("refund", id, param: "id")
        }
        return refund
    }

    /// `POST /v1/refunds/{id}`: only metadata can change; Stripe announces it with `refund.updated`.
    func updateRefund(_ id: String, _ form: StripeForm, caller: Caller) throws(StripeError) -> StripeRefund {
        let update = try form.metadata()
        var effects = StripeEffects(accountID: caller.accountID, intentID: "")
        let refund = try state.withLock { (state: inout State) throws(StripeError) -> StripeRefund in
            guard var refund = state.refunds[id], refund.accountID == caller.accountID else {
                throw .noSuch("refund", id, param: "id")
            }
            StripeForm.apply(update, to: &refund.metadata)
            state.refunds[id] = refund
            effects.intentID = refund.paymentIntent
            effects.event("refund.updated", refund.json)
            return refund
        }
        finish(effects, caller: caller)
        return refund
    }

    func reset() {
        state.withLock { $0 = State() }
    }

    // MARK: Charging

    /// Confirms with `paymentMethod`: authentication first when the card asks for it, else a charge.
    private func attempt(_ id: String, paymentMethod: String, state: inout State,
                         effects: inout StripeEffects) -> Result<StripePaymentIntent, StripeError> {
        guard var intent = state.intents[id] else { return .failure(.noSuch("payment_intent", id, param: "intent")) }
        intent.paymentMethod = paymentMethod
        intent.lastPaymentError = nil
        state.intents[id] = intent
        let outcome = StripeTestPaymentMethods.outcome(of: paymentMethod) ?? .succeed
        if outcome == .requireAuthentication {
            intent.status = "requires_action"
            state.intents[id] = intent
            effects.event("payment_intent.requires_action", intent.json(publicURL: context.publicURL))
            effects.awaitsAuthentication = true
            return .success(intent)
        }
        return charge(id, outcome: outcome, state: &state, effects: &effects)
    }

    /// One charge attempt. `decline_next` turns an attempt that would succeed into a generic decline.
    private func charge(_ id: String, outcome requested: StripeTestPaymentMethods.Outcome, state: inout State,
                        effects: inout StripeEffects) -> Result<StripePaymentIntent, StripeError> {
        guard var intent = state.intents[id] else { return .failure(.noSuch("payment_intent", id, param: "intent")) }
        var outcome = requested
        if outcome == .succeed, context.takeDecline(.stripe, accountID: intent.accountID) {
            outcome = StripeTestPaymentMethods.genericDecline
        }
        var charge = StripeCharge(
            id: ProviderIDs.stripe("ch"), paymentIntent: id, amount: intent.amount, currency: intent.currency, status: "succeeded",
            metadata: intent.metadata, paymentMethod: intent.paymentMethod, description: intent.description,
            receiptEmail: intent.receiptEmail, created: Int64(Date().timeIntervalSince1970))
        intent.latestCharge = charge.id
        switch outcome {
        case .decline(let code, let declineCode, let message):
            charge.status = "failed"
            charge.failureCode = code
            charge.failureMessage = message
            intent.status = "requires_payment_method"
            intent.lastPaymentError = StripePaymentError(code: code, declineCode: declineCode, message: message, chargeID: charge.id,
                                                         paymentMethod: intent.paymentMethod)
            state.charges[charge.id] = charge
            state.intents[id] = intent
            let intentJSON = intent.json(publicURL: context.publicURL)
            effects.event("charge.failed", charge.json)
            effects.event("payment_intent.payment_failed", intentJSON)
            return .failure(StripeError(status: 402, type: "card_error", code: code, declineCode: declineCode, message: message,
                                        param: nil, paymentIntent: intentJSON, chargeID: charge.id, executed: true))
        case .succeed, .requireAuthentication:
            if intent.capturesAutomatically {
                charge.captured = true
                charge.amountCaptured = intent.amount
                intent.status = "succeeded"
                intent.amountReceived = intent.amount
            } else {
                intent.status = "requires_capture"
                intent.amountCapturable = intent.amount
            }
            state.charges[charge.id] = charge
            state.intents[id] = intent
            effects.event("charge.succeeded", charge.json)
            effects.event(intent.capturesAutomatically ? "payment_intent.succeeded" : "payment_intent.amount_capturable_updated",
                          intent.json(publicURL: context.publicURL))
            return .success(intent)
        }
    }

    /// Records operations, sends events, and lets the simulated customer authenticate later.
    private func finish(_ effects: StripeEffects, caller: Caller) {
        for draft in effects.operations { context.operations.record(draft) }
        let webhooks = effects.events.map { event -> OutgoingWebhook in
            let envelope = StripeEvents.envelope(type: event.type, object: event.object, requestID: caller.requestID,
                                                 idempotencyKey: caller.idempotencyKey)
            return OutgoingWebhook(provider: .stripe, accountID: effects.accountID, eventID: envelope.id, eventType: event.type,
                                   groupKey: effects.intentID, body: envelope.body)
        }
        context.webhooks.send(webhooks)
        if effects.awaitsAuthentication {
            let intentID = effects.intentID
            context.scheduleAutoComplete(.stripe, accountID: effects.accountID) { [self] in
                authenticate(intentID, succeed: true)
            }
        }
    }

    /// `$12.50`-style amounts for error messages, from minor units without floating point.
    private static func format(_ amount: Int64, _ currency: String) -> String {
        guard let code = Currency(code: currency) else { return String(amount) }
        return Money(minorUnits: amount, currency: code).majorUnitString + " " + code.code
    }
}
