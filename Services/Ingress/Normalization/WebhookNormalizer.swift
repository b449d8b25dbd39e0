import Contracts
import Foundation
import HTTP
import Shared

/// What one verified webhook says, read by its provider's normalizer.
struct NormalizedWebhook: Sendable, Equatable {
    /// The provider's own event id (deduplication key); nil when the provider sends none, in which
    /// case ingress deduplicates on the SHA-256 of the body.
    var providerEventID: String?
    /// The provider's own type word, verbatim ("payment_intent.succeeded", "PAYMENT.CAPTURE.COMPLETED").
    var providerEventType: String
    /// Whether the payload says it is live (nil when it does not say; the connector's mode decides).
    var livemode: Bool?
    /// The fact in Coffer's terms; nil for types Coffer does not forward (stored, acknowledged, counted).
    var event: ProviderFact?
}

/// A provider fact before ingress adds what it knows (connector, mode, confirmation need).
struct ProviderFact: Sendable, Equatable {
    var type: ProviderEventType
    var providerObjectID: String
    var relatedProviderObjectID: String? = nil
    var cofferID: String? = nil
    var amount: Int64? = nil
    var currency: String? = nil
    var status: String? = nil
    var failureReason: String? = nil
    var occurredAt: Date? = nil
}

/// Reads one provider's webhook bodies. Pure: no I/O, no clock; given the same body, the same answer.
protocol WebhookNormalizer: Sendable {
    /// `headers` matter for providers that put the event id there (Razorpay's `x-razorpay-event-id`).
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook
}

/// A body that does not have the shape its provider documents (answered 400 `malformed_payload`).
/// The message names the missing or invalid field, never its value.
struct NormalizationError: Error, Sendable, Equatable, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
