import Foundation
import HTTP
import Platform
import Postgres
import ProviderKit
import Shared

/// What the payment and refund flows share: storage, the provider gateway, the effects writers.
struct PaymentsCore: Sendable {
    let database: PostgresPool
    let gateway: ProviderGateway
    let connectors: ConnectorStore
    let idempotency: IdempotencyStore
    let outbox: Outbox
    let audit: AuditLog
    let logger: Logger

    var paymentEffects: PaymentEffects { PaymentEffects(outbox: outbox) }
    var refundEffects: RefundEffects { RefundEffects(outbox: outbox) }

    /// The connector a payment was made through, opened (it may since have been disabled: calls about
    /// existing payments still go through it).
    func connector(for payment: PaymentRecord) async throws -> ProviderConnector? {
        guard let connectorID = payment.connectorID else { return nil }
        if let active = try await connectors.active(tenantID: payment.tenantID, livemode: payment.livemode)
            .first(where: { $0.connectorID == connectorID }) {
            return active
        }
        return try await connectors.any(connectorID: connectorID, tenantID: payment.tenantID)
    }
}

/// How a provider's refusal reads to the API caller: an error whose body also carries the object as
/// it now stands (`"payment": {…}` or `"refund": {…}`, as Stripe puts the intent in its errors), so a
/// client without an idempotency key still learns the id. Errors that mean "outcome unknown" never
/// come here: those leave the object pending and resolve in the background.
enum ProviderRefusal {
    static func response(_ error: ProviderError, object: (name: String, json: JSONValue), requestID: String) -> HTTPResponse {
        let id = object.json["id"]?.stringValue ?? object.name
        let (status, code, message): (HTTPStatus, String, String) = switch error.kind {
        case .declined: (402, "payment_declined", "The provider declined \(id): \(error.message)")
        case .invalidRequest: (400, "provider_invalid_request", "The provider refused the request for \(id): \(error.message)")
        default: (502, "provider_authentication_failed",
                  "The provider refused the connector's credentials; check the connector (\(id) was not processed).")
        }
        var detail: [String: JSONValue] = ["code": .string(code), "message": .string(message), "request_id": .string(requestID)]
        detail[object.name] = object.json
        return .json(status, bytes: JSONValue.object(["error": .object(detail)]).serialized())
    }

    /// Whether the call certainly did not complete and the object should be marked failed.
    static func isFinal(_ error: ProviderError) -> Bool {
        error.kind == .declined || error.kind == .invalidRequest || error.kind == .authentication
    }
}
