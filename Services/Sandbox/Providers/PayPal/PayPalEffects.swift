import Foundation
import Shared

/// What one PayPal state change causes: events, operations, and an order now awaiting its payer.
struct PayPalEffects: Sendable {
    var accountID: String
    /// The order the change is about (webhook reordering groups by it).
    var orderID: String
    var events: [(type: String, resourceType: String, summary: String, resource: JSONValue)] = []
    var operations: [OperationDraft] = []
    var awaitsPayer = false

    init(accountID: String, orderID: String) {
        self.accountID = accountID
        self.orderID = orderID
    }

    mutating func event(_ type: String, resourceType: String, summary: String, _ resource: JSONValue) {
        events.append((type, resourceType, summary, resource))
    }

    mutating func operation(
        _ kind: OperationKind, objectID: String, relatedObjectID: String?, idempotencyKey: String?,
        cofferID: String?, amount: Money
    ) {
        operations.append(
            OperationDraft(
                provider: .paypal, kind: kind, accountID: accountID, objectID: objectID,
                relatedObjectID: relatedObjectID, idempotencyKey: idempotencyKey, cofferID: cofferID,
                amount: amount.minorUnits, currency: amount.currency.code))
    }
}

/// PayPal's webhook event: `{"id":"WH-…","event_type","resource_type","summary","resource":{…},…}`.
enum PayPalEvents {
    static func envelope(
        type: String, resourceType: String, summary: String, resource: JSONValue,
        base: String
    ) -> (id: String, body: [UInt8]) {
        let id = ProviderIDs.paypalEvent()
        let body = JSONValue.object([
            "id": .string(id), "event_version": "1.0", "create_time": .string(Timestamp.rfc3339(Date())),
            "resource_type": .string(resourceType), "resource_version": "2.0", "event_type": .string(type),
            "summary": .string(summary), "resource": resource,
            "links": .array([
                PayPalLinks.link(base + "/v1/notifications/webhooks-events/" + id, rel: "self"),
                PayPalLinks.link(
                    base + "/v1/notifications/webhooks-events/" + id + "/resend", rel: "resend", method: "POST"),
            ]),
        ])
        return (id, body.serialized())
    }
}
