import HTTP
import ProviderKit
import Shared

/// PayPal's error answers in Coffer's terms: REST errors
/// (`{"name":"UNPROCESSABLE_ENTITY","message","details":[{"issue":"INSTRUMENT_DECLINED","description"}]}`)
/// and OAuth errors (`{"error":"invalid_client","error_description"}`).
enum PayPalErrorMapping {
    /// 422 issues that mean the payer's funding was refused, not that Coffer's request was wrong.
    static let declineIssues: Set<String> = [
        "INSTRUMENT_DECLINED", "TRANSACTION_REFUSED", "PAYER_CANNOT_PAY", "CARD_EXPIRED", "CARD_CLOSED",
        "PAYMENT_DENIED", "REDIRECT_PAYER_FOR_ALTERNATE_FUNDING", "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED",
        "DECLINED_DUE_TO_RELATED_TXN", "TRANSACTION_BLOCKED_BY_PAYEE", "PAYEE_BLOCKED_TRANSACTION",
    ]
    /// The payer must approve (again) before the order can be authorized or captured.
    static let payerActionIssue = "PAYER_ACTION_REQUIRED"

    static func error(_ response: HTTPClientResponse, secrets: [String: String]) -> ProviderError {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)
        let detail = body?.value(at: "details.0")
        let issue = detail?["issue"]?.stringValue
        let code = issue ?? body?["name"]?.stringValue ?? body?["error"]?.stringValue
        let text =
            detail?["description"]?.stringValue ?? body?["message"]?.stringValue
            ?? body?["error_description"]?.stringValue
        let message = ProviderResponse.safeMessage(text, credentials: secrets, fallback: "PayPal answered \(status).")
        if status == 422, let issue, declineIssues.contains(issue) {
            return ProviderError(kind: .declined, code: issue, message: message)
        }
        return ProviderError(kind: ProviderResponse.kind(forStatus: status), code: code, message: message)
    }
}
