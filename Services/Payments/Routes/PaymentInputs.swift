import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// Request bodies and query strings of `/v1/payments` and `/v1/refunds`, read strictly: an unknown
/// field, a wrong type or an out-of-range value is a 400 naming the parameter.
extension Payments.NewPayment {
    static let fields: Set<String> = [
        "amount", "currency", "capture_method", "provider", "customer", "payee_id", "description", "metadata",
        "payment_method", "return_url",
    ]
    static let customerFields: Set<String> = ["email", "name", "phone", "reference"]

    init(body: [UInt8]) throws(HTTPError) {
        let reader = try BodyReader(body, allowed: Self.fields)
        let amount = try reader.amount("amount", required: true) ?? 0
        let currency = try reader.currency("currency")
        let captureMethod =
            CaptureMethod(
                rawValue: try reader.string("capture_method", maxLength: 20, allowed: ["automatic", "manual"])
                    ?? "automatic") ?? .automatic
        var provider: ProviderName?
        if let name = try reader.string("provider", maxLength: 20) {
            guard let named = ProviderName(rawValue: name), named != .standard else {
                throw HTTPError.badRequest(
                    "provider \(name) is not one Coffer supports.", code: "invalid_provider", param: "provider")
            }
            provider = named
        }
        var customer: JSONValue?
        if let value = reader.object["customer"], value != .null {
            let customerReader = try BodyReader(nested: value, name: "customer", allowed: Self.customerFields)
            if let email = try customerReader.string("email", maxLength: 254),
                !email.contains("@") || email.contains(" ")
            {
                throw HTTPError.badRequest("customer.email is not an email address.", param: "customer.email")
            }
            _ = try customerReader.string("name", maxLength: 200)
            _ = try customerReader.string("phone", maxLength: 40)
            _ = try customerReader.string("reference", maxLength: 100)
            customer = customerReader.object.isEmpty ? nil : value
        }
        let payeeID = try reader.id("payee_id", prefix: .payee)
        let description = try reader.string("description", maxLength: 1000)
        let metadata = try reader.metadata()
        let paymentMethod = try reader.string("payment_method", maxLength: 255)
        let returnURL = try reader.string("return_url", maxLength: 2048)
        if let returnURL, !(returnURL.hasPrefix("https://") || returnURL.hasPrefix("http://")) {
            throw HTTPError.badRequest("return_url must be an http(s) URL.", param: "return_url")
        }
        self.init(
            amount: amount, currency: currency, captureMethod: captureMethod, provider: provider, customer: customer,
            payeeID: payeeID,
            description: description, metadata: metadata, paymentMethod: paymentMethod, returnURL: returnURL)
    }
}

extension Refunds.NewRefund {
    static let fields: Set<String> = ["amount", "reason", "metadata"]

    init(body: [UInt8]) throws(HTTPError) {
        let reader = try BodyReader(body, allowed: Self.fields)
        self.init(
            amount: try reader.amount("amount", required: false),
            reason: try reader.string("reason", maxLength: 40, allowed: Refunds.reasons),
            metadata: try reader.metadata())
    }
}

enum PaymentQueries {
    /// Another tenant's id and a malformed id read the same: 404.
    static func paymentID(_ context: RequestContext) throws(HTTPError) -> String {
        let id = context.parameter("id")
        guard CofferID.isValid(id, prefix: .payment) else {
            throw HTTPError.notFound("No such payment: \(id)", param: "id")
        }
        return id
    }

    static func cursor(_ query: [String: String], _ prefix: IDPrefix) throws(HTTPError) -> String? {
        guard let after = query["starting_after"] else { return nil }
        guard CofferID.isValid(after, prefix: prefix) else {
            throw HTTPError.badRequest(
                "starting_after must be a \(prefix.rawValue)_ id from a previous page.", code: "invalid_id",
                param: "starting_after")
        }
        return after
    }

    static func paymentFilter(_ query: [String: String]) throws -> PaymentStore.Filter {
        var filter = PaymentStore.Filter()
        filter.limit = try ListParameters.limit(query)
        filter.startingAfter = try cursor(query, .payment)
        if let status = query["status"] {
            guard PaymentStatus(rawValue: status) != nil else {
                throw HTTPError.badRequest(
                    "status must be one of \(PaymentStatus.allCases.map(\.rawValue).joined(separator: ", ")).",
                    param: "status")
            }
            filter.status = status
        }
        if let provider = query["provider"] {
            guard let name = ProviderName(rawValue: provider), name != .standard else {
                throw HTTPError.badRequest("provider is not one Coffer supports.", param: "provider")
            }
            filter.provider = provider
        }
        if let payee = query["payee_id"] {
            guard CofferID.isValid(payee, prefix: .payee) else {
                throw HTTPError.badRequest("payee_id must be a pe_ id.", code: "invalid_id", param: "payee_id")
            }
            filter.payeeID = payee
        }
        for (name, keyPath) in [
            ("created[gte]", \PaymentStore.Filter.createdGTE), ("created[lt]", \PaymentStore.Filter.createdLT),
        ] {
            guard let text = query[name] else { continue }
            guard let date = Timestamp.parse(text) ?? Int64(text).map({ Date(timeIntervalSince1970: TimeInterval($0)) })
            else {
                throw HTTPError.badRequest("\(name) must be an RFC 3339 time or Unix seconds.", param: name)
            }
            filter[keyPath: keyPath] = date
        }
        return filter
    }

    static func refundPaymentFilter(_ query: [String: String]) throws(HTTPError) -> String? {
        guard let id = query["payment_id"] else { return nil }
        guard CofferID.isValid(id, prefix: .payment) else {
            throw HTTPError.badRequest("payment_id must be a pay_ id.", code: "invalid_id", param: "payment_id")
        }
        return id
    }
}
