import Foundation
import Platform
import Shared

/// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (space-separated
/// `v1,<base64>`); the key is the base64-decoded part of `whsec_…`; signed content
/// `"<id>.<timestamp>.<raw body>"`, HMAC-SHA256, tolerance ±300 s by default.
struct StandardWebhooksVerifier: WebhookVerifier {
    let tolerance: TimestampTolerance

    func verify(_ request: WebhookRequest, connectors: [OpenedConnector]) async -> Result<
        VerifiedWebhook, WebhookRejection
    > {
        guard let id = request.headers["webhook-id"], let timestampText = request.headers["webhook-timestamp"],
            let signatureHeader = request.headers["webhook-signature"]
        else { return .failure(.missingSignature) }
        guard let timestamp = Int64(timestampText), !id.isEmpty, id.utf8.count <= 256 else {
            return .failure(.invalidSignature)
        }
        let signatures = StandardWebhooks.signatures(inHeader: signatureHeader)
        guard !signatures.isEmpty else { return .failure(.invalidSignature) }
        for connector in connectors {
            for secret in connector.webhookSecrets {
                guard let key = StandardWebhooks.key(fromSecret: secret) else { continue }
                if StandardWebhooks.matches(signatures, id: id, timestamp: timestamp, body: request.body, key: key) {
                    guard tolerance.accepts(timestamp, now: request.receivedAt) else {
                        return .failure(.staleTimestamp)
                    }
                    return .success(
                        VerifiedWebhook(
                            connector: connector, method: .signature, needsConfirmation: false, headerEventID: id))
                }
            }
        }
        return .failure(connectors.allSatisfy(\.webhookSecrets.isEmpty) ? .connectorMisconfigured : .invalidSignature)
    }
}
