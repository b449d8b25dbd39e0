import HTTP
import ProviderKit
import Shared

/// Razorpay's error answers (`{"error":{"code":"BAD_REQUEST_ERROR","description","reason","field"}}`) in
/// Coffer's terms. Razorpay's codes are coarse (`BAD_REQUEST_ERROR`, `GATEWAY_ERROR`, `SERVER_ERROR`),
/// so the HTTP status decides the kind.
enum RazorpayErrorMapping {
    static func error(_ response: HTTPClientResponse, credentials: [String: String]) -> ProviderError {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)?["error"]
        let message = ProviderResponse.safeMessage(
            body?["description"]?.stringValue, credentials: credentials, fallback: "Razorpay answered \(status).")
        return ProviderError(
            kind: ProviderResponse.kind(forStatus: status), code: body?["code"]?.stringValue,
            message: message)
    }
}
