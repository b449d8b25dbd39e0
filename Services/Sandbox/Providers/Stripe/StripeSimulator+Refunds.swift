import Foundation
import Shared
import Synchronization

/// Refunds of captured PaymentIntents: never more than was captured minus what was refunded.
extension StripeSimulator {
    func createRefund(_ form: StripeForm, caller: Caller) throws(StripeError) -> StripeRefund {
        let intentID = form.value("payment_intent")
        let chargeParameter = form.value("charge")
        guard intentID != nil || chargeParameter != nil else {
            throw .invalidRequest(
                "One of the following params should be provided for this request: payment_intent or charge.")
        }
        let requested = try form.integer("amount")
        if let requested, requested < 1 {
            throw .invalidRequest(
                "This value must be greater than or equal to 1.", code: "parameter_invalid_integer", param: "amount")
        }
        let reason = form.value("reason")
        if let reason,
            !["duplicate", "fraudulent", "requested_by_customer", "expired_uncaptured_charge"].contains(reason)
        {
            throw .invalidRequest(
                "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
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
                throw .invalidRequest(
                    "This PaymentIntent does not have a successful charge to refund.",
                    code: "charge_not_refundable", param: intentID == nil ? "charge" : "payment_intent")
            }
            let remaining = charge.amountCaptured - charge.amountRefunded
            guard remaining > 0 else {
                throw .invalidRequest("Charge \(chargeID) has already been refunded.", code: "charge_already_refunded")
            }
            let amount = requested ?? remaining
            guard amount <= remaining else {
                throw .invalidRequest(
                    "Refund amount (\(Self.format(amount, charge.currency))) is greater than unrefunded amount "
                        + "on charge (\(Self.format(remaining, charge.currency)))", code: "amount_too_large",
                    param: "amount")
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
            effects.operation(
                .refund, objectID: refund.id, relatedObjectID: intent.id, idempotencyKey: caller.idempotencyKey,
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
}
