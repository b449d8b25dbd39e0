import Foundation
import ProviderKit
import Shared

/// What a payment or refund call ended with; the route turns it into an answer (and the same answer is
/// what the idempotency key keeps).
enum CallOutcome<Object: Sendable>: Sendable {
    /// The call took effect (created, captured, canceled, refunded).
    case settled(Object)
    /// The provider's answer is not known yet: the object stands as it is and the resolver finishes it.
    case pending(Object)
    /// The provider refused, or reports a state that refuses the call; the error carries the object.
    case refused(DomainError)
}

typealias PaymentOutcome = CallOutcome<Payment>
typealias RefundOutcome = CallOutcome<Refund>

/// How a provider's refusal reads to the API caller: an error whose answer also carries the object as it
/// now stands (`"payment": {…}` or `"refund": {…}`, as Stripe puts the intent in its errors), so a client
/// without an idempotency key still learns the id. Errors that mean "outcome unknown" never come here:
/// those leave the object pending and resolve in the background.
enum ProviderRefusal {
    static func error(_ error: ProviderError, object name: String, json: JSONValue) -> DomainError {
        let id = json["id"]?.stringValue ?? name
        var refusal: DomainError =
            switch error.kind {
            case .declined:
                DomainError(
                    .declined, code: "payment_declined", message: "The provider declined \(id): \(error.message)")
            case .invalidRequest:
                DomainError(
                    .invalid, code: "provider_invalid_request",
                    message: "The provider refused the request for \(id): \(error.message)")
            default:
                DomainError(
                    .upstream, code: "provider_authentication_failed",
                    message:
                        "The provider refused the connector's credentials; check the connector (\(id) was not processed)."
                )
            }
        refusal.objects = [name: json]
        return refusal
    }

    /// Whether the call certainly did not complete and the object should be marked failed.
    static func isFinal(_ error: ProviderError) -> Bool {
        error.kind == .declined || error.kind == .invalidRequest || error.kind == .authentication
    }
}
