import ProviderKit
import Shared

/// The body of `POST /v1/payments/payouts`: one batch with one item. `sender_batch_id` is the
/// idempotency key (PayPal refuses a second batch with the same id for 30 days); `sender_item_id` is
/// Coffer's payout id, which PayPal echoes on the item and in webhooks.
enum PayPalPayoutsBody {
    static let emailSubject = "You have a payout"

    static func json(_ request: ProviderPayoutRequest, senderBatchID: String) throws(ProviderError) -> JSONValue {
        guard case .paypal(let email) = request.destination else {
            throw ProviderError.invalid("destination_unsupported", "PayPal pays out to PayPal accounts only.")
        }
        guard !email.isEmpty else { throw ProviderError.invalid("invalid_destination", "The PayPal email is empty.") }
        var item: [String: JSONValue] = [
            "recipient_type": "EMAIL",
            // Major units, exact: never through floating point.
            "amount": [
                "value": .string(request.amount.majorUnitString), "currency": .string(request.amount.currency.code),
            ],
            "receiver": .string(email),
            "sender_item_id": .string(request.payoutID),
        ]
        if let note = request.sentNarration { item["note"] = .string(note) }
        return [
            "sender_batch_header": ["sender_batch_id": .string(senderBatchID), "email_subject": .string(emailSubject)],
            "items": [.object(item)],
        ]
    }
}
