import Contracts
import Foundation
import HTTP
import Shared

/// Generic inbound events signed per Standard Webhooks: `{"type", "timestamp", "data": {…}}`. The event id
/// is the `webhook-id` header (part of what was signed), not a body field. No live/test flag.
///
/// A `type` that is one of Coffer's own provider types, with or without the `provider.` prefix
/// (`payment.captured`, `provider.refund.failed`, …), is forwarded as that type; any other type is not.
/// Reads `data.object_id` (required), `data.related_object_id`, `data.coffer_id`, `data.amount` (integer
/// minor units), `data.currency`, `data.status`, `data.failure_reason`; `timestamp` is RFC 3339 (Unix
/// seconds are accepted too).
///
/// Coffer's own id (`cofferID`) is `data.coffer_id`: the sender is expected to echo Coffer's id there.
struct StandardWebhooksNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let type = try top.eventType("type")
        let eventID = try Self.eventID(headers)
        let unprefixed = type.hasPrefix("provider.") ? String(type.dropFirst("provider.".count)) : type
        guard let coffer = ProviderEventType(rawValue: "provider." + unprefixed) else {
            return NormalizedWebhook(providerEventID: eventID, providerEventType: type, livemode: nil, event: nil)
        }
        let data = try top.requiredObject("data")
        let amount = try data.minorAmount("amount", currency: "currency")
        let fact = ProviderFact(
            type: coffer, providerObjectID: try data.requiredIdentifier("object_id"),
            relatedProviderObjectID: try data.identifier("related_object_id"),
            cofferID: try data.identifier("coffer_id"),
            amount: amount.minorUnits, currency: amount.currency, status: try data.text("status"),
            failureReason: try data.text("failure_reason"), occurredAt: try Self.timestamp(top))
        return NormalizedWebhook(providerEventID: eventID, providerEventType: type, livemode: nil, event: fact)
    }

    private static func eventID(_ headers: HTTPHeaders) throws(NormalizationError) -> String? {
        guard let value = headers["webhook-id"], !value.isEmpty else { return nil }
        guard value.utf8.count <= BodyFields.maxIdentifierBytes else {
            throw NormalizationError("Header `webhook-id` is too long")
        }
        return value
    }

    private static func timestamp(_ top: BodyFields) throws(NormalizationError) -> Date? {
        if case .number? = top.value("timestamp") { return try top.unixSeconds("timestamp") }
        return try top.rfc3339("timestamp")
    }
}
