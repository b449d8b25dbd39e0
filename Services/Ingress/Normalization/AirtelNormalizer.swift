import Contracts
import Foundation
import HTTP
import Shared

/// Airtel Money collection callbacks: `{"transaction": {"id", "message", "status_code", "airtel_money_id"}}`
/// (plus a `hash` when callback authentication is on, which this does not read). No event id (ingress
/// dedupes on the body hash), no amount, no live/test flag; `status_code` is the type word, verbatim.
///
/// TS (success) is a capture; TF (failed) and TE (expired: the customer never approved) are failures, with
/// `message` as the reason. TA (ambiguous) and TIP (in progress) are not forwarded: only Transaction
/// Enquiry can settle them, and ingress confirms every Airtel callback that way anyway.
///
/// Coffer's own id (`cofferID`) is `transaction.id`, the merchant reference Coffer sent; the provider
/// object is `airtel_money_id` when Airtel assigned one, else that same `id`.
struct AirtelNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let transaction = try top.requiredObject("transaction")
        let code = try transaction.eventType("status_code")
        let type: ProviderEventType?
        switch code {
        case "TS": type = .paymentCaptured
        case "TF", "TE": type = .paymentFailed
        default: type = nil
        }
        guard let type else {
            return NormalizedWebhook(providerEventID: nil, providerEventType: code, livemode: nil, event: nil)
        }
        let reference = try transaction.identifier("id")
        guard let objectID = try transaction.identifier("airtel_money_id") ?? reference else {
            throw transaction.missing("id")
        }
        let fact = ProviderFact(
            type: type, providerObjectID: objectID, cofferID: reference, status: code,
            failureReason: type == .paymentFailed ? try transaction.text("message") : nil)
        return NormalizedWebhook(providerEventID: nil, providerEventType: code, livemode: nil, event: fact)
    }
}
