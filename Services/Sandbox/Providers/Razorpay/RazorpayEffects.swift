import Foundation
import Shared

/// What one Razorpay state change causes: events (with the entities they carry), operations, and an
/// order now waiting for its customer. Collected under the lock, acted on after it.
struct RazorpayEffects: Sendable {
    var accountID: String
    /// The order the change is about (webhook reordering groups by it).
    var orderID: String
    var events: [(type: String, payload: [String: JSONValue])] = []
    var operations: [OperationDraft] = []
    var awaitsCustomer = false

    init(accountID: String, orderID: String) {
        self.accountID = accountID
        self.orderID = orderID
    }

    /// `payload` maps entity names (`payment`, `order`, `refund`) to the entity's JSON.
    mutating func event(_ type: String, _ payload: [String: JSONValue]) {
        events.append((type, payload))
    }

    mutating func operation(
        _ kind: OperationKind, objectID: String, relatedObjectID: String?, idempotencyKey: String? = nil,
        cofferID: String?, amount: Int64?, currency: String?
    ) {
        operations.append(
            OperationDraft(
                provider: .razorpay, kind: kind, accountID: accountID, objectID: objectID,
                relatedObjectID: relatedObjectID, idempotencyKey: idempotencyKey, cofferID: cofferID,
                amount: amount, currency: currency))
    }
}

/// Razorpay's webhook body: `{"entity":"event","event","contains":[…],"payload":{"payment":{"entity":{…}}},…}`.
/// The event id travels only in the `x-razorpay-event-id` header.
enum RazorpayEvents {
    static func envelope(type: String, payload: [String: JSONValue], accountID: String) -> (id: String, body: [UInt8]) {
        let id =
            "evt_"
            + ProviderIDs.random(14, from: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8))
        let order = ["payment_link", "payment", "order", "refund"]
        let contains = payload.keys.sorted { (order.firstIndex(of: $0) ?? 9) < (order.firstIndex(of: $1) ?? 9) }
        let body = JSONValue.object([
            "entity": "event", "account_id": .string(accountID), "event": .string(type),
            "contains": .array(contains.map(JSONValue.string)),
            "payload": .object(payload.mapValues { .object(["entity": $0]) }),
            "created_at": .int(Int64(Date().timeIntervalSince1970)),
        ])
        return (id, body.serialized())
    }
}
