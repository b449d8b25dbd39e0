import Foundation
import Shared
import Synchronization

/// Stripe's PaymentIntents, charges, refunds and Connect transfers, in memory. Every change happens
/// under one lock; its events, operations and scheduled customer actions are handed on after the lock
/// is released.
final class StripeSimulator: Sendable {
    struct State {
        var intents: [String: StripePaymentIntent] = [:]
        var charges: [String: StripeCharge] = [:]
        var refunds: [String: StripeRefund] = [:]
        var transfers: [String: StripeTransfer] = [:]
        var transferReversals: [String: StripeTransferReversal] = [:]
        /// Each account's transfer ids, oldest first, whole and by transfer group (for list filters).
        var transferOrder: [String: [String]] = [:]
        var transferGroups: [String: [String]] = [:]
        /// The platform balance per account and lower-case currency, which transfers draw on.
        var balances: PayoutBalances

        init(payoutOpening: Int64) {
            balances = PayoutBalances(opening: payoutOpening)
        }
    }

    /// Who made an API call: for the operation log and the events' `request` field.
    struct Caller: Sendable {
        let accountID: String
        let idempotencyKey: String?
        let requestID: String?
    }

    let context: SimulatorContext
    /// Every object, behind one lock (extensions in other files change it too).
    let state: Mutex<State>

    init(context: SimulatorContext) {
        self.context = context
        state = Mutex(State(payoutOpening: context.payoutOpeningBalance))
    }

    // MARK: PaymentIntents

    func createPaymentIntent(_ form: StripeForm, caller: Caller) throws(StripeError) -> StripePaymentIntent {
        guard let amount = try form.integer("amount") else { throw .missingParameter("amount") }
        guard amount >= 1 else {
            throw .invalidRequest(
                "This value must be greater than or equal to 1.", code: "parameter_invalid_integer", param: "amount")
        }
        guard amount <= 99_999_999 else {
            throw .invalidRequest(
                "Amount must be no more than 99999999 in the currency's smallest unit.",
                code: "amount_too_large", param: "amount")
        }
        let currencyText = try form.required("currency")
        guard let currency = Currency(code: currencyText) else {
            throw .invalidRequest(
                "Invalid currency: \(currencyText.lowercased()).", code: "parameter_invalid_string", param: "currency")
        }
        let captureMethod = form.value("capture_method") ?? "automatic"
        guard ["automatic", "automatic_async", "manual"].contains(captureMethod) else {
            throw .invalidRequest(
                "Invalid capture_method: must be one of automatic, automatic_async, or manual",
                code: "parameter_invalid_string", param: "capture_method")
        }
        let confirm = try form.boolean("confirm") ?? false
        var paymentMethod = form.value("payment_method")
        if confirm, paymentMethod == nil { paymentMethod = StripeTestPaymentMethods.default }
        if let paymentMethod, StripeTestPaymentMethods.outcome(of: paymentMethod) == nil {
            throw .invalidRequest(
                "No such PaymentMethod: '\(paymentMethod)'", code: "resource_missing", param: "payment_method")
        }
        var metadata: [String: String] = [:]
        StripeForm.apply(try form.metadata(), to: &metadata)

        let id = ProviderIDs.stripe("pi")
        let intent = StripePaymentIntent(
            id: id, accountID: caller.accountID,
            clientSecret: id + "_secret_"
                + ProviderIDs.random(25, from: Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)),
            amount: amount, currency: currency.code.lowercased(), captureMethod: captureMethod,
            status: paymentMethod == nil ? "requires_payment_method" : "requires_confirmation", metadata: metadata,
            description: form.value("description"), receiptEmail: form.value("receipt_email"),
            returnURL: form.value("return_url"),
            paymentMethod: paymentMethod, created: Int64(Date().timeIntervalSince1970))
        var effects = StripeEffects(accountID: caller.accountID, intentID: id)
        effects.operation(
            .createPayment, objectID: id, idempotencyKey: caller.idempotencyKey,
            cofferID: metadata["coffer_payment_id"],
            amount: amount, currency: intent.currency)
        let outcome = state.withLock { state -> Result<StripePaymentIntent, StripeError> in
            state.intents[id] = intent
            guard confirm, let paymentMethod else { return .success(intent) }
            return attempt(id, paymentMethod: paymentMethod, state: &state, effects: &effects)
        }
        finish(effects, caller: caller)
        return try outcome.get()
    }

    func confirmPaymentIntent(_ id: String, _ form: StripeForm, caller: Caller) throws(StripeError)
        -> StripePaymentIntent
    {
        let requested = form.value("payment_method")
        if let requested, StripeTestPaymentMethods.outcome(of: requested) == nil {
            throw .invalidRequest(
                "No such PaymentMethod: '\(requested)'", code: "resource_missing", param: "payment_method")
        }
        let returnURL = form.value("return_url")
        var effects = StripeEffects(accountID: caller.accountID, intentID: id)
        let outcome = try state.withLock {
            (state: inout State) throws(StripeError) -> Result<StripePaymentIntent, StripeError> in
            guard var intent = state.intents[id], intent.accountID == caller.accountID else {
                throw .noSuch("payment_intent", id, param: "intent")
            }
            guard ["requires_payment_method", "requires_confirmation"].contains(intent.status) else {
                throw .unexpectedState(
                    "This PaymentIntent's status is \(intent.status), but it must be one of "
                        + "requires_payment_method or requires_confirmation to be confirmed.")
            }
            let paymentMethod = requested ?? intent.paymentMethod ?? StripeTestPaymentMethods.default
            if let returnURL { intent.returnURL = returnURL }
            state.intents[id] = intent
            effects.operation(
                .confirm, objectID: id, idempotencyKey: caller.idempotencyKey,
                cofferID: intent.metadata["coffer_payment_id"],
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
            guard let charge = state.charges[id], state.intents[charge.paymentIntent]?.accountID == accountID else {
                return nil
            }
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
            guard intent.status == "requires_capture", let chargeID = intent.latestCharge,
                var charge = state.charges[chargeID]
            else {
                throw .unexpectedState(
                    "This PaymentIntent could not be captured because it has a status of \(intent.status). "
                        + "Only a PaymentIntent with one of the following statuses may be captured: requires_capture.")
            }
            let amount = requested ?? intent.amountCapturable
            guard amount >= 1 else {
                throw .invalidRequest(
                    "This value must be greater than or equal to 1.", code: "parameter_invalid_integer",
                    param: "amount_to_capture")
            }
            guard amount <= intent.amountCapturable else {
                throw .invalidRequest(
                    "The amount to capture (\(amount)) is greater than the amount capturable "
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
            effects.operation(
                .capture, objectID: id, relatedObjectID: chargeID, idempotencyKey: caller.idempotencyKey,
                cofferID: intent.metadata["coffer_payment_id"], amount: amount, currency: intent.currency)
            return intent
        }
        finish(effects, caller: caller)
        return intent
    }

    func cancel(_ id: String, _ form: StripeForm, caller: Caller) throws(StripeError) -> StripePaymentIntent {
        let reason = form.value("cancellation_reason")
        if let reason, !["duplicate", "fraudulent", "requested_by_customer", "abandoned"].contains(reason) {
            throw .invalidRequest(
                "Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned",
                code: "parameter_invalid_string", param: "cancellation_reason")
        }
        var effects = StripeEffects(accountID: caller.accountID, intentID: id)
        let intent = try state.withLock { (state: inout State) throws(StripeError) -> StripePaymentIntent in
            guard var intent = state.intents[id], intent.accountID == caller.accountID else {
                throw .noSuch("payment_intent", id, param: "intent")
            }
            let cancellable = [
                "requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing",
            ]
            guard cancellable.contains(intent.status) else {
                throw .unexpectedState(
                    "You cannot cancel this PaymentIntent because it has a status of \(intent.status). "
                        + "Only a PaymentIntent with one of the following statuses may be canceled: "
                        + cancellable.joined(separator: ", ") + ".")
            }
            let released = intent.amountCapturable
            intent.status = "canceled"
            intent.canceledAt = Int64(Date().timeIntervalSince1970)
            intent.cancellationReason = reason
            intent.amountCapturable = 0
            state.intents[id] = intent
            effects.event("payment_intent.canceled", intent.json(publicURL: context.publicURL))
            effects.operation(
                .cancel, objectID: id, idempotencyKey: caller.idempotencyKey,
                cofferID: intent.metadata["coffer_payment_id"],
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
            changes.operation(
                .customerAction, objectID: id, idempotencyKey: nil, cofferID: intent.metadata["coffer_payment_id"],
                amount: intent.amount, currency: intent.currency)
            defer { effects = changes }
            if succeed {
                let paymentMethod = intent.paymentMethod ?? StripeTestPaymentMethods.default
                let outcome: StripeTestPaymentMethods.Outcome =
                    paymentMethod == "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds"
                    ? .decline(
                        code: "card_declined", declineCode: "insufficient_funds",
                        message: "Your card has insufficient funds.")
                    : .succeed
                _ = charge(id, outcome: outcome, state: &state, effects: &changes)
            } else {
                var failed = intent
                failed.status = "requires_payment_method"
                failed.lastPaymentError = StripePaymentError(
                    type: "invalid_request_error", code: "payment_intent_authentication_failure",
                    message:
                        "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new "
                        + "PaymentMethod to attempt to fulfill this PaymentIntent again.",
                    paymentMethod: intent.paymentMethod)
                state.intents[id] = failed
                changes.event("payment_intent.payment_failed", failed.json(publicURL: context.publicURL))
            }
            return state.intents[id].map { ($0, true) }
        }
        if let effects {
            finish(effects, caller: Caller(accountID: effects.accountID, idempotencyKey: nil, requestID: nil))
        }
        return result
    }

    func reset() {
        state.withLock { $0 = State(payoutOpening: context.payoutOpeningBalance) }
    }
}
