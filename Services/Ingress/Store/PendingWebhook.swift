import Platform
import Shared

/// A verified webhook, ready to store: the event row and the deliveries it queues if it is new.
struct PendingWebhook: Sendable {
    let id: String
    let tenantID: String
    let provider: String
    let dedupKey: String
    let providerEventID: String?
    let providerEventType: String
    let normalizedType: String?
    let orderingKey: String?
    let verification: String
    let needsConfirmation: Bool
    let livemode: Bool
    let connectorID: String?
    let rawBody: [UInt8]
    let bodySHA256: String
    let headersJSON: String
    let normalizedJSON: String?
    let correlationID: String
    let sourceIP: String
    /// Who receives it (payments or payouts); nil for types Coffer does not forward.
    let subscriber: String?
}

/// One line of the attempts log: every request, rejects included. Never a secret or a signature.
struct AttemptRecord: Sendable {
    let tenantID: String?
    let provider: String?
    let outcome: String
    let reason: String?
    let httpStatus: Int
    let sourceIP: String
    let bodySize: Int
    let bodySHA256: String?
    let correlationID: String
}

/// What storing a webhook came to.
struct StoreOutcome: Sendable, Equatable {
    let id: String
    let duplicate: Bool
}
