import Foundation
import Shared

/// What one Stripe state change causes beyond itself: events to send, operations to record, and a
/// PaymentIntent that now waits for its customer. Collected under the simulator's lock, acted on
/// after it is released.
struct StripeEffects: Sendable {
    var accountID: String
    /// The PaymentIntent (or transfer) the change is about (webhook reordering groups by it).
    var intentID: String
    var events: [(type: String, object: JSONValue)] = []
    var operations: [OperationDraft] = []
    /// Set when the intent now requires 3-D Secure: the simulated customer completes it later.
    var awaitsAuthentication = false

    init(accountID: String, intentID: String) {
        self.accountID = accountID
        self.intentID = intentID
    }

    mutating func event(_ type: String, _ object: JSONValue) {
        events.append((type, object))
    }

    mutating func operation(
        _ kind: OperationKind, objectID: String, relatedObjectID: String? = nil, idempotencyKey: String?,
        cofferID: String?, amount: Int64?, currency: String?
    ) {
        operations.append(
            OperationDraft(
                provider: .stripe, kind: kind, accountID: accountID, objectID: objectID,
                relatedObjectID: relatedObjectID, idempotencyKey: idempotencyKey, cofferID: cofferID,
                amount: amount, currency: currency))
    }
}

/// Stripe's event envelope: `{"id":"evt_…","object":"event","type",…,"data":{"object":{…}}}`.
enum StripeEvents {
    static func envelope(type: String, object: JSONValue, requestID: String?, idempotencyKey: String?) -> (
        id: String, body: [UInt8]
    ) {
        let id = ProviderIDs.stripe("evt")
        let body = JSONValue.object([
            "id": .string(id), "object": "event", "api_version": .string(StripeResponse.apiVersion),
            "created": .int(Int64(Date().timeIntervalSince1970)), "data": .object(["object": object]),
            "livemode": false,
            "pending_webhooks": 1,
            "request": .object([
                "id": requestID.map(JSONValue.string) ?? .null,
                "idempotency_key": idempotencyKey.map(JSONValue.string) ?? .null,
            ]),
            "type": .string(type),
        ])
        return (id, body.serialized())
    }
}
