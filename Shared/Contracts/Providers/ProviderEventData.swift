import Foundation
import Shared

/// The `data` of a `provider.*` event: one provider fact in Coffer's terms, whatever provider said it.
public struct ProviderEventData: Codable, Sendable, Equatable {
    public var provider: String
    /// The provider's own event id, when it has one.
    public var providerEventID: String?
    /// The provider's own type (`payment_intent.succeeded`, `PAYMENT.CAPTURE.COMPLETED`, …).
    public var providerEventType: String
    /// `payment`, `refund`, `payout` or `dispute`.
    public var objectType: String
    /// The provider's id of the object (payment intent, capture, refund, payout, dispute).
    public var providerObjectID: String
    /// The provider's id of the related payment (for refunds and disputes), when given.
    public var relatedProviderObjectID: String?
    /// Coffer's own id, when the provider echoed our reference or metadata back (each normalizer
    /// documents which field carries it).
    public var cofferID: String?
    /// Minor units of `currency` (exactly converted from major-unit strings where the provider sends those).
    public var amount: Int64?
    /// Uppercase ISO 4217.
    public var currency: String?
    /// The provider's status word, verbatim.
    public var status: String?
    public var failureReason: String?
    public var livemode: Bool
    /// The callback proved nothing about its body: confirm through the provider's status API first.
    public var needsConfirmation: Bool
    public var connectorID: String
    public var occurredAt: Date

    public init(
        provider: String, providerEventID: String?, providerEventType: String, objectType: String,
        providerObjectID: String, relatedProviderObjectID: String? = nil, cofferID: String? = nil,
        amount: Int64? = nil, currency: String? = nil, status: String? = nil, failureReason: String? = nil,
        livemode: Bool, needsConfirmation: Bool, connectorID: String, occurredAt: Date
    ) {
        self.provider = provider
        self.providerEventID = providerEventID
        self.providerEventType = providerEventType
        self.objectType = objectType
        self.providerObjectID = providerObjectID
        self.relatedProviderObjectID = relatedProviderObjectID
        self.cofferID = cofferID
        self.amount = amount
        self.currency = currency
        self.status = status
        self.failureReason = failureReason
        self.livemode = livemode
        self.needsConfirmation = needsConfirmation
        self.connectorID = connectorID
        self.occurredAt = occurredAt
    }

    /// The same as JSON bytes in a fixed key order, written directly (this runs for every webhook,
    /// so it skips building a `JSONValue`). `jsonValue.serialized()` gives the same document.
    public func writeJSON(into writer: inout JSONWriter) {
        func text(_ value: String?) { if let value { writer.string(value) } else { writer.null() } }
        writer.raw("{\"amount\":")
        if let amount { writer.int(amount) } else { writer.null() }
        writer.raw(",\"coffer_id\":")
        text(cofferID)
        writer.raw(",\"connector_id\":")
        writer.string(connectorID)
        writer.raw(",\"currency\":")
        text(currency)
        writer.raw(",\"failure_reason\":")
        text(failureReason)
        writer.raw(",\"livemode\":")
        writer.bool(livemode)
        writer.raw(",\"needs_confirmation\":")
        writer.bool(needsConfirmation)
        writer.raw(",\"object_type\":")
        writer.string(objectType)
        writer.raw(",\"occurred_at\":")
        writer.string(Timestamp.rfc3339Milliseconds(occurredAt))
        writer.raw(",\"provider\":")
        writer.string(provider)
        writer.raw(",\"provider_event_id\":")
        text(providerEventID)
        writer.raw(",\"provider_event_type\":")
        writer.string(providerEventType)
        writer.raw(",\"provider_object_id\":")
        writer.string(providerObjectID)
        writer.raw(",\"related_provider_object_id\":")
        text(relatedProviderObjectID)
        writer.raw(",\"status\":")
        text(status)
        writer.raw("}")
    }

    /// The same, as an exact JSON value.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "provider": .string(provider), "provider_event_type": .string(providerEventType),
            "object_type": .string(objectType), "provider_object_id": .string(providerObjectID),
            "livemode": .bool(livemode), "needs_confirmation": .bool(needsConfirmation),
            "connector_id": .string(connectorID), "occurred_at": .string(Timestamp.rfc3339Milliseconds(occurredAt)),
        ]
        object["provider_event_id"] = providerEventID.map(JSONValue.string) ?? .null
        object["related_provider_object_id"] = relatedProviderObjectID.map(JSONValue.string) ?? .null
        object["coffer_id"] = cofferID.map(JSONValue.string) ?? .null
        object["amount"] = amount.map { JSONValue.int($0) } ?? .null
        object["currency"] = currency.map(JSONValue.string) ?? .null
        object["status"] = status.map(JSONValue.string) ?? .null
        object["failure_reason"] = failureReason.map(JSONValue.string) ?? .null
        return .object(object)
    }
}
