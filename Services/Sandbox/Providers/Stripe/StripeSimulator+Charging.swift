import Foundation
import Shared
import Synchronization

/// Charge attempts and what a change causes afterwards (operations, events, the simulated customer).
extension StripeSimulator {
    /// Confirms with `paymentMethod`: authentication first when the card asks for it, else a charge.
    func attempt(
        _ id: String, paymentMethod: String, state: inout State,
        effects: inout StripeEffects
    ) -> Result<StripePaymentIntent, StripeError> {
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
    func charge(
        _ id: String, outcome requested: StripeTestPaymentMethods.Outcome, state: inout State,
        effects: inout StripeEffects
    ) -> Result<StripePaymentIntent, StripeError> {
        guard var intent = state.intents[id] else { return .failure(.noSuch("payment_intent", id, param: "intent")) }
        var outcome = requested
        if outcome == .succeed, context.takeDecline(.stripe, accountID: intent.accountID) {
            outcome = StripeTestPaymentMethods.genericDecline
        }
        var charge = StripeCharge(
            id: ProviderIDs.stripe("ch"), paymentIntent: id, amount: intent.amount, currency: intent.currency,
            status: "succeeded",
            metadata: intent.metadata, paymentMethod: intent.paymentMethod, description: intent.description,
            receiptEmail: intent.receiptEmail, created: Int64(Date().timeIntervalSince1970))
        intent.latestCharge = charge.id
        switch outcome {
        case .decline(let code, let declineCode, let message):
            charge.status = "failed"
            charge.failureCode = code
            charge.failureMessage = message
            intent.status = "requires_payment_method"
            intent.lastPaymentError = StripePaymentError(
                code: code, declineCode: declineCode, message: message, chargeID: charge.id,
                paymentMethod: intent.paymentMethod)
            state.charges[charge.id] = charge
            state.intents[id] = intent
            let intentJSON = intent.json(publicURL: context.publicURL)
            effects.event("charge.failed", charge.json)
            effects.event("payment_intent.payment_failed", intentJSON)
            return .failure(
                StripeError(
                    status: 402, type: "card_error", code: code, declineCode: declineCode, message: message,
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
            effects.event(
                intent.capturesAutomatically ? "payment_intent.succeeded" : "payment_intent.amount_capturable_updated",
                intent.json(publicURL: context.publicURL))
            return .success(intent)
        }
    }

    /// Records operations, sends events, and lets the simulated customer authenticate later.
    func finish(_ effects: StripeEffects, caller: Caller) {
        for draft in effects.operations { context.operations.record(draft) }
        let webhooks = effects.events.map { event -> OutgoingWebhook in
            let envelope = StripeEvents.envelope(
                type: event.type, object: event.object, requestID: caller.requestID,
                idempotencyKey: caller.idempotencyKey)
            return OutgoingWebhook(
                provider: .stripe, accountID: effects.accountID, eventID: envelope.id, eventType: event.type,
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
    static func format(_ amount: Int64, _ currency: String) -> String {
        guard let code = Currency(code: currency) else { return String(amount) }
        return Money(minorUnits: amount, currency: code).majorUnitString + " " + code.code
    }
}
