import Foundation
import HTTP
import Shared
import Synchronization

@testable import Payments

/// PayPal's OAuth endpoint played for the adapter tests: issues `token-0`, `token-1`, … and checks the
/// bearer token on API routes, refusing revoked ones with PayPal's 401.
final class AdapterPayPalTokens: Sendable {
    private struct State {
        var issued = 0
        var revoked: Set<String> = []
        var expiresIn: Int64 = 32_400
        var delay: Duration = .zero
    }

    private let state = Mutex(State())

    var issuedCount: Int { state.withLock { $0.issued } }
    func revoke(_ token: String) { state.withLock { _ = $0.revoked.insert(token) } }
    func setExpiresIn(_ seconds: Int64) { state.withLock { $0.expiresIn = seconds } }
    func setDelay(_ delay: Duration) { state.withLock { $0.delay = delay } }

    var route: AdapterProviderServer.Route {
        AdapterProviderServer.Route(method: .POST, template: "/v1/oauth2/token") { _, _, _ in
            let delay = self.state.withLock { $0.delay }
            if delay > .zero { try await Task.sleep(for: delay) }
            let (token, expiresIn) = self.state.withLock { state in
                defer { state.issued += 1 }
                return ("token-\(state.issued)", state.expiresIn)
            }
            return AdapterReply.json(
                .ok,
                #"{"scope":"https://uri.paypal.com/services/payments/payment","access_token":"\#(token)","token_type":"Bearer","app_id":"APP-80W284485P519543T","expires_in":\#(expiresIn),"nonce":"2024-06-20T10:00:00Zabc"}"#
            )
        }
    }

    /// Wraps an API route: PayPal's 401 unless the bearer token was issued and not revoked.
    func authenticated(_ method: HTTPMethod, _ template: String, _ reply: @escaping AdapterProviderServer.Reply)
        -> AdapterProviderServer.Route
    {
        AdapterProviderServer.Route(method: method, template: template) { request, context, index in
            let header = request.headers["Authorization"] ?? ""
            let valid = self.state.withLock { state in
                header.hasPrefix("Bearer token-") && !state.revoked.contains(String(header.dropFirst(7)))
                    && Int(header.dropFirst(13)).map { $0 < state.issued } == true
            }
            guard valid else {
                return AdapterReply.json(
                    401,
                    #"{"name":"AUTHENTICATION_FAILURE","message":"Authentication failed due to invalid authentication credentials or a missing Authorization header.","links":[]}"#
                )
            }
            return try await reply(request, context, index)
        }
    }

    func authenticated(_ method: HTTPMethod, _ template: String, status: HTTPStatus = .ok, _ body: String)
        -> AdapterProviderServer.Route
    {
        authenticated(method, template) { _, _, _ in AdapterReply.json(status, body) }
    }
}

/// PayPal answers used by the tests, shaped like PayPal's documented examples.
enum PayPalBodies {
    static func links(_ id: String, action: String = "payer-action") -> String {
        #"[{"href":"https://api-m.paypal.com/v2/checkout/orders/\#(id)","rel":"self","method":"GET"},{"href":"https://www.paypal.com/checkoutnow?token=\#(id)","rel":"\#(action)","method":"GET"}]"#
    }

    /// The minimal answer to creating an order with a PayPal payment source.
    static func created(_ id: String = "5O190127TN364715T") -> String {
        #"{"id":"\#(id)","status":"PAYER_ACTION_REQUIRED","payment_source":{"paypal":{}},"links":\#(links(id))}"#
    }

    static func order(
        _ id: String = "5O190127TN364715T", status: String, intent: String = "CAPTURE",
        value: String = "10.50", payments: String = ""
    ) -> String {
        let paymentsField = payments.isEmpty ? "" : #","payments":{\#(payments)}"#
        return
            #"{"id":"\#(id)","status":"\#(status)","intent":"\#(intent)","purchase_units":[{"reference_id":"pay_coffer_1","amount":{"currency_code":"USD","value":"\#(value)"}\#(paymentsField)}],"links":\#(links(id, action: "approve"))}"#
    }

    static func captures(_ status: String = "COMPLETED", id: String = "CAP1", value: String = "10.50") -> String {
        #""captures":[{"id":"\#(id)","status":"\#(status)","amount":{"currency_code":"USD","value":"\#(value)"},"final_capture":true}]"#
    }

    static func authorizations(_ status: String = "CREATED", id: String = "AUTH1", value: String = "10.50") -> String {
        #""authorizations":[{"id":"\#(id)","status":"\#(status)","amount":{"currency_code":"USD","value":"\#(value)"},"expiration_time":"2026-12-20T00:00:00Z"}]"#
    }

    static func error(
        _ name: String, issue: String? = nil, message: String = "The requested action could not be performed."
    ) -> String {
        let details = issue.map { #","details":[{"issue":"\#($0)","description":"\#($0) happened."}]"# } ?? ""
        return #"{"name":"\#(name)","message":"\#(message)","debug_id":"90957fca61718"\#(details),"links":[]}"#
    }
}
