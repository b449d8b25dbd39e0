import Foundation
import Shared
import Synchronization

/// Payment links (`POST /v1/payment_links`): the hosted page a connector can send a customer to,
/// paid by the simulated customer like an order's Checkout.
extension RazorpaySimulator {
    func createPaymentLink(_ input: RazorpayInput, accountID: String) throws(RazorpayError) -> RazorpayPaymentLink {
        guard let amount = try input.integer("amount") else {
            throw .badRequest("The amount field is required.", field: "amount")
        }
        let currencyText = try input.string("currency") ?? "INR"
        guard let currency = Currency(code: currencyText), currencyText == currency.code else {
            throw .badRequest("The currency is invalid.", field: "currency")
        }
        guard amount >= 100 else {
            throw .badRequest("The amount must be atleast \(currency.code) 1.00", field: "amount")
        }
        if try input.flag("accept_partial") == true {
            throw .badRequest("The sandbox does not simulate partial payments.", field: "accept_partial")
        }
        let referenceID = try input.string("reference_id", maxLength: 40)
        let description = try input.string("description", maxLength: 2048)
        let callbackURL = try input.string("callback_url", maxLength: 2048)
        let callbackMethod = try input.string("callback_method")
        let notes = try input.notes()
        var customer = JSONValue.object([:])
        if let given = input.fields["customer"], case .object = given { customer = given }
        let now = Int64(Date().timeIntervalSince1970)
        let linkID = ProviderIDs.razorpay("plink")
        let order = RazorpayOrder(
            id: ProviderIDs.razorpay("order"), accountID: accountID, amount: amount, currency: currency.code,
            receipt: referenceID, notes: notes, capturesAutomatically: true, paymentLinkID: linkID, createdAt: now)
        let link = RazorpayPaymentLink(
            id: linkID, accountID: accountID, orderID: order.id, amount: amount, currency: currency.code,
            referenceID: referenceID, description: description, notes: notes, customer: customer,
            callbackURL: callbackURL,
            callbackMethod: callbackMethod, shortURL: context.publicURL + "/razorpay/i/" + linkID, createdAt: now,
            updatedAt: now)
        state.withLock { state in
            state.orders[order.id] = order
            state.paymentLinks[linkID] = link
        }
        var effects = RazorpayEffects(accountID: accountID, orderID: order.id)
        effects.operation(
            .createPayment, objectID: linkID, relatedObjectID: order.id, cofferID: link.cofferID, amount: amount,
            currency: currency.code)
        effects.awaitsCustomer = true
        finish(effects)
        return link
    }

    func paymentLink(_ id: String, accountID: String) throws(RazorpayError) -> RazorpayPaymentLink {
        guard let link = state.withLock({ $0.paymentLinks[id] }), link.accountID == accountID else { throw .noSuchID() }
        return link
    }

    func cancelPaymentLink(_ id: String, accountID: String) throws(RazorpayError) -> RazorpayPaymentLink {
        var effects = RazorpayEffects(accountID: accountID, orderID: "")
        let link = try state.withLock { (state: inout State) throws(RazorpayError) -> RazorpayPaymentLink in
            guard var link = state.paymentLinks[id], link.accountID == accountID else { throw .noSuchID() }
            guard link.status == "created" else {
                throw .invalidState("Payment link cannot be cancelled as it is in \(link.status) state")
            }
            link.status = "cancelled"
            link.cancelledAt = Int64(Date().timeIntervalSince1970)
            link.updatedAt = link.cancelledAt
            state.paymentLinks[id] = link
            effects.orderID = link.orderID
            effects.event("payment_link.cancelled", ["payment_link": link.json])
            effects.operation(
                .cancel, objectID: id, relatedObjectID: link.orderID, cofferID: link.cofferID, amount: link.amount,
                currency: link.currency)
            return link
        }
        finish(effects)
        return link
    }

    /// The customer opens the link: pays its order (`succeed` false declines). Nil for an unknown link.
    func payLink(_ id: String, succeed: Bool) -> (link: RazorpayPaymentLink, payment: RazorpayPayment?)? {
        guard let orderID = state.withLock({ $0.paymentLinks[id]?.orderID }),
            let result = completeCheckout(orderID, succeed: succeed),
            let link = state.withLock({ $0.paymentLinks[id] })
        else { return nil }
        return (link, result.payment)
    }
}
