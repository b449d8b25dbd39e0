import Foundation
import Shared
import Synchronization

/// Razorpay's orders, payments and refunds, and RazorpayX's payouts, in memory. The customer pays in
/// (simulated) Checkout: by itself after the auto-complete delay, or when the checkout page is opened;
/// payouts settle after the payout delay.
final class RazorpaySimulator: Sendable {
    struct State {
        var orders: [String: RazorpayOrder] = [:]
        var payments: [String: RazorpayPayment] = [:]
        var refunds: [String: RazorpayRefund] = [:]
        var paymentLinks: [String: RazorpayPaymentLink] = [:]
        var payouts: [String: RazorpayPayout] = [:]
        /// Fund accounts by account and id: the same details name the same fund account again.
        var fundAccounts: [String: RazorpayFundAccount] = [:]
        /// Payout ids, oldest first, per account and business account number, and per reference id.
        var payoutOrder: [String: [String]] = [:]
        var payoutReferences: [String: [String]] = [:]
        /// What each business account number holds for payouts.
        var balances: PayoutBalances

        init(payoutOpening: Int64) {
            balances = PayoutBalances(opening: payoutOpening)
        }
    }

    let context: SimulatorContext
    /// Every object, behind one lock (extensions in other files change it too).
    let state: Mutex<State>

    init(context: SimulatorContext) {
        self.context = context
        state = Mutex(State(payoutOpening: context.payoutOpeningBalance))
    }

    // MARK: Orders

    func createOrder(_ input: RazorpayInput, accountID: String) throws(RazorpayError) -> RazorpayOrder {
        guard let amount = try input.integer("amount") else {
            throw .badRequest("The amount field is required.", field: "amount")
        }
        guard let currencyText = try input.string("currency") else {
            throw .badRequest("The currency field is required.", field: "currency")
        }
        guard let currency = Currency(code: currencyText), currencyText == currency.code else {
            throw .badRequest("The currency is invalid.", field: "currency")
        }
        guard amount >= 100 else {
            throw .badRequest("The amount must be atleast \(currency.code) 1.00", field: "amount")
        }
        let receipt = try input.string("receipt", maxLength: 40)
        let notes = try input.notes()
        let capture = try input.flag("payment_capture") ?? true
        let order = RazorpayOrder(
            id: ProviderIDs.razorpay("order"), accountID: accountID, amount: amount, currency: currency.code,
            receipt: receipt, notes: notes, capturesAutomatically: capture,
            createdAt: Int64(Date().timeIntervalSince1970))
        state.withLock { $0.orders[order.id] = order }
        var effects = RazorpayEffects(accountID: accountID, orderID: order.id)
        effects.operation(
            .createPayment, objectID: order.id, relatedObjectID: nil, cofferID: order.cofferID, amount: amount,
            currency: order.currency)
        effects.awaitsCustomer = true
        finish(effects)
        return order
    }

    func order(_ id: String, accountID: String) throws(RazorpayError) -> RazorpayOrder {
        guard let order = state.withLock({ $0.orders[id] }), order.accountID == accountID else { throw .noSuchID() }
        return order
    }

    func payments(ofOrder id: String, accountID: String) throws(RazorpayError) -> [RazorpayPayment] {
        try state.withLock { (state: inout State) throws(RazorpayError) -> [RazorpayPayment] in
            guard let order = state.orders[id], order.accountID == accountID else { throw .noSuchID() }
            return order.paymentIDs.compactMap { state.payments[$0] }
        }
    }

    // MARK: The customer in Checkout

    /// The customer pays the order (or fails to). Nil when there is no such order; `changed` false
    /// when it needed nothing (already paid, or a payment is already authorized).
    @discardableResult
    func completeCheckout(_ orderID: String, succeed: Bool) -> (
        order: RazorpayOrder, payment: RazorpayPayment?, changed: Bool
    )? {
        var effects: RazorpayEffects?
        let result = state.withLock { state -> (order: RazorpayOrder, payment: RazorpayPayment?, changed: Bool)? in
            guard var order = state.orders[orderID] else { return nil }
            let existing = order.paymentIDs.compactMap { state.payments[$0] }.last { $0.status != "failed" }
            if order.status == "paid" || existing != nil { return (order, existing, false) }
            // A cancelled payment link can no longer be paid.
            if let linkID = order.paymentLinkID, state.paymentLinks[linkID]?.status != "created" {
                return (order, nil, false)
            }
            var changes = RazorpayEffects(accountID: order.accountID, orderID: orderID)
            defer { effects = changes }
            let now = Int64(Date().timeIntervalSince1970)
            var payment = RazorpayPayment(
                id: ProviderIDs.razorpay("pay"), accountID: order.accountID, orderID: orderID,
                amount: order.amount, currency: order.currency, status: "authorized", notes: order.notes,
                createdAt: now)
            order.attempts += 1
            order.status = "attempted"
            order.paymentIDs.append(payment.id)
            changes.operation(
                .customerAction, objectID: payment.id, relatedObjectID: orderID, cofferID: order.cofferID,
                amount: order.amount, currency: order.currency)
            if !succeed || context.takeDecline(.razorpay, accountID: order.accountID) {
                payment.status = "failed"
                payment.errorCode = "BAD_REQUEST_ERROR"
                payment.errorDescription =
                    "Your payment didn't go through as it was declined by the bank. Try another payment method or contact your bank."
                payment.errorSource = "bank"
                payment.errorStep = "payment_authorization"
                payment.errorReason = "payment_declined"
                state.payments[payment.id] = payment
                state.orders[orderID] = order
                changes.event("payment.failed", ["payment": payment.json])
                return (order, payment, true)
            }
            state.payments[payment.id] = payment
            state.orders[orderID] = order
            changes.event("payment.authorized", ["payment": payment.json])
            if order.capturesAutomatically {
                Self.capture(&payment, order: &order, state: &state, effects: &changes)
                changes.operation(
                    .capture, objectID: payment.id, relatedObjectID: orderID, cofferID: order.cofferID,
                    amount: payment.amount, currency: payment.currency)
            }
            return (order, payment, true)
        }
        if let effects { finish(effects) }
        return result
    }

    // MARK: Payments

    func payment(_ id: String, accountID: String) throws(RazorpayError) -> RazorpayPayment {
        guard let payment = state.withLock({ $0.payments[id] }), payment.accountID == accountID else {
            throw .noSuchID()
        }
        return payment
    }

    func capture(_ id: String, _ input: RazorpayInput, accountID: String) throws(RazorpayError) -> RazorpayPayment {
        guard let amount = try input.integer("amount") else {
            throw .badRequest("The amount field is required.", field: "amount")
        }
        guard let currency = try input.string("currency") else {
            throw .badRequest("The currency field is required.", field: "currency")
        }
        var effects = RazorpayEffects(accountID: accountID, orderID: "")
        let payment = try state.withLock { (state: inout State) throws(RazorpayError) -> RazorpayPayment in
            guard var payment = state.payments[id], payment.accountID == accountID,
                var order = state.orders[payment.orderID]
            else {
                throw .noSuchID()
            }
            if payment.captured { throw .invalidState("This payment has already been captured") }
            guard payment.status == "authorized" else {
                throw .invalidState("Only payments which have been authorized and not yet captured can be captured")
            }
            guard currency == payment.currency else {
                throw .badRequest("The currency should be same as the payment currency", field: "currency")
            }
            guard amount == payment.amount else {
                throw .badRequest("Capture amount must be equal to the amount authorized", field: "amount")
            }
            effects.orderID = order.id
            Self.capture(&payment, order: &order, state: &state, effects: &effects)
            effects.operation(
                .capture, objectID: payment.id, relatedObjectID: order.id,
                cofferID: payment.notes["coffer_payment_id"] ?? order.cofferID,
                amount: amount, currency: payment.currency)
            return payment
        }
        finish(effects)
        return payment
    }

    // MARK: Refunds

    func refund(
        payment id: String, _ input: RazorpayInput, accountID: String,
        idempotencyKey: String? = nil
    ) throws(RazorpayError) -> RazorpayRefund {
        let requested = try input.integer("amount")
        if let requested, requested < 100 {
            throw .badRequest("The amount must be atleast INR 1.00", field: "amount")
        }
        let notes = try input.notes()
        let receipt = try input.string("receipt", maxLength: 40)
        if let speed = try input.string("speed"), !["normal", "optimum"].contains(speed) {
            throw .badRequest("The selected speed is invalid.", field: "speed")
        }
        var effects = RazorpayEffects(accountID: accountID, orderID: "")
        let refund = try state.withLock { (state: inout State) throws(RazorpayError) -> RazorpayRefund in
            guard var payment = state.payments[id], payment.accountID == accountID else { throw .noSuchID() }
            guard payment.captured else { throw .invalidState("Only captured payments can be refunded") }
            let remaining = payment.amount - payment.amountRefunded
            guard remaining > 0 else { throw .invalidState("The payment has been fully refunded already") }
            let amount = requested ?? remaining
            guard amount <= remaining else {
                throw .badRequest("The refund amount provided is greater than amount captured", field: "amount")
            }
            payment.amountRefunded += amount
            if payment.amountRefunded >= payment.amount { payment.status = "refunded" }
            state.payments[id] = payment
            let refund = RazorpayRefund(
                id: ProviderIDs.razorpay("rfnd"), accountID: accountID, paymentID: id, amount: amount,
                currency: payment.currency, notes: notes, receipt: receipt,
                createdAt: Int64(Date().timeIntervalSince1970))
            state.refunds[refund.id] = refund
            effects.orderID = payment.orderID
            effects.event("refund.created", ["refund": refund.json, "payment": payment.json])
            effects.event("refund.processed", ["refund": refund.json, "payment": payment.json])
            effects.operation(
                .refund, objectID: refund.id, relatedObjectID: id, idempotencyKey: idempotencyKey,
                cofferID: notes["coffer_refund_id"] ?? receipt, amount: amount, currency: payment.currency)
            return refund
        }
        finish(effects)
        return refund
    }

    func refund(_ id: String, accountID: String) throws(RazorpayError) -> RazorpayRefund {
        guard let refund = state.withLock({ $0.refunds[id] }), refund.accountID == accountID else { throw .noSuchID() }
        return refund
    }

    func refunds(ofPayment id: String, accountID: String) throws(RazorpayError) -> [RazorpayRefund] {
        try state.withLock { (state: inout State) throws(RazorpayError) -> [RazorpayRefund] in
            guard let payment = state.payments[id], payment.accountID == accountID else { throw .noSuchID() }
            return state.refunds.values.filter { $0.paymentID == id }.sorted { $0.id < $1.id }
        }
    }

    func reset() {
        state.withLock { $0 = State(payoutOpening: context.payoutOpeningBalance) }
    }

    /// Captures an authorized payment: the order is paid once one of its payments is captured.
    static func capture(
        _ payment: inout RazorpayPayment, order: inout RazorpayOrder, state: inout State,
        effects: inout RazorpayEffects
    ) {
        payment.status = "captured"
        payment.captured = true
        // Razorpay's fee is 2% plus 18% GST on it, in integer paise.
        let fee = payment.amount * 2 / 100
        payment.tax = fee * 18 / 100
        payment.fee = fee + (payment.tax ?? 0)
        order.status = "paid"
        order.amountPaid = order.amount
        state.payments[payment.id] = payment
        state.orders[order.id] = order
        effects.event("payment.captured", ["payment": payment.json])
        effects.event("order.paid", ["payment": payment.json, "order": order.json])
        if let linkID = order.paymentLinkID, var link = state.paymentLinks[linkID] {
            link.markPaid(by: payment)
            state.paymentLinks[linkID] = link
            effects.event(
                "payment_link.paid", ["payment_link": link.json, "payment": payment.json, "order": order.json])
        }
    }

    func finish(_ effects: RazorpayEffects) {
        for draft in effects.operations { context.operations.record(draft) }
        let webhooks = effects.events.map { event -> OutgoingWebhook in
            let envelope = RazorpayEvents.envelope(
                type: event.type, payload: event.payload, accountID: effects.accountID)
            return OutgoingWebhook(
                provider: .razorpay, accountID: effects.accountID, eventID: envelope.id, eventType: event.type,
                groupKey: effects.orderID, body: envelope.body)
        }
        context.webhooks.send(webhooks)
        if effects.awaitsCustomer {
            let orderID = effects.orderID
            context.scheduleAutoComplete(.razorpay, accountID: effects.accountID) { [self] in
                completeCheckout(orderID, succeed: true)
            }
        }
    }
}

extension RazorpaySimulator: ProviderSimulator {
    var provider: SandboxProvider { .razorpay }

    /// `objectID` is an order, or a payment link (which pays its order).
    func completeAsCustomer(_ objectID: String, succeed: Bool) -> (completed: Bool, object: JSONValue)? {
        var orderID: String? = objectID
        if objectID.hasPrefix("plink_") { orderID = state.withLock { $0.paymentLinks[objectID]?.orderID } }
        guard let orderID, let result = completeCheckout(orderID, succeed: succeed) else { return nil }
        var object = result.order.json.objectValue ?? [:]
        if let payment = result.payment { object["payment"] = payment.json }
        return (result.changed, .object(object))
    }
}
