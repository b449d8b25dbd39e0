import Contracts
import Foundation
import HTTP
import Shared

/// Razorpay events (`event`, `created_at` Unix seconds, entities under `payload.<name>.entity`). The event
/// id is not in the body: it is the `x-razorpay-event-id` header (nil without it; ingress then dedupes on
/// the body hash). The body does not say live or test.
///
/// Reads `payload.payment.entity.{id,amount,currency,status,order_id,notes,error_code}`,
/// `payload.order.entity.{receipt,notes}`, `payload.refund.entity.{id,amount,currency,status,payment_id,notes}`,
/// `payload.payout.entity.{id,amount,currency,status,reference_id,failure_reason}` and
/// `payload.dispute.entity.{id,amount,currency,status,payment_id,reason_code}`. Amounts are integer paise
/// (minor units); currencies are uppercase codes. `notes` may arrive as `[]` when empty and then holds nothing.
///
/// Coffer's own id (`cofferID`): payments `notes.coffer_payment_id` on the payment, else on the order,
/// else the order's `receipt`; refunds `notes.coffer_refund_id`; payouts `reference_id`; disputes the
/// disputed payment's `notes.coffer_payment_id` when the payload includes the payment.
struct RazorpayNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let type = try top.eventType("event")
        let eventID = try Self.eventID(headers)
        let created = try top.unixSeconds("created_at")
        var fact = try self.fact(type: type, top: top)
        fact?.occurredAt = created
        return NormalizedWebhook(providerEventID: eventID, providerEventType: type, livemode: nil, event: fact)
    }

    private static func eventID(_ headers: HTTPHeaders) throws(NormalizationError) -> String? {
        guard let value = headers["x-razorpay-event-id"], !value.isEmpty else { return nil }
        guard value.utf8.count <= BodyFields.maxIdentifierBytes else {
            throw NormalizationError("Header `x-razorpay-event-id` is too long")
        }
        return value
    }

    private func fact(type: String, top: BodyFields) throws(NormalizationError) -> ProviderFact? {
        switch type {
        case "payment.authorized": return try payment(.paymentAuthorized, top)
        case "payment.captured", "order.paid": return try payment(.paymentCaptured, top)
        case "payment.failed": return try payment(.paymentFailed, top)
        case "refund.processed": return try refund(.refundSucceeded, top)
        case "refund.failed": return try refund(.refundFailed, top)
        case "payout.processed": return try payout(.payoutProcessed, top)
        case "payout.reversed": return try payout(.payoutReversed, top)
        case "payout.failed", "payout.rejected": return try payout(.payoutFailed, top)
        case "payment.dispute.created": return try dispute(top)
        // refund.created and payout.queued/initiated/pending/updated are steps, not outcomes.
        default: return nil
        }
    }

    /// `order.paid` carries both the payment and the order: the fact is about the payment captured.
    private func payment(_ type: ProviderEventType, _ top: BodyFields) throws(NormalizationError) -> ProviderFact {
        let payment = try top.requiredObject("payload.payment.entity")
        let order = try top.object("payload.order.entity")
        let amount = try payment.minorAmount("amount", currency: "currency")
        var cofferID = try payment.identifier("notes.coffer_payment_id")
        if cofferID == nil, let order { cofferID = try order.firstIdentifier("notes.coffer_payment_id", "receipt") }
        return ProviderFact(
            type: type, providerObjectID: try payment.requiredIdentifier("id"),
            relatedProviderObjectID: try payment.identifier("order_id"), cofferID: cofferID,
            amount: amount.minorUnits, currency: amount.currency, status: try payment.text("status"),
            failureReason: type == .paymentFailed ? try payment.text("error_code") : nil)
    }

    private func refund(_ type: ProviderEventType, _ top: BodyFields) throws(NormalizationError) -> ProviderFact {
        let refund = try top.requiredObject("payload.refund.entity")
        let amount = try refund.minorAmount("amount", currency: "currency")
        return ProviderFact(
            type: type, providerObjectID: try refund.requiredIdentifier("id"),
            relatedProviderObjectID: try refund.identifier("payment_id"),
            cofferID: try refund.identifier("notes.coffer_refund_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try refund.text("status"))
    }

    private func payout(_ type: ProviderEventType, _ top: BodyFields) throws(NormalizationError) -> ProviderFact {
        let payout = try top.requiredObject("payload.payout.entity")
        let amount = try payout.minorAmount("amount", currency: "currency")
        let failureReason = type == .payoutFailed ? try payout.text("failure_reason") : nil
        return ProviderFact(
            type: type, providerObjectID: try payout.requiredIdentifier("id"),
            cofferID: try payout.identifier("reference_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try payout.text("status"),
            failureReason: failureReason)
    }

    private func dispute(_ top: BodyFields) throws(NormalizationError) -> ProviderFact {
        let dispute = try top.requiredObject("payload.dispute.entity")
        let payment = try top.object("payload.payment.entity")
        let amount = try dispute.minorAmount("amount", currency: "currency")
        var paymentID = try dispute.identifier("payment_id")
        if paymentID == nil, let payment { paymentID = try payment.identifier("id") }
        return ProviderFact(
            type: .disputeOpened, providerObjectID: try dispute.requiredIdentifier("id"),
            relatedProviderObjectID: paymentID,
            cofferID: try payment?.identifier("notes.coffer_payment_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try dispute.text("status"),
            failureReason: try dispute.text("reason_code"))
    }
}
