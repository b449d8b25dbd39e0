import HTTP
import ProviderKit
import Shared

/// Capturing and cancelling: both start from the order, so a repeated call after a lost answer finds
/// the work done and reports it instead of failing.
extension PayPalAdapter {
    func capturePayment(
        _ providerPaymentID: String, amount: Money?, idempotencyKey: String,
        connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderPaymentState {
        let (order, readCall) = try await fetchOrder(providerPaymentID, role: .lookup, connector: connector)
        if let amount, let currency = order.amount?.currency, amount.currency != currency {
            throw ProviderError.invalid("currency_mismatch", "The capture's currency is not the order's.")
        }
        switch order.status {
        case "APPROVED" where !order.isAuthorizeIntent:
            if let amount, let total = order.amount, amount != total {
                throw ProviderError.invalid(
                    "partial_capture_unsupported",
                    "A PayPal order with intent CAPTURE is captured in full; use manual capture to capture part of it.")
            }
            switch try await orderStep(
                order, "/v2/checkout/orders/{}/capture", requestID: idempotencyKey,
                connector: connector)
            {
            case .payerAction(let state): return state
            case .done(let captured, let call):
                return try PayPalOrderMapping.state(captured, fallbackAmount: order.amount, call: call)
            }
        case "APPROVED":
            switch try await orderStep(
                order, "/v2/checkout/orders/{}/authorize", requestID: "\(idempotencyKey)-authorize",
                connector: connector)
            {
            case .payerAction(let state): return state
            case .done(let authorized, let call) where !authorized.authorizations.isEmpty:
                return try await captureAuthorization(
                    authorized, amount: amount, requestID: idempotencyKey,
                    readCall: call, connector: connector)
            case .done:
                // A minimal answer names no authorization: read the order for it.
                let (reread, call) = try await fetchOrder(order.id, role: .lookup, connector: connector)
                return try await captureAuthorization(
                    reread, amount: amount, requestID: idempotencyKey,
                    readCall: call, connector: connector)
            }
        case "COMPLETED" where order.isAuthorizeIntent:
            return try await captureAuthorization(
                order, amount: amount, requestID: idempotencyKey, readCall: readCall,
                connector: connector)
        case "COMPLETED":
            return try PayPalOrderMapping.state(order, fallbackAmount: nil, call: readCall)
        case "CREATED", "PAYER_ACTION_REQUIRED", "SAVED":
            throw ProviderError.invalid("ORDER_NOT_APPROVED", "The payer has not approved the PayPal order yet.")
        default:
            throw ProviderError.invalid(
                "ORDER_NOT_CAPTURABLE", "The PayPal order cannot be captured (\(order.status)).")
        }
    }

    /// PayPal cannot cancel an order: one the payer has not approved, or a CAPTURE order that was
    /// approved but not captured, simply expires unused, so it is reported `.canceled` without a call.
    /// An authorization is voided (`POST /v2/payments/authorizations/{id}/void`); captured money must be
    /// refunded instead.
    func cancelPayment(_ providerPaymentID: String, idempotencyKey: String, connector: ProviderConnector)
        async throws(ProviderError) -> ProviderPaymentState
    {
        let (order, readCall) = try await fetchOrder(providerPaymentID, role: .lookup, connector: connector)
        let current = try PayPalOrderMapping.state(order, fallbackAmount: nil, call: readCall)
        let canceled = ProviderPaymentState(
            providerPaymentID: order.id, status: .canceled, amountCapturable: 0,
            amountCaptured: 0, currency: current.currency, rawStatus: order.status)
        switch current.status {
        case .captured:
            throw ProviderError.invalid("payment_captured", "A captured PayPal payment cannot be canceled; refund it.")
        case .authorized where order.status == "COMPLETED", .processing where order.status == "COMPLETED":
            // A completed CAPTURE order that is still processing has a pending capture: money is moving.
            guard order.isAuthorizeIntent, let authorization = order.authorizations.first else {
                throw ProviderError.invalid("capture_pending", "A pending PayPal capture cannot be canceled.")
            }
            _ = try await api.call(
                .POST, "/v2/payments/authorizations/{}/void", ids: [authorization.id], body: [:],
                requestID: idempotencyKey, connector: connector)
            return ProviderPaymentState(
                providerPaymentID: order.id, status: .canceled, amountCapturable: 0,
                amountCaptured: 0, currency: current.currency, rawStatus: "VOIDED")
        default:
            return canceled
        }
    }

    /// What capturing or authorizing an approved order came to.
    private enum OrderStepOutcome {
        case done(PayPalOrder, ProviderCall)
        /// The payer must act again (`PAYER_ACTION_REQUIRED`): back to the approval page.
        case payerAction(ProviderPaymentState)
    }

    /// `POST /v2/checkout/orders/{id}/capture` or `…/authorize` on an approved order.
    private func orderStep(_ order: PayPalOrder, _ path: String, requestID: String, connector: ProviderConnector)
        async throws(ProviderError) -> OrderStepOutcome
    {
        do throws(ProviderError) {
            let (json, call) = try await api.call(
                .POST, path, ids: [order.id], body: [:], requestID: requestID,
                connector: connector)
            return .done(try PayPalOrder(try Self.require(json, call), call: call), call)
        } catch  where error.code == PayPalErrorMapping.payerActionIssue {
            guard let url = order.actionURL, let currency = order.amount?.currency else { throw error }
            return .payerAction(
                ProviderPaymentState(
                    providerPaymentID: order.id, status: .requiresAction(url: url),
                    amountCapturable: 0, amountCaptured: 0, currency: currency,
                    rawStatus: PayPalErrorMapping.payerActionIssue))
        }
    }

    /// `POST /v2/payments/authorizations/{id}/capture`, with `amount` only for a partial capture and
    /// `final_capture` so the rest of the authorization is released (as a Stripe partial capture does).
    private func captureAuthorization(
        _ order: PayPalOrder, amount: Money?, requestID: String, readCall: ProviderCall,
        connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderPaymentState {
        guard let authorization = order.authorizations.first else {
            throw ProviderError.unexpectedResponse(
                provider: .paypal, call: readCall, "an authorized order without authorization")
        }
        // Anything but a fresh authorization is reported as it stands: already captured (a repeated
        // call), or voided, expired, denied or pending, none of which a capture can change.
        guard authorization.status == "CREATED" else {
            return try PayPalOrderMapping.state(order, fallbackAmount: nil, call: readCall)
        }
        guard let authorized = authorization.amount ?? order.amount else {
            throw ProviderError.unexpectedResponse(
                provider: .paypal, call: readCall, "an authorization without an amount")
        }
        let requested = amount ?? authorized
        var body: [String: JSONValue] = ["final_capture": true]
        if requested != authorized { body["amount"] = PayPalAmount.json(requested) }
        let (json, call) = try await api.call(
            .POST, "/v2/payments/authorizations/{}/capture", ids: [authorization.id],
            body: .object(body), requestID: requestID, connector: connector)
        return try PayPalOrderMapping.captureState(
            try Self.require(json, call), orderID: order.id, requested: requested,
            call: call)
    }
}
