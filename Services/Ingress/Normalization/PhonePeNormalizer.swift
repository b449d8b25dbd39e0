import Contracts
import Foundation
import HTTP
import Shared

/// PhonePe callbacks, in either of PhonePe's two shapes. Neither carries an event id (ingress dedupes
/// on the body hash) nor says live or test; amounts are integer paise and the currency is always INR.
///
/// v2 (current SDKs): `{"event": "pg.order.completed", "type": "PG_ORDER_COMPLETED", "payload": {…}}`.
/// PhonePe says to rely on `event` (the `type` field is being deprecated) and on `payload.state` for the
/// outcome, so `event` is the type word when present, else `type`; both spellings map alike, and the state
/// decides between completed and failed when it is given. Reads `payload.{orderId, merchantOrderId, state,
/// amount, errorCode, refundId, merchantRefundId, originalMerchantOrderId, paymentDetails.0.timestamp}`.
/// Coffer's own id (`cofferID`): orders `merchantOrderId`; refunds `merchantRefundId`.
///
/// v1 (salt-key era): `{"response": "<base64 of JSON>"}`, where the JSON is the Check Status response
/// `{"success", "code": "PAYMENT_SUCCESS"|…, "data": {merchantTransactionId, transactionId, amount, state,
/// responseCode}}`; `code` is the type word. Coffer's own id is `data.merchantTransactionId`.
/// v1 refund callbacks have the same shape as payment ones, so they cannot be told apart here: v1 bodies
/// are read as payments (the refund's `merchantTransactionId` matches no payment and confirmation settles it).
///
/// Which shape is read follows the scheme that verified the callback, never the body: `X-VERIFY` (v1)
/// signs only `response`, so a v1 body is read from `response` alone and any other top-level field
/// refuses it — otherwise a genuine signed v1 callback with an injected v2 `payload` would be read as
/// signed v2 news (issue 9).
struct PhonePeNormalizer: WebhookNormalizer {
    func normalize(body: JSONValue, headers: HTTPHeaders) throws(NormalizationError) -> NormalizedWebhook {
        let top = try BodyFields.body(body)
        if headers["X-VERIFY"] != nil {
            let unsigned = (body.objectValue?.keys.filter { $0 != "response" } ?? []).sorted()
            guard unsigned.isEmpty else { throw top.invalid(unsigned[0], "is not covered by the X-VERIFY signature") }
            return try v1(top)
        }
        return try v2(top)
    }

    // MARK: v2

    private func v2(_ top: BodyFields) throws(NormalizationError) -> NormalizedWebhook {
        let type = top.value("event") != nil ? try top.eventType("event") : try top.eventType("type")
        // "pg.order.completed" and "PG_ORDER_COMPLETED" name the same callback.
        let key = type.uppercased().replacingOccurrences(of: ".", with: "_")
        let fact: ProviderFact?
        switch key {
        case "CHECKOUT_ORDER_COMPLETED", "PG_ORDER_COMPLETED":
            fact = try order(default: .paymentCaptured, top.requiredObject("payload"))
        case "CHECKOUT_ORDER_FAILED", "PG_ORDER_FAILED":
            fact = try order(default: .paymentFailed, top.requiredObject("payload"))
        case "PG_REFUND_COMPLETED":
            fact = try refund(default: .refundSucceeded, top.requiredObject("payload"))
        case "PG_REFUND_FAILED":
            fact = try refund(default: .refundFailed, top.requiredObject("payload"))
        // PG_REFUND_ACCEPTED and *_TRANSACTION_ATTEMPT_FAILED (the order can still succeed) are steps.
        default:
            fact = nil
        }
        return NormalizedWebhook(providerEventID: nil, providerEventType: type, livemode: nil, event: fact)
    }

    /// The outcome `payload.state` names, falling back on the event word when the state is absent; a
    /// state that is neither (PENDING) is not forwarded yet.
    private static func outcome(
        _ state: String?, completed: ProviderEventType, failed: ProviderEventType,
        default fallback: ProviderEventType
    ) -> ProviderEventType? {
        switch state {
        case nil: fallback
        case "COMPLETED": completed
        case "FAILED": failed
        default: nil
        }
    }

    private func order(default fallback: ProviderEventType, _ payload: BodyFields) throws(NormalizationError)
        -> ProviderFact?
    {
        let state = try payload.text("state")
        guard let type = Self.outcome(state, completed: .paymentCaptured, failed: .paymentFailed, default: fallback)
        else { return nil }
        return ProviderFact(
            type: type, providerObjectID: try payload.requiredIdentifier("orderId"),
            cofferID: try payload.identifier("merchantOrderId"), amount: try payload.minorUnits("amount"),
            currency: Currency.inr.code, status: state,
            failureReason: type == .paymentFailed ? try Self.errorCode(payload) : nil,
            occurredAt: payload.lenientTimestamp("paymentDetails.0.timestamp"))
    }

    private func refund(default fallback: ProviderEventType, _ payload: BodyFields) throws(NormalizationError)
        -> ProviderFact?
    {
        let state = try payload.text("state")
        guard let type = Self.outcome(state, completed: .refundSucceeded, failed: .refundFailed, default: fallback)
        else { return nil }
        return ProviderFact(
            type: type, providerObjectID: try payload.requiredIdentifier("refundId"),
            relatedProviderObjectID: try payload.firstIdentifier("orderId", "originalMerchantOrderId"),
            cofferID: try payload.identifier("merchantRefundId"), amount: try payload.minorUnits("amount"),
            currency: Currency.inr.code, status: state,
            failureReason: type == .refundFailed ? try Self.errorCode(payload) : nil)
    }

    private static func errorCode(_ payload: BodyFields) throws(NormalizationError) -> String? {
        if let code = try payload.text("errorCode") { return code }
        return try payload.text("detailedErrorCode")
    }

    // MARK: v1

    private func v1(_ top: BodyFields) throws(NormalizationError) -> NormalizedWebhook {
        guard let encoded = try top.string("response") else { throw top.missing("response") }
        guard let bytes = Base64.decode(encoded) else { throw top.invalid("response", "is not base64") }
        guard let decoded = try? JSONValue.parse(bytes), case .object = decoded else {
            throw top.invalid("response", "does not decode to a JSON object")
        }
        let response = BodyFields(decoded, path: "response")
        let code = try response.eventType("code")
        let type: ProviderEventType?
        switch code {
        case "PAYMENT_SUCCESS": type = .paymentCaptured
        case "PAYMENT_ERROR", "PAYMENT_DECLINED", "PAYMENT_CANCELLED", "TIMED_OUT": type = .paymentFailed
        // PAYMENT_PENDING settles later; BAD_REQUEST, AUTHORIZATION_FAILED, INTERNAL_SERVER_ERROR and
        // TRANSACTION_NOT_FOUND describe an API call, not the payment.
        default: type = nil
        }
        guard let type else {
            return NormalizedWebhook(providerEventID: nil, providerEventType: code, livemode: nil, event: nil)
        }
        let data = try response.requiredObject("data")
        guard let objectID = try data.firstIdentifier("transactionId", "merchantTransactionId") else {
            throw data.missing("transactionId")
        }
        let fact = ProviderFact(
            type: type, providerObjectID: objectID, cofferID: try data.identifier("merchantTransactionId"),
            amount: try data.minorUnits("amount"), currency: Currency.inr.code, status: try data.text("state"),
            failureReason: type == .paymentFailed ? try data.text("responseCode") ?? code : nil)
        return NormalizedWebhook(providerEventID: nil, providerEventType: code, livemode: nil, event: fact)
    }
}
