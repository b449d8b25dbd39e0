import Contracts
import Foundation
import HTTP
import Shared

/// PayPal webhook events (`id` WH-…, `event_type`, `create_time` RFC 3339, the object in `resource`).
/// Amounts are decimal strings in MAJOR units (`{"value": "10.50", "currency_code": "USD"}`; payout items
/// say `currency`), converted exactly. The body does not say live or sandbox.
///
/// Reads: captures `resource.{id,amount,status,custom_id,supplementary_data.related_ids.order_id,
/// status_details.reason}`; refunds and reversals `resource.{id,amount,status,custom_id,invoice_id,links}`
/// (the capture id is the last path segment of the `rel: "up"` link); orders `resource.{id,status,
/// purchase_units.0.{amount,custom_id,reference_id}}`; payout items `resource.{payout_item_id,
/// transaction_status,payout_item.{amount,sender_item_id},errors.name}`; disputes `resource.{dispute_id,
/// status,reason,dispute_amount,disputed_transactions.0.seller_transaction_id}`.
///
/// Coffer's own id (`cofferID`): captures `custom_id`; refunds `custom_id`, else `invoice_id`; orders
/// `purchase_units[0].custom_id`, else its `reference_id` unless PayPal's placeholder `default`; payout
/// items `payout_item.sender_item_id`; reversals the capture's `custom_id` echoed on the resource.
///
/// A PAYMENT.CAPTURE.REFUNDED refund with status COMPLETED (or none) succeeded, FAILED/CANCELLED failed,
/// anything else (PENDING) is not forwarded yet.
/// Payout items: SUCCEEDED is processed; FAILED, BLOCKED, DENIED and CANCELED are terminal failures (the
/// money never reached the receiver and is back with the sender); RETURNED (unclaimed for 30 days),
/// REFUNDED (the receiver sent it back) and REVERSED undo a delivered payout. UNCLAIMED and HELD are not
/// forwarded: the receiver can still claim, PayPal can still release, and a later event settles them.
struct PayPalNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let type = try top.eventType("event_type")
        let eventID = try top.requiredIdentifier("id")
        let created = try top.rfc3339("create_time")
        var fact = try self.fact(type: type, top: top)
        fact?.occurredAt = created
        return NormalizedWebhook(providerEventID: eventID, providerEventType: type, livemode: nil, event: fact)
    }

    private func fact(type: String, top: BodyFields) throws(NormalizationError) -> ProviderFact? {
        switch type {
        case "PAYMENT.CAPTURE.COMPLETED":
            return try capture(.paymentCaptured, top.requiredObject("resource"))
        case "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.DECLINED":
            return try capture(.paymentFailed, top.requiredObject("resource"))
        case "PAYMENT.CAPTURE.REFUNDED":
            // The resource is the refund; its own status says whether the money went back yet.
            let refund = try top.requiredObject("resource")
            switch try refund.string("status") {
            case "COMPLETED", nil: return try self.refund(.refundSucceeded, refund)
            case "FAILED", "CANCELLED": return try self.refund(.refundFailed, refund)
            default: return nil
            }
        case "PAYMENT.CAPTURE.REVERSED":
            return try reversal(top.requiredObject("resource"))
        case "CHECKOUT.ORDER.APPROVED":
            return try order(.paymentAuthorized, top.requiredObject("resource"))
        case "CHECKOUT.ORDER.COMPLETED":
            return try order(.paymentCaptured, top.requiredObject("resource"))
        case "PAYMENT.PAYOUTS-ITEM.SUCCEEDED":
            return try payoutItem(.payoutProcessed, top.requiredObject("resource"))
        case "PAYMENT.PAYOUTS-ITEM.FAILED", "PAYMENT.PAYOUTS-ITEM.BLOCKED", "PAYMENT.PAYOUTS-ITEM.DENIED",
            "PAYMENT.PAYOUTS-ITEM.CANCELED":
            return try payoutItem(.payoutFailed, top.requiredObject("resource"))
        case "PAYMENT.PAYOUTS-ITEM.RETURNED", "PAYMENT.PAYOUTS-ITEM.REFUNDED", "PAYMENT.PAYOUTS-ITEM.REVERSED":
            return try payoutItem(.payoutReversed, top.requiredObject("resource"))
        case "CUSTOMER.DISPUTE.CREATED":
            return try dispute(top.requiredObject("resource"))
        // PAYMENT.CAPTURE.PENDING, PAYMENT.PAYOUTS-ITEM.UNCLAIMED/HELD and the rest settle later.
        default:
            return nil
        }
    }

    private func capture(_ type: ProviderEventType, _ capture: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try Self.amount(capture, "amount")
        return ProviderFact(
            type: type, providerObjectID: try capture.requiredIdentifier("id"),
            relatedProviderObjectID: try capture.identifier("supplementary_data.related_ids.order_id"),
            cofferID: try capture.identifier("custom_id"), amount: amount.minorUnits, currency: amount.currency,
            status: try capture.text("status"),
            failureReason: type == .paymentFailed ? try capture.text("status_details.reason") : nil)
    }

    private func refund(_ type: ProviderEventType, _ refund: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try Self.amount(refund, "amount")
        return ProviderFact(
            type: type, providerObjectID: try refund.requiredIdentifier("id"),
            relatedProviderObjectID: Self.captureID(refund),
            cofferID: try refund.firstIdentifier("custom_id", "invoice_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try refund.text("status"))
    }

    /// A reversal (a chargeback or PayPal taking the money back) is a dispute Coffer must see.
    private func reversal(_ reversal: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try Self.amount(reversal, "amount")
        return ProviderFact(
            type: .disputeOpened, providerObjectID: try reversal.requiredIdentifier("id"),
            relatedProviderObjectID: Self.captureID(reversal), cofferID: try reversal.identifier("custom_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try reversal.text("status"))
    }

    private func order(_ type: ProviderEventType, _ order: BodyFields) throws(NormalizationError) -> ProviderFact {
        let orderID = try order.requiredIdentifier("id")
        let unit = try order.object("purchase_units.0")
        let amount = try unit.map { (unit: BodyFields) throws(NormalizationError) in try Self.amount(unit, "amount") }
        var cofferID = try unit?.identifier("custom_id")
        if cofferID == nil, let reference = try unit?.identifier("reference_id"), reference != "default" {
            cofferID = reference
        }
        return ProviderFact(
            type: type, providerObjectID: orderID, cofferID: cofferID, amount: amount?.minorUnits,
            currency: amount?.currency, status: try order.text("status"))
    }

    private func payoutItem(_ type: ProviderEventType, _ item: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try Self.amount(item, "payout_item.amount")
        return ProviderFact(
            type: type, providerObjectID: try item.requiredIdentifier("payout_item_id"),
            cofferID: try item.identifier("payout_item.sender_item_id"), amount: amount.minorUnits,
            currency: amount.currency, status: try item.text("transaction_status"),
            failureReason: type == .payoutFailed ? try item.text("errors.name") : nil)
    }

    private func dispute(_ dispute: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try Self.amount(dispute, "dispute_amount")
        return ProviderFact(
            type: .disputeOpened, providerObjectID: try dispute.requiredIdentifier("dispute_id"),
            relatedProviderObjectID: try dispute.identifier("disputed_transactions.0.seller_transaction_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try dispute.text("status"),
            failureReason: try dispute.text("reason"))
    }

    /// PayPal's money object: `value` in major units with `currency_code` (`currency` on payout items).
    private static func amount(_ object: BodyFields, _ key: String) throws(NormalizationError) -> FactAmount {
        guard let money = try object.object(key) else { return .none }
        let currencyKey = money.value("currency_code") != nil ? "currency_code" : "currency"
        return try money.majorAmount("value", currency: currencyKey)
    }

    /// The capture a refund or reversal belongs to: the last path segment of its `rel: "up"` link
    /// (`…/v2/payments/captures/<id>`). Links are advisory, so an odd one yields nil, not an error.
    private static func captureID(_ resource: BodyFields) -> String? {
        guard let links = resource.value("links")?.arrayValue else { return nil }
        for link in links where link["rel"]?.stringValue == "up" {
            guard let href = link["href"]?.stringValue else { continue }
            let path = href.split(separator: "?", maxSplits: 1).first ?? ""
            let segments = path.split(separator: "/")
            guard segments.count >= 2, segments[segments.count - 2] == "captures", let last = segments.last,
                last.utf8.count <= BodyFields.maxIdentifierBytes
            else { continue }
            return String(last)
        }
        return nil
    }
}
