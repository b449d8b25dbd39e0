import Foundation
import HTTP
import Shared

/// Razorpay's API under `/razorpay` at its real paths (`/razorpay/v1/orders`…, RazorpayX's payouts in
/// `RazorpayPayoutRoutes`), with HTTP Basic `key_id:key_secret` and JSON bodies; plus Checkout as the
/// customer sees it (`/razorpay/checkout/{order_id}`, and the hosted `POST /razorpay/v1/checkout/embedded`
/// form).
enum RazorpayRoutes {
    static func register(on router: Router, simulator: RazorpaySimulator) {
        let api = RazorpayAPI(
            simulator: simulator, gate: ProviderGate(context: simulator.context, dialect: RazorpayDialect()))
        RazorpayPayoutRoutes.register(on: router, api: api)

        router.post("/razorpay/v1/orders") { request, context in
            await api.call(request, context) { input, account throws(RazorpayError) in
                try simulator.createOrder(input, accountID: account.id).json
            }
        }
        router.get("/razorpay/v1/orders/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                try simulator.order(id, accountID: account.id).json
            }
        }
        router.get("/razorpay/v1/orders/{id}/payments") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                collection(try simulator.payments(ofOrder: id, accountID: account.id).map(\.json))
            }
        }
        router.get("/razorpay/v1/payments/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                try simulator.payment(id, accountID: account.id).json
            }
        }
        router.post("/razorpay/v1/payments/{id}/capture") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { input, account throws(RazorpayError) in
                try simulator.capture(id, input, accountID: account.id).json
            }
        }
        // Refunds take Razorpay's `X-Refund-Idempotency` key.
        router.post("/razorpay/v1/payments/{id}/refund") { request, context in
            let id = context.parameter("id")
            let key = request.headers["X-Refund-Idempotency"]
            return await api.call(request, context, idempotencyKey: key) { input, account throws(RazorpayError) in
                try simulator.refund(payment: id, input, accountID: account.id, idempotencyKey: key).json
            }
        }
        router.get("/razorpay/v1/payments/{id}/refunds") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                collection(try simulator.refunds(ofPayment: id, accountID: account.id).map(\.json))
            }
        }
        router.get("/razorpay/v1/refunds/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                try simulator.refund(id, accountID: account.id).json
            }
        }
        router.get("/razorpay/v1/payments/{id}/refunds/{refund_id}") { request, context in
            let paymentID = context.parameter("id")
            let refundID = context.parameter("refund_id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                let refund = try simulator.refund(refundID, accountID: account.id)
                guard refund.paymentID == paymentID else { throw .noSuchID() }
                return refund.json
            }
        }

        router.post("/razorpay/v1/payment_links") { request, context in
            await api.call(request, context) { input, account throws(RazorpayError) in
                try simulator.createPaymentLink(input, accountID: account.id).json
            }
        }
        router.get("/razorpay/v1/payment_links/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                try simulator.paymentLink(id, accountID: account.id).json
            }
        }
        router.post("/razorpay/v1/payment_links/{id}/cancel") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, account throws(RazorpayError) in
                try simulator.cancelPaymentLink(id, accountID: account.id).json
            }
        }
        // A payment link's short URL: opening it pays (`?result=fail` declines), then goes to its
        // callback URL with Razorpay's payment-link signature.
        router.get("/razorpay/i/{id}") { request, context in
            let succeed = request.queryParameters["result"] != "fail"
            guard let result = simulator.payLink(context.parameter("id"), succeed: succeed) else {
                return CustomerPage.html(.notFound, title: "Unknown link", message: "No such Razorpay payment link.")
            }
            let link = result.link
            guard let payment = result.payment, payment.status != "failed" else {
                return CustomerPage.html(
                    .ok, title: "Payment not completed", message: "Payment link \(link.id) is \(link.status).")
            }
            if let callbackURL = link.callbackURL,
                let secret = simulator.context.accounts.account(id: link.accountID)?.secret
            {
                // HMAC-SHA256(key_secret, "plink_id|reference_id|status|payment_id"), as Razorpay's SDKs verify it.
                let message = [link.id, link.referenceID ?? "", link.status, payment.id].joined(separator: "|")
                return CustomerPage.redirect(
                    to: callbackURL,
                    adding: [
                        ("razorpay_payment_id", payment.id), ("razorpay_payment_link_id", link.id),
                        ("razorpay_payment_link_reference_id", link.referenceID ?? ""),
                        ("razorpay_payment_link_status", link.status),
                        ("razorpay_signature", Hex.encode(HMAC.sha256(key: secret, message: message))),
                    ])
            }
            return CustomerPage.html(
                .ok, title: "Payment successful", message: "Payment link \(link.id) is \(link.status).")
        }

        // Checkout: opening the page pays the order (`?result=fail` declines it); with `callback_url`
        // the customer is sent back with Razorpay's signed parameters.
        router.get("/razorpay/checkout/{order_id}") { request, context in
            let query = request.queryParameters
            return checkout(
                simulator, orderID: context.parameter("order_id"), succeed: query["result"] != "fail",
                callbackURL: query["callback_url"])
        }
        router.post("/razorpay/v1/checkout/embedded") { request, _ in
            let form = (try? StripeForm(encoded: request.body)) ?? StripeForm(pairs: [])
            guard let orderID = form.value("order_id") else {
                return CustomerPage.html(.badRequest, title: "Checkout failed", message: "order_id is required.")
            }
            return checkout(
                simulator, orderID: orderID, succeed: form.value("result") != "fail",
                callbackURL: form.value("callback_url"))
        }
    }

    static func collection(_ items: [JSONValue]) -> JSONValue {
        .object(["entity": "collection", "count": .int(Int64(items.count)), "items": .array(items)])
    }

    private static func checkout(_ simulator: RazorpaySimulator, orderID: String, succeed: Bool, callbackURL: String?)
        -> HTTPResponse
    {
        guard let result = simulator.completeCheckout(orderID, succeed: succeed) else {
            return CustomerPage.html(.notFound, title: "Unknown order", message: "No such Razorpay order.")
        }
        guard let payment = result.payment, payment.status != "failed" else {
            return CustomerPage.html(
                .ok, title: "Payment failed", message: "The payment for order \(orderID) was declined.")
        }
        if let callbackURL, let secret = simulator.context.accounts.account(id: payment.accountID)?.secret {
            // Razorpay's payment signature: HMAC-SHA256(key_secret, "order_id|payment_id").
            let signature = Hex.encode(HMAC.sha256(key: secret, message: orderID + "|" + payment.id))
            return CustomerPage.redirect(
                to: callbackURL,
                adding: [
                    ("razorpay_payment_id", payment.id), ("razorpay_order_id", orderID),
                    ("razorpay_signature", signature),
                ])
        }
        return CustomerPage.html(
            .ok, title: "Payment successful",
            message: "Payment \(payment.id) for order \(orderID) is \(payment.status). You can close this window.")
    }
}

/// Authentication, body parsing and the gate around every Razorpay API call.
struct RazorpayAPI: Sendable {
    let simulator: RazorpaySimulator
    let gate: ProviderGate

    /// `keyRule` says which idempotency header `idempotencyKey` came from, and so how it is checked.
    func call(
        _ request: HTTPRequest, _ context: RequestContext, idempotencyKey: String? = nil,
        keyRule: RazorpayIdempotencyKey = .refund,
        _ body: @Sendable (RazorpayInput, SandboxAccount) throws(RazorpayError) -> JSONValue
    ) async -> HTTPResponse {
        guard let credentials = AuthorizationHeader.basic(request.headers) else {
            return RazorpayError.authentication("Please provide your api key for authentication purposes.").response
        }
        guard
            let account = simulator.context.accounts.authenticate(
                .razorpay, credential: credentials.user,
                secret: credentials.password)
        else { return RazorpayError.authentication("The api key provided is invalid").response }
        let input: RazorpayInput
        do {
            input = try RazorpayInput(request)
        } catch {
            return error.response
        }
        if let problem = keyRule.problem(with: idempotencyKey) { return problem.response }
        var idempotency: ProviderGate.Idempotency?
        if let idempotencyKey {
            var material = Array((request.method.rawValue + " " + request.path + "\n").utf8)
            material.append(contentsOf: JSONValue.object(input.fields).serialized())
            idempotency = .init(key: idempotencyKey, fingerprint: Digest.sha256.hash(material))
        }
        return await gate.run(account: account, idempotency: idempotency, logger: context.logger) {
            .json(.ok, bytes: try body(input, account).serialized())
        }
    }
}
