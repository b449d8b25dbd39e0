import Contracts
import Foundation
import HTTP
import Shared

/// MTN MoMo callbacks: the final state of a Collections request-to-pay (`payer` present) or a Disbursements
/// transfer (`payee` present), PUT or POSTed once to the `X-Callback-Url` Coffer gave:
/// `{"financialTransactionId", "externalId", "amount", "currency", "payer"|"payee", "payerMessage",
/// "payeeNote", "status": "SUCCESSFUL"|"FAILED"|"PENDING", "reason"}`.
///
/// No event id (ingress dedupes on the body hash), no type word (`status` stands in for it, verbatim), no
/// live/test flag. `amount` is a string in MAJOR units, converted exactly in `currency`. `reason` is a
/// string or an object `{code, message}` and becomes `failureReason`. REJECTED and TIMEOUT, which some
/// MoMo products report, are failures too; PENDING and unknown words are not forwarded. The callback
/// proves nothing: ingress confirms it through the request-to-pay or transfer status endpoint.
///
/// Coffer's own id (`cofferID`) is `externalId`, which Coffer sets on the request; the provider object is
/// `financialTransactionId` when MTN assigned one (failed requests often lack it), else `externalId`.
struct MTNNormalizer: WebhookNormalizer {
    /// The currency when the body names none: nil for MTN (which always names it); Zambian kwacha for
    /// Zamtel, which reuses this shape.
    var defaultCurrency: Currency? = nil

    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let status = try top.eventType("status")
        let succeeded: Bool
        switch status.uppercased() {
        case "SUCCESSFUL": succeeded = true
        case "FAILED", "REJECTED", "TIMEOUT": succeeded = false
        default: return NormalizedWebhook(providerEventID: nil, providerEventType: status, livemode: nil, event: nil)
        }
        // The party tells a collection (money in from the payer) from a disbursement (money out to the payee).
        let type: ProviderEventType
        if try top.object("payer") != nil {
            type = succeeded ? .paymentCaptured : .paymentFailed
        } else if try top.object("payee") != nil {
            type = succeeded ? .payoutProcessed : .payoutFailed
        } else {
            throw NormalizationError("`payer` and `payee` are both missing")
        }
        let externalID = try top.identifier("externalId")
        guard let objectID = try top.identifier("financialTransactionId") ?? externalID else {
            throw top.missing("financialTransactionId")
        }
        let amount = try top.majorAmount("amount", currency: "currency", fallback: defaultCurrency)
        let fact = ProviderFact(
            type: type, providerObjectID: objectID, cofferID: externalID, amount: amount.minorUnits,
            currency: amount.currency, status: BodyFields.bounded(status),
            failureReason: succeeded ? nil : try Self.reason(top))
        return NormalizedWebhook(providerEventID: nil, providerEventType: status, livemode: nil, event: fact)
    }

    private static func reason(_ top: BodyFields) throws(NormalizationError) -> String? {
        switch top.value("reason") {
        case nil: return nil
        case .string?: return try top.text("reason")
        case .object?:
            if let code = try top.text("reason.code") { return code }
            return try top.text("reason.message")
        default: throw top.invalid("reason", "is not a string or an object")
        }
    }
}
