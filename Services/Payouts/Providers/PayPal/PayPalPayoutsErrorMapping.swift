import HTTP
import ProviderKit
import Shared

/// PayPal Payouts' error answers in Coffer's terms: REST errors
/// (`{"name":"VALIDATION_ERROR","message","details":[{"field","issue","link"}]}`) and OAuth errors
/// (`{"error":"invalid_client","error_description"}`). Payouts' `issue` is prose, so `name` is the code.
enum PayPalPayoutsErrorMapping {
    /// The business's PayPal balance cannot cover the payout: PayPal refused the payout itself.
    static let declineNames: Set<String> = ["INSUFFICIENT_FUNDS"]

    static func error(_ response: HTTPClientResponse, secrets: [String: String]) -> ProviderError {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)
        let code = body?["name"]?.stringValue ?? body?["error"]?.stringValue
        let text =
            body?.value(at: "details.0.issue")?.stringValue ?? body?["message"]?.stringValue
            ?? body?["error_description"]?.stringValue
        let message = ProviderResponse.safeMessage(text, credentials: secrets, fallback: "PayPal answered \(status).")
        if let code, declineNames.contains(code) {
            return ProviderError(kind: .declined, code: code, message: message)
        }
        return ProviderError(kind: ProviderResponse.kind(forStatus: status), code: code, message: message)
    }

    /// The batch an earlier request with the same `sender_batch_id` created: PayPal refuses the repeat
    /// (400) with a detail on `sender_batch_id` and a HATEOAS link to the original payout
    /// (`…/v1/payments/payouts/{payout_batch_id}`). Nil for any other answer.
    static func duplicateBatchID(_ response: HTTPClientResponse) -> String? {
        guard response.status.code == 400, let body = ProviderResponse.errorJSON(response) else { return nil }
        for detail in body["details"]?.arrayValue ?? [] {
            let field = detail["field"]?.stringValue?.lowercased() ?? ""
            let issue = detail["issue"]?.stringValue?.lowercased() ?? ""
            guard field.contains("sender_batch_id") || issue.contains("sender_batch_id") else { continue }
            let links =
                (detail["link"]?.arrayValue ?? []) + (detail["links"]?.arrayValue ?? [])
                + (body["links"]?.arrayValue ?? [])
            for link in links {
                if let id = link["href"]?.stringValue.flatMap(batchID(inLink:)) { return id }
            }
        }
        return nil
    }

    private static func batchID(inLink href: String) -> String? {
        guard let range = href.range(of: "/v1/payments/payouts/") else { return nil }
        let id = href[range.upperBound...].prefix { $0 != "/" && $0 != "?" }
        return id.isEmpty ? nil : String(id)
    }
}
