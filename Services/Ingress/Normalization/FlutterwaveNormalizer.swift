import Contracts
import Foundation
import HTTP
import Shared

/// Flutterwave v3 webhooks: `{"event": "charge.completed", "event.type": "CARD_TRANSACTION", "data": {…}}`.
/// No event id (ingress dedupes on the body hash), no live/test flag. `data.amount` is a JSON number in
/// MAJOR units (`100.5` NGN): its literal text is converted exactly, never through floating point.
/// The `verif-hash` header proves only the shared secret, so ingress re-verifies every transaction.
///
/// Reads: charges `data.{id,tx_ref,amount,currency,status,processor_response,created_at}`; transfers
/// `data.{id,reference,amount,currency,status,complete_message,created_at}`. `charge.completed` is a
/// capture when `status` is `successful` and a failure when `failed`; `transfer.completed` is processed
/// when `SUCCESSFUL` and failed when `FAILED` (compared case-insensitively); other statuses are not
/// forwarded. `event.type` is not read: its key holds a dot, and `event` says all Coffer needs.
///
/// Coffer's own id (`cofferID`): charges `data.tx_ref`, transfers `data.reference`, both set by Coffer.
struct FlutterwaveNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let type = try top.eventType("event")
        let fact: ProviderFact?
        switch type {
        case "charge.completed":
            let data = try top.requiredObject("data")
            switch try data.string("status")?.lowercased() {
            case "successful": fact = try charge(.paymentCaptured, data)
            case "failed": fact = try charge(.paymentFailed, data)
            default: fact = nil
            }
        case "transfer.completed":
            let data = try top.requiredObject("data")
            switch try data.string("status")?.uppercased() {
            case "SUCCESSFUL": fact = try transfer(.payoutProcessed, data)
            case "FAILED": fact = try transfer(.payoutFailed, data)
            default: fact = nil
            }
        default:
            fact = nil
        }
        return NormalizedWebhook(providerEventID: nil, providerEventType: type, livemode: nil, event: fact)
    }

    private func charge(_ type: ProviderEventType, _ data: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try data.majorAmount("amount", currency: "currency")
        return ProviderFact(
            type: type, providerObjectID: try data.requiredNumberedIdentifier("id"),
            cofferID: try data.identifier("tx_ref"),
            amount: amount.minorUnits, currency: amount.currency, status: try data.text("status"),
            failureReason: type == .paymentFailed ? try data.text("processor_response") : nil,
            occurredAt: data.lenientTimestamp("created_at"))
    }

    private func transfer(_ type: ProviderEventType, _ data: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try data.majorAmount("amount", currency: "currency")
        return ProviderFact(
            type: type, providerObjectID: try data.requiredNumberedIdentifier("id"),
            cofferID: try data.identifier("reference"),
            amount: amount.minorUnits, currency: amount.currency, status: try data.text("status"),
            failureReason: type == .payoutFailed ? try data.text("complete_message") : nil,
            occurredAt: data.lenientTimestamp("created_at"))
    }
}
