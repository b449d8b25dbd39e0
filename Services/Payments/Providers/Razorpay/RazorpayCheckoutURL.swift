import Foundation
import ProviderKit

/// Where a Razorpay customer goes to pay an order.
///
/// Razorpay has no hosted page per order: a real integration opens Checkout.js in the tenant's own
/// page with the key id and the order id. So the action URL is a template. The default,
/// `{api_base_url}/checkout/{order_id}`, is the page Coffer's sandbox serves (it completes the payment);
/// against real Razorpay set a template that points at the tenant's checkout page, per adapter or per
/// connector (the connector's `checkout_url_template` credential, which is not a secret, wins).
///
/// Placeholders: `{api_base_url}` (as configured), `{order_id}`, `{key_id}` (Razorpay's public key
/// id, which Checkout.js needs anyway) and `{coffer_payment_id}`; all but the base URL are
/// percent-encoded.
struct RazorpayCheckoutURL: Sendable {
    static let sandboxTemplate = "{api_base_url}/checkout/{order_id}"
    static let connectorKey = "checkout_url_template"

    let template: String

    init(template: String = Self.sandboxTemplate) {
        self.template = template
    }

    func url(orderID: String, paymentID: String?, connector: ProviderConnector) -> String {
        var base = connector.apiBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        let chosen = connector.credentials[Self.connectorKey].flatMap { $0.isEmpty ? nil : $0 } ?? template
        return
            chosen
            .replacingOccurrences(of: "{api_base_url}", with: base)
            .replacingOccurrences(of: "{order_id}", with: ProviderURL.encode(orderID))
            .replacingOccurrences(of: "{key_id}", with: ProviderURL.encode(connector.credentials["key_id"] ?? ""))
            .replacingOccurrences(of: "{coffer_payment_id}", with: ProviderURL.encode(paymentID ?? ""))
    }
}
