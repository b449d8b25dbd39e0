import Foundation
import Shared

/// A PayPal order (Orders v2) with one purchase unit.
struct PayPalOrder: Sendable {
    let id: String
    let accountID: String
    /// `CAPTURE` or `AUTHORIZE`.
    let intent: String
    /// `CREATED`, `PAYER_ACTION_REQUIRED`, `APPROVED` or `COMPLETED`.
    var status: String
    let referenceID: String
    let customID: String?
    let invoiceID: String?
    let description: String?
    let amount: Money
    let returnURL: String?
    let cancelURL: String?
    /// Created with a `payment_source`: PayPal then answers `PAYER_ACTION_REQUIRED` and a `payer-action` link.
    let usesPayerAction: Bool
    /// The payer cancelled on the approval page: the simulated payer will not approve it later.
    var payerCanceled = false
    var payerID: String?
    var captureIDs: [String] = []
    var authorizationIDs: [String] = []
    let createTime: Date
    var updateTime: Date

    /// Coffer's id as the merchant wrote it: `custom_id`, else `invoice_id`, else a non-default `reference_id`.
    var cofferID: String? { customID ?? invoiceID ?? (referenceID == "default" ? nil : referenceID) }
}

/// Money moved from the payer: from an order with intent CAPTURE, or from an authorization.
struct PayPalCapture: Sendable {
    let id: String
    let accountID: String
    let orderID: String
    let authorizationID: String?
    let amount: Money
    /// `COMPLETED`, `DECLINED`, `PARTIALLY_REFUNDED` or `REFUNDED`.
    var status: String
    let customID: String?
    let invoiceID: String?
    let finalCapture: Bool
    var refundedMinorUnits: Int64 = 0
    let createTime: Date
    var updateTime: Date

    func json(base: String) -> JSONValue {
        // PayPal's fee: 3.49% of the gross, in whole minor units.
        let fee = Money(minorUnits: amount.minorUnits * 349 / 10_000, currency: amount.currency)
        var related: [String: JSONValue] = ["order_id": .string(orderID)]
        if let authorizationID { related["authorization_id"] = .string(authorizationID) }
        var members: [String: JSONValue] = [
            "id": .string(id), "status": .string(status), "amount": PayPalAmount.json(amount),
            "final_capture": .bool(finalCapture),
            "seller_protection": .object([
                "status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"],
            ]),
            "seller_receivable_breakdown": .object([
                "gross_amount": PayPalAmount.json(amount), "paypal_fee": PayPalAmount.json(fee),
                "net_amount": PayPalAmount.json(
                    Money(minorUnits: amount.minorUnits - fee.minorUnits, currency: amount.currency)),
            ]),
            "supplementary_data": .object(["related_ids": .object(related)]),
            "create_time": .string(Timestamp.rfc3339(createTime)),
            "update_time": .string(Timestamp.rfc3339(updateTime)),
            "links": .array([
                PayPalLinks.link(base + "/v2/payments/captures/" + id, rel: "self"),
                PayPalLinks.link(base + "/v2/payments/captures/" + id + "/refund", rel: "refund", method: "POST"),
                PayPalLinks.link(
                    authorizationID.map { base + "/v2/payments/authorizations/" + $0 } ?? base + "/v2/checkout/orders/"
                        + orderID,
                    rel: "up"),
            ]),
        ]
        if let customID { members["custom_id"] = .string(customID) }
        if let invoiceID { members["invoice_id"] = .string(invoiceID) }
        if status == "DECLINED" { members["status_details"] = .object(["reason": "DECLINED_BY_RISK_FRAUD_FILTERS"]) }
        return .object(members)
    }
}

/// Money reserved on an order with intent AUTHORIZE, to be captured (in parts) or voided.
struct PayPalAuthorization: Sendable {
    let id: String
    let accountID: String
    let orderID: String
    let amount: Money
    /// `CREATED`, `PARTIALLY_CAPTURED`, `CAPTURED` or `VOIDED`.
    var status: String
    let customID: String?
    let invoiceID: String?
    var capturedMinorUnits: Int64 = 0
    var captureIDs: [String] = []
    let createTime: Date
    var updateTime: Date

    func json(base: String) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "status": .string(status), "amount": PayPalAmount.json(amount),
            "seller_protection": .object([
                "status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"],
            ]),
            "supplementary_data": .object(["related_ids": .object(["order_id": .string(orderID)])]),
            "expiration_time": .string(Timestamp.rfc3339(createTime.addingTimeInterval(29 * 86_400))),
            "create_time": .string(Timestamp.rfc3339(createTime)),
            "update_time": .string(Timestamp.rfc3339(updateTime)),
            "links": .array([
                PayPalLinks.link(base + "/v2/payments/authorizations/" + id, rel: "self"),
                PayPalLinks.link(
                    base + "/v2/payments/authorizations/" + id + "/capture", rel: "capture", method: "POST"),
                PayPalLinks.link(base + "/v2/payments/authorizations/" + id + "/void", rel: "void", method: "POST"),
                PayPalLinks.link(base + "/v2/checkout/orders/" + orderID, rel: "up"),
            ]),
        ]
        if let customID { members["custom_id"] = .string(customID) }
        if let invoiceID { members["invoice_id"] = .string(invoiceID) }
        return .object(members)
    }
}

/// Money returned to the payer from a capture.
struct PayPalRefund: Sendable {
    let id: String
    let accountID: String
    let captureID: String
    let amount: Money
    var status = "COMPLETED"
    let customID: String?
    let invoiceID: String?
    let noteToPayer: String?
    let createTime: Date

    func json(base: String) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "status": .string(status), "amount": PayPalAmount.json(amount),
            "seller_payable_breakdown": .object([
                "gross_amount": PayPalAmount.json(amount), "total_refunded_amount": PayPalAmount.json(amount),
                "net_amount": PayPalAmount.json(amount),
            ]),
            "create_time": .string(Timestamp.rfc3339(createTime)),
            "update_time": .string(Timestamp.rfc3339(createTime)),
            "links": .array([
                PayPalLinks.link(base + "/v2/payments/refunds/" + id, rel: "self"),
                PayPalLinks.link(base + "/v2/payments/captures/" + captureID, rel: "up"),
            ]),
        ]
        if let customID { members["custom_id"] = .string(customID) }
        if let invoiceID { members["invoice_id"] = .string(invoiceID) }
        if let noteToPayer { members["note_to_payer"] = .string(noteToPayer) }
        return .object(members)
    }
}

/// An order with the payments made on it, as PayPal renders orders.
struct PayPalOrderView: Sendable {
    let order: PayPalOrder
    let captures: [PayPalCapture]
    let authorizations: [PayPalAuthorization]

    /// The full representation (`GET`, `Prefer: return=representation`, captures and authorizations).
    func json(base: String, sandboxURL: String) -> JSONValue {
        var unit: [String: JSONValue] = [
            "reference_id": .string(order.referenceID), "amount": PayPalAmount.json(order.amount),
            "payee": .object(["merchant_id": .string(order.accountID), "email_address": "merchant@example.com"]),
        ]
        if let customID = order.customID { unit["custom_id"] = .string(customID) }
        if let invoiceID = order.invoiceID { unit["invoice_id"] = .string(invoiceID) }
        if let description = order.description { unit["description"] = .string(description) }
        var payments: [String: JSONValue] = [:]
        if !captures.isEmpty { payments["captures"] = .array(captures.map { $0.json(base: base) }) }
        if !authorizations.isEmpty { payments["authorizations"] = .array(authorizations.map { $0.json(base: base) }) }
        if !payments.isEmpty { unit["payments"] = .object(payments) }
        var members = minimalMembers(base: base, sandboxURL: sandboxURL)
        members["intent"] = .string(order.intent)
        members["purchase_units"] = .array([.object(unit)])
        members["create_time"] = .string(Timestamp.rfc3339(order.createTime))
        members["update_time"] = .string(Timestamp.rfc3339(order.updateTime))
        if let payerID = order.payerID {
            members["payer"] = .object([
                "payer_id": .string(payerID), "email_address": "buyer@example.com",
                "name": .object(["given_name": "Sandbox", "surname": "Buyer"]),
            ])
            members["payment_source"] = .object([
                "paypal": .object([
                    "account_id": .string(payerID), "email_address": "buyer@example.com", "account_status": "VERIFIED",
                ])
            ])
        }
        return .object(members)
    }

    /// `Prefer: return=minimal` (PayPal's default when creating): id, status and links.
    func minimalJSON(base: String, sandboxURL: String) -> JSONValue {
        .object(minimalMembers(base: base, sandboxURL: sandboxURL))
    }

    private func minimalMembers(base: String, sandboxURL: String) -> [String: JSONValue] {
        let orderURL = base + "/v2/checkout/orders/" + order.id
        var links = [PayPalLinks.link(orderURL, rel: "self")]
        switch order.status {
        case "CREATED", "PAYER_ACTION_REQUIRED":
            links.append(
                PayPalLinks.link(
                    sandboxURL + "/paypal/checkoutnow?token=" + order.id,
                    rel: order.usesPayerAction ? "payer-action" : "approve"))
            links.append(PayPalLinks.link(orderURL, rel: "update", method: "PATCH"))
            links.append(
                PayPalLinks.link(
                    orderURL + (order.intent == "CAPTURE" ? "/capture" : "/authorize"),
                    rel: order.intent == "CAPTURE" ? "capture" : "authorize", method: "POST"))
        case "APPROVED":
            links.append(PayPalLinks.link(orderURL, rel: "update", method: "PATCH"))
            links.append(
                PayPalLinks.link(
                    orderURL + (order.intent == "CAPTURE" ? "/capture" : "/authorize"),
                    rel: order.intent == "CAPTURE" ? "capture" : "authorize", method: "POST"))
        default:
            break
        }
        return ["id": .string(order.id), "status": .string(order.status), "links": .array(links)]
    }
}

/// PayPal's HATEOAS links.
enum PayPalLinks {
    static func link(_ href: String, rel: String, method: String = "GET") -> JSONValue {
        .object(["href": .string(href), "rel": .string(rel), "method": .string(method)])
    }
}
