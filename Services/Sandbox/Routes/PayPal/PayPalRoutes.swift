import Foundation
import HTTP
import Shared

/// PayPal's REST API under `/paypal` at its real paths: OAuth client credentials, Orders v2 and
/// Payments v2 with `PayPal-Request-Id` idempotency; the payer's approval page
/// (`/paypal/checkoutnow?token=…`) and the webhook-signing certificate (`/paypal/certs/{id}`).
enum PayPalRoutes {
    static func register(on router: Router, simulator: PayPalSimulator) {
        let api = PayPalAPI(
            simulator: simulator, gate: ProviderGate(context: simulator.context, dialect: PayPalDialect()))
        let base = simulator.base
        let sandboxURL = simulator.context.publicURL

        router.post("/paypal/v1/oauth2/token") { request, _ in
            token(request, simulator: simulator)
        }
        router.post("/paypal/v2/checkout/orders") { request, context in
            let full = request.headers["Prefer"]?.lowercased().contains("return=representation") ?? false
            return await api.call(request, context) { body, account, requestID throws(PayPalError) in
                let view = try simulator.createOrder(body, accountID: account.id, requestID: requestID)
                return (
                    .created,
                    full
                        ? view.json(base: base, sandboxURL: sandboxURL)
                        : view.minimalJSON(base: base, sandboxURL: sandboxURL)
                )
            }
        }
        router.get("/paypal/v2/checkout/orders/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account, _ throws(PayPalError) in
                (.ok, try simulator.order(id, accountID: account.id).json(base: base, sandboxURL: sandboxURL))
            }
        }
        router.post("/paypal/v2/checkout/orders/{id}/capture") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account, requestID throws(PayPalError) in
                (
                    .created,
                    try simulator.captureOrder(id, accountID: account.id, requestID: requestID).json(
                        base: base, sandboxURL: sandboxURL)
                )
            }
        }
        router.post("/paypal/v2/checkout/orders/{id}/authorize") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account, requestID throws(PayPalError) in
                (
                    .created,
                    try simulator.authorizeOrder(id, accountID: account.id, requestID: requestID).json(
                        base: base, sandboxURL: sandboxURL)
                )
            }
        }
        router.get("/paypal/v2/payments/authorizations/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account, _ throws(PayPalError) in
                (.ok, try simulator.authorization(id, accountID: account.id).json(base: base))
            }
        }
        router.post("/paypal/v2/payments/authorizations/{id}/capture") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { body, account, requestID throws(PayPalError) in
                (
                    .created,
                    try simulator.captureAuthorization(id, body, accountID: account.id, requestID: requestID).json(
                        base: base)
                )
            }
        }
        router.post("/paypal/v2/payments/authorizations/{id}/void") { request, context in
            let id = context.parameter("id")
            let full = request.headers["Prefer"]?.lowercased().contains("return=representation") ?? false
            return await api.call(request, context) { _, account, requestID throws(PayPalError) in
                let authorization = try simulator.voidAuthorization(id, accountID: account.id, requestID: requestID)
                return full ? (.ok, authorization.json(base: base)) : (.noContent, nil)
            }
        }
        router.get("/paypal/v2/payments/captures/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account, _ throws(PayPalError) in
                (.ok, try simulator.capture(id, accountID: account.id).json(base: base))
            }
        }
        router.post("/paypal/v2/payments/captures/{id}/refund") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { body, account, requestID throws(PayPalError) in
                (
                    .created,
                    try simulator.refundCapture(id, body, accountID: account.id, requestID: requestID).json(base: base)
                )
            }
        }
        router.get("/paypal/v2/payments/refunds/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account, _ throws(PayPalError) in
                (.ok, try simulator.refund(id, accountID: account.id).json(base: base))
            }
        }

        // The payer's approval page: opening it approves the order (`?result=cancel` cancels), then
        // sends the payer back to the merchant's return (or cancel) URL when the order has one.
        router.get("/paypal/checkoutnow") { request, _ in
            let query = request.queryParameters
            guard let token = query["token"],
                let result = simulator.approve(token, succeed: !["cancel", "fail"].contains(query["result"] ?? ""))
            else {
                return CustomerPage.html(.notFound, title: "Unknown order", message: "No such PayPal order.")
            }
            let order = result.view.order
            if order.payerCanceled {
                if let cancelURL = order.cancelURL {
                    return CustomerPage.redirect(to: cancelURL, adding: [("token", order.id)])
                }
                return CustomerPage.html(
                    .ok, title: "Payment cancelled", message: "You cancelled the payment for order \(order.id).")
            }
            if let returnURL = order.returnURL, let payerID = order.payerID {
                return CustomerPage.redirect(to: returnURL, adding: [("token", order.id), ("PayerID", payerID)])
            }
            return CustomerPage.html(
                .ok, title: "Payment approved",
                message: "Order \(order.id) is \(order.status). You can close this window.")
        }

        let certificate: RouteHandler = { _, context in
            guard context.parameter("cert_id") == simulator.identity.certificateID else {
                return PayPalError.notFound().response
            }
            return .text(.ok, simulator.identity.chainPEM, contentType: "application/x-pem-file")
        }
        router.get("/paypal/certs/{cert_id}", certificate)
        router.get("/paypal/v1/notifications/certs/{cert_id}", certificate)
        router.get("/_sandbox/paypal/certificate") { _, _ in
            .text(.ok, simulator.identity.leaf.pemRepresentation, contentType: "application/x-pem-file")
        }
        router.get("/_sandbox/paypal/ca") { _, _ in
            .text(.ok, simulator.identity.authority.pemRepresentation, contentType: "application/x-pem-file")
        }
    }

    /// `POST /v1/oauth2/token`: Basic client credentials, `grant_type=client_credentials`.
    private static func token(_ request: HTTPRequest, simulator: PayPalSimulator) -> HTTPResponse {
        guard let credentials = AuthorizationHeader.basic(request.headers),
            let account = simulator.context.accounts.authenticate(
                .paypal, credential: credentials.user, secret: credentials.password)
        else { return PayPalOAuthError.response(.unauthorized, "invalid_client", "Client Authentication failed") }
        let form = (try? StripeForm(encoded: request.body)) ?? StripeForm(pairs: [])
        guard let grant = form.value("grant_type") else {
            return PayPalOAuthError.response(.badRequest, "unsupported_grant_type", "Grant Type is NULL")
        }
        guard grant == "client_credentials" else {
            return PayPalOAuthError.response(.badRequest, "unsupported_grant_type", "unsupported grant_type")
        }
        let token = simulator.tokens.issue(accountID: account.id)
        return .json(
            .ok,
            bytes: JSONValue.object([
                "scope":
                    "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund",
                "access_token": .string(token), "token_type": "Bearer",
                "app_id": .string("APP-" + account.id.uppercased()),
                "expires_in": .int(simulator.tokens.lifetime.components.seconds),
                "nonce": .string(
                    Timestamp.rfc3339(Date()) + ProviderIDs.random(16, from: Array("0123456789abcdef".utf8))),
            ]).serialized())
    }
}

/// Authentication, body parsing, `PayPal-Request-Id` and the gate around every PayPal API call.
struct PayPalAPI: Sendable {
    let simulator: PayPalSimulator
    let gate: ProviderGate

    /// `body` returns the status and the JSON to answer with (nil for an empty body).
    func call(
        _ request: HTTPRequest, _ context: RequestContext,
        _ body: @Sendable (JSONValue, SandboxAccount, String?) throws(PayPalError) -> (HTTPStatus, JSONValue?)
    ) async -> HTTPResponse {
        guard let token = AuthorizationHeader.bearer(request.headers) else {
            return PayPalError.authenticationFailure().response
        }
        let accountID: String
        switch simulator.tokens.look(up: token) {
        case .valid(let id): accountID = id
        case .expired:
            return PayPalOAuthError.response(.unauthorized, "invalid_token", "Access Token not found in cache")
        case .unknown:
            return PayPalOAuthError.response(.unauthorized, "invalid_token", "Token signature verification failed")
        }
        guard let account = simulator.context.accounts.account(id: accountID) else {
            return PayPalOAuthError.response(.unauthorized, "invalid_token", "Token signature verification failed")
        }
        var json = JSONValue.object([:])
        if request.method == .POST, !request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard let parsed = try? JSONValue.parse(request.body), case .object = parsed else {
                return PayPalError.invalidRequest("MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
                    .response
            }
            json = parsed
        }
        var idempotency: ProviderGate.Idempotency?
        let requestID = request.method == .POST ? request.headers["PayPal-Request-Id"] : nil
        if let requestID {
            guard !requestID.isEmpty, requestID.utf8.count <= 108 else {
                return PayPalError.invalidRequest(
                    "INVALID_STRING_LENGTH", "The value of a field is either too short or too long.",
                    field: "PayPal-Request-Id"
                ).response
            }
            var material = Array((request.method.rawValue + " " + request.path + "\n").utf8)
            material.append(contentsOf: json.serialized())
            idempotency = .init(key: requestID, fingerprint: Digest.sha256.hash(material))
        }
        return await gate.run(account: account, idempotency: idempotency, logger: context.logger) {
            let (status, answer) = try body(json, account, requestID)
            var response = HTTPResponse(
                status: status,
                headers: ["Paypal-Debug-Id": ProviderIDs.random(13, from: Array("0123456789abcdef".utf8))])
            if let answer {
                response.headers.add("Content-Type", "application/json")
                response.body = answer.serialized()
            }
            return response
        }
    }
}
