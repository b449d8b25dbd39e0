import Foundation
import Shared
import Synchronization

/// Authorizations (captured in parts, or voided), captures and their refunds.
extension PayPalSimulator {
    // MARK: Authorizations

    func authorization(_ id: String, accountID: String) throws(PayPalError) -> PayPalAuthorization {
        guard let authorization = state.withLock({ $0.authorizations[id] }), authorization.accountID == accountID else {
            throw .notFound()
        }
        return authorization
    }

    func captureAuthorization(_ id: String, _ body: JSONValue, accountID: String, requestID: String?)
        throws(PayPalError) -> PayPalCapture
    {
        let requestedAmount = try Self.optionalAmount(body)
        let finalCapture = body["final_capture"]?.boolValue ?? false
        let invoiceID = body["invoice_id"]?.stringValue
        var effects = PayPalEffects(accountID: accountID, orderID: "")
        let capture = try state.withLock { (state: inout State) throws(PayPalError) -> PayPalCapture in
            guard var authorization = state.authorizations[id], authorization.accountID == accountID else {
                throw .notFound()
            }
            switch authorization.status {
            case "CAPTURED":
                throw .unprocessable(
                    "AUTHORIZATION_ALREADY_CAPTURED",
                    "Authorization has been previously captured and hence cannot be captured again.")
            case "VOIDED":
                throw .unprocessable(
                    "AUTHORIZATION_VOIDED", "A voided authorization cannot be captured or reauthorized.")
            default:
                break
            }
            let remaining = authorization.amount.minorUnits - authorization.capturedMinorUnits
            let amount = requestedAmount ?? Money(minorUnits: remaining, currency: authorization.amount.currency)
            guard amount.currency == authorization.amount.currency else {
                throw .unprocessable(
                    "CURRENCY_MISMATCH", "Currency of capture must be the same as currency of authorization.",
                    field: "/amount/currency_code")
            }
            guard amount.minorUnits <= remaining else {
                throw .unprocessable(
                    "MAX_CAPTURE_AMOUNT_EXCEEDED", "Capture amount exceeds allowable limit.", field: "/amount/value")
            }
            let now = Date()
            authorization.capturedMinorUnits += amount.minorUnits
            let final = finalCapture || authorization.capturedMinorUnits == authorization.amount.minorUnits
            authorization.status = final ? "CAPTURED" : "PARTIALLY_CAPTURED"
            authorization.updateTime = now
            let capture = PayPalCapture(
                id: ProviderIDs.paypal(), accountID: accountID, orderID: authorization.orderID,
                authorizationID: id, amount: amount, status: "COMPLETED", customID: authorization.customID,
                invoiceID: invoiceID ?? authorization.invoiceID, finalCapture: final, createTime: now, updateTime: now)
            authorization.captureIDs.append(capture.id)
            state.authorizations[id] = authorization
            state.captures[capture.id] = capture
            if var order = state.orders[authorization.orderID] {
                order.captureIDs.append(capture.id)
                state.orders[order.id] = order
            }
            effects.orderID = authorization.orderID
            effects.event(
                "PAYMENT.CAPTURE.COMPLETED", resourceType: "capture",
                summary: "Payment completed for \(amount.majorUnitString) \(amount.currency.code)",
                capture.json(base: base))
            effects.operation(
                .capture, objectID: capture.id, relatedObjectID: id, idempotencyKey: requestID,
                cofferID: authorization.customID ?? authorization.invoiceID, amount: amount)
            return capture
        }
        finish(effects)
        return capture
    }

    func voidAuthorization(_ id: String, accountID: String, requestID: String?) throws(PayPalError)
        -> PayPalAuthorization
    {
        var effects = PayPalEffects(accountID: accountID, orderID: "")
        let authorization = try state.withLock { (state: inout State) throws(PayPalError) -> PayPalAuthorization in
            guard var authorization = state.authorizations[id], authorization.accountID == accountID else {
                throw .notFound()
            }
            switch authorization.status {
            case "CAPTURED":
                throw .unprocessable(
                    "AUTHORIZATION_ALREADY_CAPTURED",
                    "Authorization has been previously captured and hence cannot be voided.")
            case "VOIDED":
                throw .unprocessable(
                    "PREVIOUSLY_VOIDED", "Authorization has been previously voided and hence cannot be voided again.")
            default:
                break
            }
            authorization.status = "VOIDED"
            authorization.updateTime = Date()
            state.authorizations[id] = authorization
            effects.orderID = authorization.orderID
            effects.event(
                "PAYMENT.AUTHORIZATION.VOIDED", resourceType: "authorization",
                summary: "A payment authorization was voided",
                authorization.json(base: base))
            effects.operation(
                .cancel, objectID: id, relatedObjectID: authorization.orderID, idempotencyKey: requestID,
                cofferID: authorization.customID ?? authorization.invoiceID,
                amount: Money(
                    minorUnits: authorization.amount.minorUnits - authorization.capturedMinorUnits,
                    currency: authorization.amount.currency))
            return authorization
        }
        finish(effects)
        return authorization
    }

    // MARK: Captures and refunds

    func capture(_ id: String, accountID: String) throws(PayPalError) -> PayPalCapture {
        guard let capture = state.withLock({ $0.captures[id] }), capture.accountID == accountID else {
            throw .notFound()
        }
        return capture
    }

    func refundCapture(_ id: String, _ body: JSONValue, accountID: String, requestID: String?) throws(PayPalError)
        -> PayPalRefund
    {
        let requestedAmount = try Self.optionalAmount(body)
        let customID = body["custom_id"]?.stringValue
        let invoiceID = body["invoice_id"]?.stringValue
        let note = body["note_to_payer"]?.stringValue
        var effects = PayPalEffects(accountID: accountID, orderID: "")
        let refund = try state.withLock { (state: inout State) throws(PayPalError) -> PayPalRefund in
            guard var capture = state.captures[id], capture.accountID == accountID else { throw .notFound() }
            guard capture.status == "COMPLETED" || capture.status == "PARTIALLY_REFUNDED" else {
                throw capture.status == "REFUNDED"
                    ? .unprocessable("CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded")
                    : .unprocessable("REFUND_NOT_ALLOWED", "Refund cannot be issued for this capture.")
            }
            let remaining = capture.amount.minorUnits - capture.refundedMinorUnits
            let amount = requestedAmount ?? Money(minorUnits: remaining, currency: capture.amount.currency)
            guard amount.currency == capture.amount.currency else {
                throw .unprocessable(
                    "REFUND_CURRENCY_MISMATCH", "Refund must be in the same currency as the capture.",
                    field: "/amount/currency_code")
            }
            guard amount.minorUnits <= remaining else {
                throw .unprocessable(
                    "REFUND_AMOUNT_EXCEEDED",
                    "The refund amount must be less than or equal to the capture amount that "
                        + "has not yet been refunded.", field: "/amount/value")
            }
            let now = Date()
            capture.refundedMinorUnits += amount.minorUnits
            capture.status = capture.refundedMinorUnits >= capture.amount.minorUnits ? "REFUNDED" : "PARTIALLY_REFUNDED"
            capture.updateTime = now
            state.captures[id] = capture
            let refund = PayPalRefund(
                id: ProviderIDs.paypal(), accountID: accountID, captureID: id, amount: amount,
                customID: customID ?? capture.customID, invoiceID: invoiceID, noteToPayer: note, createTime: now)
            state.refunds[refund.id] = refund
            effects.orderID = capture.orderID
            effects.event(
                "PAYMENT.CAPTURE.REFUNDED", resourceType: "refund",
                summary: "A \(amount.majorUnitString) \(amount.currency.code) capture payment was refunded",
                refund.json(base: base))
            effects.operation(
                .refund, objectID: refund.id, relatedObjectID: id, idempotencyKey: requestID,
                cofferID: customID ?? invoiceID,
                amount: amount)
            return refund
        }
        finish(effects)
        return refund
    }

    func refund(_ id: String, accountID: String) throws(PayPalError) -> PayPalRefund {
        guard let refund = state.withLock({ $0.refunds[id] }), refund.accountID == accountID else { throw .notFound() }
        return refund
    }
}
