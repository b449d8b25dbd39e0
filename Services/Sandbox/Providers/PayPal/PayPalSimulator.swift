import Foundation
import Shared
import Synchronization

/// PayPal's Orders v2 and Payments v2 in memory: orders the payer approves (by themselves after the
/// auto-complete delay, or on the approval page), captures, authorizations, voids and refunds.
final class PayPalSimulator: Sendable {
    struct State {
        var orders: [String: PayPalOrder] = [:]
        var captures: [String: PayPalCapture] = [:]
        var authorizations: [String: PayPalAuthorization] = [:]
        var refunds: [String: PayPalRefund] = [:]

        func view(_ order: PayPalOrder) -> PayPalOrderView {
            PayPalOrderView(
                order: order, captures: order.captureIDs.compactMap { captures[$0] },
                authorizations: order.authorizationIDs.compactMap { authorizations[$0] })
        }
    }

    let context: SimulatorContext
    let tokens: AccessTokens
    let identity: PayPalSigningIdentity
    /// Every object, behind one lock (extensions in other files change it too).
    let state = Mutex(State())

    init(context: SimulatorContext, tokens: AccessTokens, identity: PayPalSigningIdentity) {
        self.context = context
        self.tokens = tokens
        self.identity = identity
    }

    /// PayPal's API base inside the sandbox, for links.
    var base: String { context.publicURL + "/paypal" }

    /// An access token shaped like PayPal's (`A21AA…`).
    @Sendable static func mintToken() -> String {
        "A21AA"
            + ProviderIDs.random(
                92, from: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_".utf8))
    }

    // MARK: Orders

    func createOrder(_ body: JSONValue, accountID: String, requestID: String?) throws(PayPalError) -> PayPalOrderView {
        guard let intent = body["intent"]?.stringValue else {
            throw .invalidRequest(
                "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.", field: "/intent")
        }
        guard intent == "CAPTURE" || intent == "AUTHORIZE" else {
            throw .invalidRequest("INVALID_PARAMETER_VALUE", "The value of a field is invalid.", field: "/intent")
        }
        guard let units = body["purchase_units"]?.arrayValue, let unit = units.first else {
            throw .invalidRequest(
                "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.", field: "/purchase_units")
        }
        guard units.count == 1 else {
            throw .unprocessable(
                "MULTIPLE_PURCHASE_UNITS_NOT_SUPPORTED",
                "The sandbox supports one purchase unit per order.", field: "/purchase_units")
        }
        let amount = try PayPalAmount.parse(unit["amount"], field: "/purchase_units/@reference_id=='default'/amount")
        func text(_ name: String, max: Int) throws(PayPalError) -> String? {
            guard let value = unit[name], !value.isNull else { return nil }
            guard let string = value.stringValue, !string.isEmpty, string.count <= max else {
                throw .invalidRequest(
                    "INVALID_STRING_LENGTH", "The value of a field is either too short or too long.",
                    field: "/purchase_units/@reference_id=='default'/" + name)
            }
            return string
        }
        let referenceID = try text("reference_id", max: 256) ?? "default"
        let customID = try text("custom_id", max: 127)
        let invoiceID = try text("invoice_id", max: 127)
        let description = try text("description", max: 127)
        let experience = body["payment_source"]?["paypal"]?["experience_context"] ?? body["application_context"]
        let now = Date()
        let order = PayPalOrder(
            id: ProviderIDs.paypal(), accountID: accountID, intent: intent,
            status: body["payment_source"] == nil ? "CREATED" : "PAYER_ACTION_REQUIRED", referenceID: referenceID,
            customID: customID, invoiceID: invoiceID, description: description, amount: amount,
            returnURL: experience?["return_url"]?.stringValue, cancelURL: experience?["cancel_url"]?.stringValue,
            usesPayerAction: body["payment_source"] != nil, createTime: now, updateTime: now)
        state.withLock { $0.orders[order.id] = order }
        var effects = PayPalEffects(accountID: accountID, orderID: order.id)
        effects.operation(
            .createPayment, objectID: order.id, relatedObjectID: nil, idempotencyKey: requestID,
            cofferID: order.cofferID,
            amount: amount)
        effects.awaitsPayer = true
        finish(effects)
        return PayPalOrderView(order: order, captures: [], authorizations: [])
    }

    func order(_ id: String, accountID: String) throws(PayPalError) -> PayPalOrderView {
        try state.withLock { (state: inout State) throws(PayPalError) -> PayPalOrderView in
            guard let order = state.orders[id], order.accountID == accountID else { throw .notFound() }
            return state.view(order)
        }
    }

    /// The payer approves the order (or cancels, with `succeed` false). Nil when there is no such order.
    @discardableResult
    func approve(_ id: String, succeed: Bool) -> (view: PayPalOrderView, changed: Bool)? {
        var effects: PayPalEffects?
        let result = state.withLock { state -> (view: PayPalOrderView, changed: Bool)? in
            guard var order = state.orders[id] else { return nil }
            guard order.status == "CREATED" || order.status == "PAYER_ACTION_REQUIRED", !order.payerCanceled else {
                return (state.view(order), false)
            }
            var changes = PayPalEffects(accountID: order.accountID, orderID: id)
            defer { effects = changes }
            order.updateTime = Date()
            if succeed {
                order.status = "APPROVED"
                order.payerID = ProviderIDs.random(13, from: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
            } else {
                order.payerCanceled = true
            }
            state.orders[id] = order
            let view = state.view(order)
            changes.operation(
                .customerAction, objectID: id, relatedObjectID: nil, idempotencyKey: nil, cofferID: order.cofferID,
                amount: order.amount)
            if succeed {
                changes.event(
                    "CHECKOUT.ORDER.APPROVED", resourceType: "checkout-order",
                    summary: "An order has been approved by buyer",
                    view.json(base: base, sandboxURL: context.publicURL))
            }
            return (view, true)
        }
        if let effects { finish(effects) }
        return result
    }

    func captureOrder(_ id: String, accountID: String, requestID: String?) throws(PayPalError) -> PayPalOrderView {
        try settle(id, accountID: accountID, requestID: requestID, intent: "CAPTURE")
    }

    func authorizeOrder(_ id: String, accountID: String, requestID: String?) throws(PayPalError) -> PayPalOrderView {
        try settle(id, accountID: accountID, requestID: requestID, intent: "AUTHORIZE")
    }

    /// Captures or authorizes an approved order, as its intent says.
    private func settle(_ id: String, accountID: String, requestID: String?, intent: String) throws(PayPalError)
        -> PayPalOrderView
    {
        var effects = PayPalEffects(accountID: accountID, orderID: id)
        let outcome = try state.withLock {
            (state: inout State) throws(PayPalError) -> Result<PayPalOrderView, PayPalError> in
            guard var order = state.orders[id], order.accountID == accountID else { throw .notFound() }
            guard order.intent == intent else {
                throw .unprocessable(
                    "ACTION_DOES_NOT_MATCH_INTENT",
                    intent == "CAPTURE"
                        ? "Order was created with an intent to 'AUTHORIZE'. Please use v2/checkout/orders/order_id/authorize to complete the transaction or alternately Create an order with an intent of 'CAPTURE'."
                        : "Order was created with an intent to 'CAPTURE'. Please use v2/checkout/orders/order_id/capture to complete the transaction or alternately Create an order with an intent of 'AUTHORIZE'."
                )
            }
            if order.status == "COMPLETED" {
                throw intent == "CAPTURE"
                    ? .unprocessable(
                        "ORDER_ALREADY_CAPTURED",
                        "Order already captured. If 'intent=CAPTURE' only one capture per order is allowed.")
                    : .unprocessable(
                        "ORDER_ALREADY_AUTHORIZED",
                        "Order already authorized. If 'intent=AUTHORIZE' only one authorization per order is allowed.")
            }
            guard order.status == "APPROVED" else {
                throw .unprocessable(
                    "ORDER_NOT_APPROVED",
                    "Payer has not yet approved the Order for payment. Please redirect the payer to "
                        + "the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid "
                        + "payment_source in the request.")
            }
            let now = Date()
            if context.takeDecline(.paypal, accountID: accountID) {
                if intent == "CAPTURE" {
                    let declined = PayPalCapture(
                        id: ProviderIDs.paypal(), accountID: accountID, orderID: id, authorizationID: nil,
                        amount: order.amount, status: "DECLINED", customID: order.customID,
                        invoiceID: order.invoiceID, finalCapture: true, createTime: now, updateTime: now)
                    state.captures[declined.id] = declined
                    effects.event(
                        "PAYMENT.CAPTURE.DECLINED", resourceType: "capture",
                        summary:
                            "Payment for \(order.amount.majorUnitString) \(order.amount.currency.code) was declined",
                        declined.json(base: base))
                }
                var error = PayPalError.unprocessable(
                    "INSTRUMENT_DECLINED",
                    "The instrument presented  was either declined by the processor or bank, or it can't be used "
                        + "for this payment.")
                error.executed = true
                return .failure(error)
            }
            order.status = "COMPLETED"
            order.updateTime = now
            if intent == "CAPTURE" {
                let capture = PayPalCapture(
                    id: ProviderIDs.paypal(), accountID: accountID, orderID: id, authorizationID: nil,
                    amount: order.amount, status: "COMPLETED", customID: order.customID, invoiceID: order.invoiceID,
                    finalCapture: true, createTime: now, updateTime: now)
                state.captures[capture.id] = capture
                order.captureIDs.append(capture.id)
                effects.event(
                    "PAYMENT.CAPTURE.COMPLETED", resourceType: "capture",
                    summary: "Payment completed for \(order.amount.majorUnitString) \(order.amount.currency.code)",
                    capture.json(base: base))
                effects.operation(
                    .capture, objectID: capture.id, relatedObjectID: id, idempotencyKey: requestID,
                    cofferID: order.cofferID,
                    amount: order.amount)
            } else {
                let authorization = PayPalAuthorization(
                    id: ProviderIDs.paypal(), accountID: accountID, orderID: id, amount: order.amount,
                    status: "CREATED", customID: order.customID, invoiceID: order.invoiceID,
                    createTime: now, updateTime: now)
                state.authorizations[authorization.id] = authorization
                order.authorizationIDs.append(authorization.id)
                effects.event(
                    "PAYMENT.AUTHORIZATION.CREATED", resourceType: "authorization",
                    summary:
                        "A payment authorization was created for \(order.amount.majorUnitString) \(order.amount.currency.code)",
                    authorization.json(base: base))
                effects.operation(
                    .authorize, objectID: authorization.id, relatedObjectID: id, idempotencyKey: requestID,
                    cofferID: order.cofferID, amount: order.amount)
            }
            state.orders[id] = order
            return .success(state.view(order))
        }
        finish(effects)
        return try outcome.get()
    }

    func reset() {
        state.withLock { $0 = State() }
    }

    /// An optional `amount` (captures and refunds default to what remains).
    static func optionalAmount(_ body: JSONValue) throws(PayPalError) -> Money? {
        guard let value = body["amount"], !value.isNull else { return nil }
        return try PayPalAmount.parse(value, field: "/amount")
    }

    func finish(_ effects: PayPalEffects) {
        for draft in effects.operations { context.operations.record(draft) }
        let webhooks = effects.events.map { event -> OutgoingWebhook in
            let envelope = PayPalEvents.envelope(
                type: event.type, resourceType: event.resourceType, summary: event.summary,
                resource: event.resource, base: base)
            return OutgoingWebhook(
                provider: .paypal, accountID: effects.accountID, eventID: envelope.id, eventType: event.type,
                groupKey: effects.orderID, body: envelope.body)
        }
        context.webhooks.send(webhooks)
        if effects.awaitsPayer {
            let orderID = effects.orderID
            context.scheduleAutoComplete(.paypal, accountID: effects.accountID) { [self] in
                approve(orderID, succeed: true)
            }
        }
    }
}

extension PayPalSimulator: ProviderSimulator {
    var provider: SandboxProvider { .paypal }

    func completeAsCustomer(_ objectID: String, succeed: Bool) -> (completed: Bool, object: JSONValue)? {
        guard let result = approve(objectID, succeed: succeed) else { return nil }
        return (result.changed, result.view.json(base: base, sandboxURL: context.publicURL))
    }
}
