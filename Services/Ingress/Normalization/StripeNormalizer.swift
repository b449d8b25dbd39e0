import Contracts
import Foundation
import HTTP
import Shared

/// Stripe events (`id` evt_…, `type`, `livemode`, `created` Unix seconds, the object in `data.object`).
///
/// Reads per object: payment intents `id`, `amount_received`/`amount_capturable`/`amount`, `currency`
/// (lowercase in Stripe), `status`, `last_payment_error.code`; charges `id`, `payment_intent`, `captured`,
/// `amount_captured`/`amount`, `failure_code`; refunds `id`, `amount`, `status`, `payment_intent`/`charge`,
/// `failure_reason`; payouts `id`, `amount`, `status`, `failure_code`; disputes `id`, `amount`,
/// `payment_intent`/`charge`, `reason` (carried as `failureReason`). Amounts are integer minor units,
/// zero-decimal currencies included.
///
/// Coffer's own id (`cofferID`) is the metadata Coffer set when it created the object:
/// `metadata.coffer_payment_id` (payment intents and charges), `metadata.coffer_refund_id` (refunds),
/// `metadata.coffer_payout_id` (payouts). Disputes carry none.
/// `charge.refunded` is not forwarded: the refund events carry the same fact per refund.
struct StripeNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let type = try top.eventType("type")
        let eventID = try top.requiredIdentifier("id")
        let livemode = try top.bool("livemode")
        let created = try top.unixSeconds("created")
        var fact = try self.fact(type: type, top: top)
        fact?.occurredAt = created
        return NormalizedWebhook(providerEventID: eventID, providerEventType: type, livemode: livemode, event: fact)
    }

    private func fact(type: String, top: BodyFields) throws(NormalizationError) -> ProviderFact? {
        switch type {
        case "payment_intent.succeeded":
            return try paymentIntent(.paymentCaptured, amount: "amount_received", top)
        case "payment_intent.amount_capturable_updated":
            return try paymentIntent(.paymentAuthorized, amount: "amount_capturable", top)
        case "payment_intent.payment_failed":
            return try paymentIntent(.paymentFailed, amount: "amount", top)
        case "charge.succeeded":
            // A charge made with capture_method=manual succeeds uncaptured: that is an authorization.
            let charge = try top.requiredObject("data.object")
            guard let captured = try charge.bool("captured") else { throw charge.missing("captured") }
            return try self.charge(captured ? .paymentCaptured : .paymentAuthorized, charge)
        case "charge.captured":
            return try charge(.paymentCaptured, top.requiredObject("data.object"))
        case "charge.failed":
            return try charge(.paymentFailed, top.requiredObject("data.object"))
        case "refund.created", "refund.updated", "charge.refund.updated":
            let refund = try top.requiredObject("data.object")
            switch try refund.string("status") {
            case "succeeded": return try self.refund(.refundSucceeded, refund)
            case "failed", "canceled": return try self.refund(.refundFailed, refund)
            default: return nil  // pending or requires_action: a later event settles it
            }
        case "refund.failed":
            return try refund(.refundFailed, top.requiredObject("data.object"))
        case "payout.paid":
            return try payout(.payoutProcessed, top.requiredObject("data.object"))
        case "payout.failed", "payout.canceled":
            return try payout(.payoutFailed, top.requiredObject("data.object"))
        case "charge.dispute.created":
            return try dispute(top.requiredObject("data.object"))
        default:
            return nil
        }
    }

    private func paymentIntent(_ type: ProviderEventType, amount amountKey: String, _ top: BodyFields)
        throws(NormalizationError) -> ProviderFact
    {
        let intent = try top.requiredObject("data.object")
        let amount = try intent.minorAmount(amountKey, currency: "currency")
        return ProviderFact(
            type: type, providerObjectID: try intent.requiredIdentifier("id"),
            cofferID: try intent.identifier("metadata.coffer_payment_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try intent.text("status"),
            failureReason: type == .paymentFailed ? try intent.text("last_payment_error.code") : nil)
    }

    /// The fact is about the payment intent when the charge belongs to one (Coffer tracks intents), with
    /// the charge id as the related object; a bare charge stands for itself.
    private func charge(_ type: ProviderEventType, _ charge: BodyFields) throws(NormalizationError) -> ProviderFact {
        let chargeID = try charge.requiredIdentifier("id")
        let intentID = try charge.identifier("payment_intent")
        let amountKey =
            type == .paymentCaptured && charge.value("amount_captured") != nil ? "amount_captured" : "amount"
        let amount = try charge.minorAmount(amountKey, currency: "currency")
        return ProviderFact(
            type: type, providerObjectID: intentID ?? chargeID,
            relatedProviderObjectID: intentID == nil ? nil : chargeID,
            cofferID: try charge.identifier("metadata.coffer_payment_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try charge.text("status"),
            failureReason: type == .paymentFailed ? try charge.text("failure_code") : nil)
    }

    private func refund(_ type: ProviderEventType, _ refund: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try refund.minorAmount("amount", currency: "currency")
        return ProviderFact(
            type: type, providerObjectID: try refund.requiredIdentifier("id"),
            relatedProviderObjectID: try refund.firstIdentifier("payment_intent", "charge"),
            cofferID: try refund.identifier("metadata.coffer_refund_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try refund.text("status"),
            failureReason: type == .refundFailed ? try refund.text("failure_reason") : nil)
    }

    /// A payout can report `paid` and later `failed` (Stripe documents this); both facts are forwarded and
    /// the payouts service decides what a late failure means.
    private func payout(_ type: ProviderEventType, _ payout: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try payout.minorAmount("amount", currency: "currency")
        return ProviderFact(
            type: type, providerObjectID: try payout.requiredIdentifier("id"),
            cofferID: try payout.identifier("metadata.coffer_payout_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try payout.text("status"),
            failureReason: type == .payoutFailed ? try payout.text("failure_code") : nil)
    }

    private func dispute(_ dispute: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try dispute.minorAmount("amount", currency: "currency")
        return ProviderFact(
            type: .disputeOpened, providerObjectID: try dispute.requiredIdentifier("id"),
            relatedProviderObjectID: try dispute.firstIdentifier("payment_intent", "charge"),
            amount: amount.minorUnits, currency: amount.currency, status: try dispute.text("status"),
            failureReason: try dispute.text("reason"))
    }
}
