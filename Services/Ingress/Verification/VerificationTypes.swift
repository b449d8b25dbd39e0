import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// A webhook as it arrived, for verification: the raw bytes are what every scheme signs.
struct WebhookRequest: Sendable {
    let provider: ProviderName
    let tenantID: String
    /// The secret path segment, for providers that sign nothing.
    let callbackToken: String?
    let method: HTTPMethod
    /// Path (and query) as received; iKhokha signs it.
    let target: String
    let headers: HTTPHeaders
    let body: [UInt8]
    let receivedAt: Date
}

/// How a webhook proved where it came from.
enum VerificationMethod: String, Sendable {
    /// A signature over the body (HMAC or RSA).
    case signature
    /// A shared credential that proves nothing about the body (PhonePe v2, Flutterwave's static hash).
    case callbackCredential = "callback_credential"
    /// The connector's secret path segment (MTN, Airtel, Zamtel, iKhokha).
    case callbackToken = "callback_token"
    /// Accepted unverified: only with `REQUIRE_WEBHOOK_SIGNATURE=false` in development.
    case unverified
}

/// A webhook that passed verification, and with which connector.
struct VerifiedWebhook: Sendable {
    let connector: OpenedConnector?
    let method: VerificationMethod
    /// The body is not authenticated: its consumer must confirm the state through the provider's API.
    let needsConfirmation: Bool
    /// An event id the scheme carries outside the body (Standard Webhooks' `webhook-id`).
    let headerEventID: String?
}

/// Why a webhook was refused. `code` is stable; `message` never echoes what was sent.
struct WebhookRejection: Error, Sendable, Equatable {
    let status: HTTPStatus
    let code: String
    let message: String

    static let missingSignature = WebhookRejection(
        status: .unauthorized, code: "missing_signature",
        message: "The provider's signature header is missing.")
    static let invalidSignature = WebhookRejection(
        status: .unauthorized, code: "invalid_signature",
        message: "The signature does not match this tenant's webhook secret.")
    static let staleTimestamp = WebhookRejection(
        status: .unauthorized, code: "timestamp_out_of_tolerance",
        message: "The signed timestamp is outside the accepted tolerance.")
    static let callbackTokenRequired = WebhookRejection(
        status: .unauthorized, code: "callback_token_required",
        message: "This provider signs nothing: send callbacks to the connector's secret callback URL.")
    static let invalidCallbackToken = WebhookRejection(
        status: .unauthorized, code: "invalid_callback_token",
        message: "The callback URL's token is not valid.")
    static let invalidCallbackCredential = WebhookRejection(
        status: .unauthorized, code: "invalid_callback_credential",
        message: "The callback credential is not valid.")
    static let connectorMisconfigured = WebhookRejection(
        status: .unauthorized, code: "connector_not_configured",
        message: "The connector has no secret for this webhook scheme.")
    static let untrustedCertificate = WebhookRejection(
        status: .unauthorized, code: "untrusted_certificate",
        message: "The signing certificate is not a valid PayPal certificate.")
}

/// Verifies one provider's scheme. Tries every connector given (test and live, current and
/// previous secret); the first that matches wins.
protocol WebhookVerifier: Sendable {
    func verify(_ request: WebhookRequest, connectors: [OpenedConnector]) async -> Result<
        VerifiedWebhook, WebhookRejection
    >
}

/// Timestamp checks shared by the schemes that sign a time.
struct TimestampTolerance: Sendable {
    let seconds: Int64

    /// Old and far-future timestamps are both refused (stricter than some SDKs, which accept the future).
    func accepts(_ signed: Int64, now: Date) -> Bool {
        // A signed time is attacker-controlled: the window check cannot overflow (`Int64.min` included).
        TimestampWindow.contains(signed, now: Int64(now.timeIntervalSince1970), tolerance: seconds)
    }
}
