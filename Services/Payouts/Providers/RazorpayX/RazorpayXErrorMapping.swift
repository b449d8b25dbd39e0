import HTTP
import ProviderKit
import Shared

/// RazorpayX's error answers (`{"error":{"code":"BAD_REQUEST_ERROR","description","source","reason","field"}}`)
/// in Coffer's terms. The codes are coarse, so the HTTP status decides the kind; the description can
/// echo what was sent (an account number), so it is redacted like a credential.
enum RazorpayXErrorMapping {
    static func error(_ response: HTTPClientResponse, secrets: [String: String]) -> ProviderError {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)?["error"]
        let message = ProviderResponse.safeMessage(
            body?["description"]?.stringValue, credentials: secrets, fallback: "RazorpayX answered \(status).")
        return ProviderError(
            kind: ProviderResponse.kind(forStatus: status), code: body?["code"]?.stringValue, message: message)
    }
}
