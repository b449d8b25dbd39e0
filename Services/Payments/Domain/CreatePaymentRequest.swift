import HTTP
import Platform
import Shared

/// `POST /v1/payments`, read strictly.
struct CreatePaymentRequest: Sendable {
    static let fields: Set<String> = ["amount", "currency", "capture_method", "provider", "customer", "payee_id", "description", "metadata",
                                      "payment_method", "return_url"]
    static let customerFields: Set<String> = ["email", "name", "phone", "reference"]

    let amount: Int64
    let currency: Currency
    let captureMethod: CaptureMethod
    let provider: ProviderName?
    let customer: JSONValue?
    let payeeID: String?
    let description: String?
    let metadata: JSONValue
    let paymentMethod: String?
    let returnURL: String?

    var customerEmail: String? { customer?["email"]?.stringValue }

    init(body: [UInt8]) throws(HTTPError) {
        let reader = try BodyReader(body, allowed: Self.fields)
        amount = try reader.amount("amount", required: true) ?? 0
        currency = try reader.currency("currency")
        captureMethod = CaptureMethod(rawValue: try reader.string("capture_method", maxLength: 20, allowed: ["automatic", "manual"]) ?? "automatic")
            ?? .automatic
        if let name = try reader.string("provider", maxLength: 20) {
            guard let provider = ProviderName(rawValue: name), provider != .standard else {
                throw HTTPError.badRequest("provider \(name) is not one Coffer supports.", code: "invalid_provider", param: "provider")
            }
            self.provider = provider
        } else {
            provider = nil
        }
        if let value = reader.object["customer"], value != .null {
            let customerReader = try BodyReader(nested: value, name: "customer", allowed: Self.customerFields)
            if let email = try customerReader.string("email", maxLength: 254), !email.contains("@") || email.contains(" ") {
                throw HTTPError.badRequest("customer.email is not an email address.", param: "customer.email")
            }
            _ = try customerReader.string("name", maxLength: 200)
            _ = try customerReader.string("phone", maxLength: 40)
            _ = try customerReader.string("reference", maxLength: 100)
            customer = customerReader.object.isEmpty ? nil : value
        } else {
            customer = nil
        }
        payeeID = try reader.id("payee_id", prefix: .payee)
        description = try reader.string("description", maxLength: 1000)
        metadata = try reader.metadata()
        paymentMethod = try reader.string("payment_method", maxLength: 255)
        if let url = try reader.string("return_url", maxLength: 2048) {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw HTTPError.badRequest("return_url must be an http(s) URL.", param: "return_url")
            }
            returnURL = url
        } else {
            returnURL = nil
        }
    }
}
