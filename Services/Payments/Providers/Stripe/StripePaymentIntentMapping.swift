import ProviderKit
import Shared

/// A Stripe PaymentIntent as a `ProviderPaymentState`.
enum StripePaymentIntentMapping {
    /// `next_action` types other than `redirect_to_url` that still carry a page for the customer.
    private static let actionURLKeys = [
        "url", "hosted_instructions_url", "hosted_voucher_url", "hosted_verification_url",
    ]

    static func state(_ intent: JSONValue, call: ProviderCall) throws(ProviderError) -> ProviderPaymentState {
        func unexpected(_ what: String) -> ProviderError {
            ProviderError.unexpectedResponse(provider: .stripe, call: call, what)
        }
        guard let id = intent["id"]?.stringValue, !id.isEmpty else { throw unexpected("no payment intent id") }
        guard let rawStatus = intent["status"]?.stringValue else { throw unexpected("no payment intent status") }
        guard let currency = intent["currency"]?.stringValue.flatMap(Currency.init(code:)) else {
            throw unexpected("no known currency")
        }
        let capturable = intent["amount_capturable"]?.int64Value ?? 0
        let received = intent["amount_received"]?.int64Value ?? 0
        guard capturable >= 0, received >= 0 else { throw unexpected("a negative amount") }

        let status: ProviderPaymentState.Status
        switch rawStatus {
        case "requires_action":
            status = .requiresAction(url: actionURL(intent["next_action"]))
        case "requires_payment_method" where intent["last_payment_error"].map({ !$0.isNull }) == true:
            let error = intent["last_payment_error"]
            status = .failed(
                code: error?["decline_code"]?.stringValue ?? error?["code"]?.stringValue,
                message: error?["message"]?.stringValue)
        case "requires_payment_method", "requires_confirmation":
            // Waiting for the tenant's front end to supply or confirm a method (it holds the client
            // secret); there is no page of Stripe's to send the customer to.
            status = .requiresAction(url: actionURL(intent["next_action"]))
        case "processing": status = .processing
        case "requires_capture": status = .authorized
        case "succeeded": status = .captured
        case "canceled": status = .canceled
        default: throw unexpected("an unknown payment intent status")
        }
        return ProviderPaymentState(
            providerPaymentID: id, status: status, amountCapturable: capturable,
            amountCaptured: received, currency: currency, rawStatus: rawStatus)
    }

    /// `next_action.redirect_to_url.url`, else the hosted page of another action type, else "" (the
    /// action is handled by Stripe.js with the client secret, e.g. `use_stripe_sdk`).
    static func actionURL(_ nextAction: JSONValue?) -> String {
        guard let nextAction else { return "" }
        if let url = nextAction.value(at: "redirect_to_url.url")?.stringValue { return url }
        if let type = nextAction["type"]?.stringValue, let details = nextAction[type] {
            for key in actionURLKeys {
                if let url = details[key]?.stringValue { return url }
            }
        }
        return ""
    }
}
