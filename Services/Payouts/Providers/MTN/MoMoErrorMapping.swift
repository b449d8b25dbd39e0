import Contracts
import HTTP
import ProviderKit
import Shared

/// MoMo's error answers in Coffer's terms: `{"code":"PAYEE_NOT_FOUND","message"}` from the API, and
/// `{"statusCode":401,"message":"Access denied due to invalid subscription key…"}` from its gateway.
enum MoMoErrorMapping {
    static func error(_ response: HTTPClientResponse, provider: ProviderName, secrets: [String: String])
        -> ProviderError
    {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)
        let code = body?["code"]?.stringValue ?? body?["error"]?.stringValue
        let text = body?["message"]?.stringValue ?? body?["error_description"]?.stringValue
        let message = ProviderResponse.safeMessage(
            text, credentials: secrets, fallback: "\(ProviderDisplayName.of(provider)) answered \(status).")
        return ProviderError(kind: ProviderResponse.kind(forStatus: status), code: code, message: message)
    }
}
