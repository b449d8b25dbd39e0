import HTTP
import ProviderKit
import Shared

/// Airtel Money's error answers in Coffer's terms: API errors
/// (`{"status":{"code":"400","message","result_code","response_code":"DP…","success":false}}`) and OAuth
/// errors (`{"error":"invalid_client","error_description"}`). The HTTP status decides the kind.
enum AirtelErrorMapping {
    static func error(_ response: HTTPClientResponse, secrets: [String: String]) -> ProviderError {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)
        let code =
            body?.value(at: "status.response_code")?.stringValue ?? body?.value(at: "status.result_code")?.stringValue
            ?? body?["error"]?.stringValue
        let text = body?.value(at: "status.message")?.stringValue ?? body?["error_description"]?.stringValue
        let message = ProviderResponse.safeMessage(
            text, credentials: secrets, fallback: "Airtel Money answered \(status).")
        return ProviderError(kind: ProviderResponse.kind(forStatus: status), code: code, message: message)
    }
}
