import Contracts
import Foundation
import HTTP
import Shared

/// Paystack events: `{"event": "charge.success", "data": {…}}` where `data` mirrors the REST resource.
/// No event id in the body (ingress dedupes on the body hash); `data.domain` says `live` or `test`.
/// Amounts are integer minor units (kobo, pesewas, cents).
///
/// Reads: transactions `data.{id,reference,amount,currency,status,gateway_response,paid_at}`; transfers
/// `data.{transfer_code,id,reference,amount,currency,status,updated_at}`; refunds `data.{id,refund_reference,
/// transaction_reference,transaction.reference,amount,currency,status,merchant_note}`; disputes
/// `data.{id,status,currency,transaction.{id,reference,amount,currency}}`. Refund notifications may carry
/// `amount` as a digit string (their published example could not be confirmed either way), so refunds
/// accept that form too, read exactly as minor units.
///
/// Coffer's own id (`cofferID`): transactions and transfers `data.reference`, which Coffer sets when it
/// initializes them; disputes the disputed transaction's `reference` (the payment's Coffer id); refunds
/// `data.merchant_note` only when it is exactly a Coffer refund id (`re_…`), since Coffer passes its id
/// there but Paystack fills the note with free text ("Refund for transaction …") when none was given.
struct PaystackNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        let type = try top.eventType("event")
        let livemode: Bool? =
            switch try top.string("data.domain") {
            case "live": true
            case "test": false
            default: nil
            }
        let fact: ProviderFact?
        switch type {
        case "charge.success": fact = try charge(top.requiredObject("data"))
        case "transfer.success": fact = try transfer(.payoutProcessed, top.requiredObject("data"))
        case "transfer.failed": fact = try transfer(.payoutFailed, top.requiredObject("data"))
        case "transfer.reversed": fact = try transfer(.payoutReversed, top.requiredObject("data"))
        case "refund.processed": fact = try refund(.refundSucceeded, top.requiredObject("data"))
        case "refund.failed": fact = try refund(.refundFailed, top.requiredObject("data"))
        case "charge.dispute.create": fact = try dispute(top.requiredObject("data"))
        // refund.pending/processing, charge.dispute.remind/resolve, subscriptions, invoices: not forwarded.
        default: fact = nil
        }
        return NormalizedWebhook(providerEventID: nil, providerEventType: type, livemode: livemode, event: fact)
    }

    private func charge(_ data: BodyFields) throws(NormalizationError) -> ProviderFact {
        let amount = try data.minorAmount("amount", currency: "currency")
        return ProviderFact(
            type: .paymentCaptured, providerObjectID: try data.requiredNumberedIdentifier("id"),
            cofferID: try data.identifier("reference"), amount: amount.minorUnits, currency: amount.currency,
            status: try data.text("status"), occurredAt: data.lenientTimestamp("paid_at"))
    }

    private func transfer(_ type: ProviderEventType, _ data: BodyFields) throws(NormalizationError) -> ProviderFact {
        var transferID = try data.identifier("transfer_code")
        if transferID == nil { transferID = try data.numberedIdentifier("id") }
        guard let transferID else { throw data.missing("transfer_code") }
        let amount = try data.minorAmount("amount", currency: "currency")
        return ProviderFact(
            type: type, providerObjectID: transferID, cofferID: try data.identifier("reference"),
            amount: amount.minorUnits, currency: amount.currency, status: try data.text("status"),
            occurredAt: data.lenientTimestamp("updated_at"))
    }

    private func refund(_ type: ProviderEventType, _ data: BodyFields) throws(NormalizationError) -> ProviderFact {
        var refundID = try data.numberedIdentifier("id")
        if refundID == nil { refundID = try data.identifier("refund_reference") }
        guard let refundID else { throw data.missing("id") }
        let currency = try data.currency("currency")
        let amount = try Self.refundAmount(data)
        if amount != nil && currency == nil { throw data.missing("currency") }
        var cofferID: String?
        if let note = try data.string("merchant_note"), CofferID.isValid(note, prefix: .refund) { cofferID = note }
        return ProviderFact(
            type: type, providerObjectID: refundID,
            relatedProviderObjectID: try data.firstIdentifier("transaction_reference", "transaction.reference"),
            cofferID: cofferID, amount: amount, currency: currency?.code, status: try data.text("status"))
    }

    /// A refund amount as an integer or a string of decimal digits, both exact minor units.
    private static func refundAmount(_ data: BodyFields) throws(NormalizationError) -> Int64? {
        guard case .string(let text)? = data.value("amount") else { return try data.minorUnits("amount") }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }), let amount = Int64(text) else {
            throw data.invalid("amount", "is not an integer amount in minor units")
        }
        return amount
    }

    private func dispute(_ data: BodyFields) throws(NormalizationError) -> ProviderFact {
        let transaction = try data.object("transaction")
        var amount = try data.minorAmount("amount", currency: "currency")
        if amount.minorUnits == nil, let transaction {
            amount = try transaction.minorAmount("amount", currency: "currency")
        }
        return ProviderFact(
            type: .disputeOpened, providerObjectID: try data.requiredNumberedIdentifier("id"),
            relatedProviderObjectID: try transaction?.numberedIdentifier("id"),
            cofferID: try transaction?.identifier("reference"), amount: amount.minorUnits,
            currency: amount.currency, status: try data.text("status"))
    }
}
