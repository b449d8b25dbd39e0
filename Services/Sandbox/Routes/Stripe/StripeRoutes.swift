import Foundation
import HTTP
import Shared

/// Stripe's API under `/stripe` at its real paths (`/stripe/v1/payment_intents`, transfers in
/// `StripeTransferRoutes`…): bearer secret keys, form-encoded parameters, `Idempotency-Key` on POSTs.
/// Plus the page a customer's browser opens for 3-D Secure (`/stripe/authenticate/{id}`).
enum StripeRoutes {
    static func register(on router: Router, simulator: StripeSimulator) {
        let api = StripeAPI(
            simulator: simulator, gate: ProviderGate(context: simulator.context, dialect: StripeDialect()))
        let publicURL = simulator.context.publicURL
        StripeTransferRoutes.register(on: router, api: api)

        router.post("/stripe/v1/payment_intents") { request, context in
            await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.createPaymentIntent(form, caller: caller).json(publicURL: publicURL)
            }
        }
        router.get("/stripe/v1/payment_intents/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, caller throws(StripeError) in
                try simulator.paymentIntent(id, accountID: caller.accountID).json(publicURL: publicURL)
            }
        }
        router.post("/stripe/v1/payment_intents/{id}/confirm") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.confirmPaymentIntent(id, form, caller: caller).json(publicURL: publicURL)
            }
        }
        router.post("/stripe/v1/payment_intents/{id}/capture") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.capture(id, form, caller: caller).json(publicURL: publicURL)
            }
        }
        router.post("/stripe/v1/payment_intents/{id}/cancel") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.cancel(id, form, caller: caller).json(publicURL: publicURL)
            }
        }
        router.post("/stripe/v1/refunds") { request, context in
            await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.createRefund(form, caller: caller).json
            }
        }
        router.get("/stripe/v1/charges/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, caller throws(StripeError) in
                guard let charge = simulator.charge(id, accountID: caller.accountID) else {
                    throw .noSuch("charge", id, param: "id")
                }
                return charge.json
            }
        }
        router.get("/stripe/v1/refunds/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { _, caller throws(StripeError) in
                try simulator.refund(id, accountID: caller.accountID).json
            }
        }
        router.post("/stripe/v1/refunds/{id}") { request, context in
            let id = context.parameter("id")
            return await api.call(request, context) { form, caller throws(StripeError) in
                try simulator.updateRefund(id, form, caller: caller).json
            }
        }

        // The customer's 3-D Secure page: opening it completes authentication (`?result=fail` fails it).
        let authenticate: RouteHandler = { request, context in
            let succeed = request.queryParameters["result"] != "fail"
            guard let intent = simulator.authenticate(context.parameter("id"), succeed: succeed)?.intent else {
                return CustomerPage.html(.notFound, title: "Unknown payment", message: "No such PaymentIntent.")
            }
            if let returnURL = intent.returnURL {
                let status =
                    intent.status == "succeeded" || intent.status == "requires_capture" ? "succeeded" : "failed"
                return CustomerPage.redirect(
                    to: returnURL,
                    adding: [
                        ("payment_intent", intent.id), ("payment_intent_client_secret", intent.clientSecret),
                        ("redirect_status", status),
                    ])
            }
            return CustomerPage.html(
                .ok, title: "Authentication complete",
                message: "PaymentIntent \(intent.id) is now \(intent.status). You can close this window.")
        }
        router.get("/stripe/authenticate/{id}", authenticate)
        router.post("/stripe/authenticate/{id}", authenticate)
    }
}

/// Authentication, parameters and the gate around every Stripe API call.
struct StripeAPI: Sendable {
    let simulator: StripeSimulator
    let gate: ProviderGate

    /// `expand[]=latest_charge` replaces the charge id with the charge, as Stripe does; other
    /// expansions are not simulated and leave ids as they are.
    func expand(_ object: JSONValue, form: StripeForm, accountID: String) -> JSONValue {
        let wanted = form.pairs.contains { $0.name.hasPrefix("expand[") && $0.value == "latest_charge" }
        guard wanted, case .object(var members) = object, let chargeID = members["latest_charge"]?.stringValue,
            let charge = simulator.charge(chargeID, accountID: accountID)
        else { return object }
        members["latest_charge"] = charge.json
        return .object(members)
    }

    func call(
        _ request: HTTPRequest, _ context: RequestContext,
        _ body: @Sendable (StripeForm, StripeSimulator.Caller) throws(StripeError) -> JSONValue
    ) async -> HTTPResponse {
        let accounts = simulator.context.accounts
        let key = AuthorizationHeader.bearer(request.headers) ?? AuthorizationHeader.basic(request.headers)?.user
        guard let key, !key.isEmpty else { return StripeError.missingAPIKey().response }
        guard let account = accounts.account(.stripe, credential: key) else {
            return StripeError.invalidAPIKey(key).response
        }
        let form: StripeForm
        do {
            form =
                request.method == .GET
                ? try StripeForm(encoded: (request.head.query ?? "").utf8) : try StripeForm(encoded: request.body)
        } catch {
            return error.response
        }
        var idempotency: ProviderGate.Idempotency?
        let idempotencyKey = request.method == .POST ? request.headers["Idempotency-Key"] : nil
        if let idempotencyKey {
            guard !idempotencyKey.isEmpty, idempotencyKey.utf8.count <= 255 else {
                return StripeError.invalidRequest("Idempotency keys must be between 1 and 255 characters long.")
                    .response
            }
            var material = Array((request.method.rawValue + " " + request.path + "\n").utf8)
            material.append(contentsOf: form.canonicalBytes)
            idempotency = .init(key: idempotencyKey, fingerprint: Digest.sha256.hash(material))
        }
        let requestID = ProviderIDs.stripe("req")
        let caller = StripeSimulator.Caller(accountID: account.id, idempotencyKey: idempotencyKey, requestID: requestID)
        return await gate.run(account: account, idempotency: idempotency, logger: context.logger) {
            StripeResponse.json(
                .ok, expand(try body(form, caller), form: form, accountID: account.id), requestID: requestID)
        }
    }
}
