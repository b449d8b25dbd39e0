import Contracts
import Foundation
import HTTP
import Shared

/// iKhokha iK Pay payment-link callbacks: `{"paylinkID", "status": "SUCCESS"|"FAILURE", "externalTransactionID",
/// "responseCode"}`, optionally with `amount` and `currency`. No event id (ingress dedupes on the body hash),
/// no type word (the `status` stands in for it, verbatim), no live/test flag. The callback proves nothing:
/// ingress confirms it through `getStatus/{paylinkID}` before anything acts on it.
///
/// `amount`, when present, is integer cents like the `amount` Coffer sends when it creates the link
/// (iKhokha's API examples send `10000` for R100.00); the currency is ZAR unless the body names another.
/// Status words are compared case-insensitively; FAILURE and FAILED are failures (with `responseCode` as
/// the reason unless it is the "processed" code `00`), anything else (pending, unknown) is not forwarded.
///
/// Coffer's own id (`cofferID`) is `externalTransactionID`, which Coffer sets when it creates the link;
/// the provider object is the paylink (`paylinkID`).
struct IKhokhaNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let status = try top.eventType("status")
        let type: ProviderEventType?
        switch status.uppercased() {
        case "SUCCESS": type = .paymentCaptured
        case "FAILURE", "FAILED": type = .paymentFailed
        default: type = nil
        }
        guard let type else {
            return NormalizedWebhook(providerEventID: nil, providerEventType: status, livemode: nil, event: nil)
        }
        let amount = try top.minorAmount("amount", currency: "currency", fallback: .zar)
        // "00" is iKhokha's "request processed" code, which says nothing about why a payment failed.
        let responseCode = try top.text("responseCode")
        let fact = ProviderFact(
            type: type, providerObjectID: try top.requiredIdentifier("paylinkID"),
            cofferID: try top.identifier("externalTransactionID"), amount: amount.minorUnits,
            currency: amount.currency, status: BodyFields.bounded(status),
            failureReason: type == .paymentFailed && responseCode != "00" ? responseCode : nil)
        return NormalizedWebhook(providerEventID: nil, providerEventType: status, livemode: nil, event: fact)
    }
}
