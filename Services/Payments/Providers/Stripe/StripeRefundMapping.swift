import ProviderKit
import Shared

/// A Stripe Refund as a `ProviderRefundState`.
enum StripeRefundMapping {
    /// The reasons Stripe accepts on a refund; anything else is Coffer's own wording and is not sent.
    static let allowedReasons: Set<String> = ["duplicate", "fraudulent", "requested_by_customer"]

    static func state(_ refund: JSONValue, call: ProviderCall) throws(ProviderError) -> ProviderRefundState {
        func unexpected(_ what: String) -> ProviderError {
            ProviderError.unexpectedResponse(provider: .stripe, call: call, what)
        }
        guard let id = refund["id"]?.stringValue, !id.isEmpty else { throw unexpected("no refund id") }
        guard let rawStatus = refund["status"]?.stringValue else { throw unexpected("no refund status") }
        guard let amount = refund["amount"]?.int64Value, amount >= 0 else { throw unexpected("no refund amount") }
        let status: ProviderRefundState.Status
        switch rawStatus {
        case "succeeded": status = .succeeded
        // `requires_action`: some payment methods need the customer's bank details first; still under way.
        case "pending", "requires_action": status = .pending
        case "failed", "canceled": status = .failed
        default: throw unexpected("an unknown refund status")
        }
        return ProviderRefundState(providerRefundID: id, status: status, amount: amount, rawStatus: rawStatus)
    }
}
