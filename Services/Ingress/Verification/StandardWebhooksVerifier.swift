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
        let signatures = signatureHeader.split(separator: " ").compactMap { entry -> [UInt8]? in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { return nil }
            return Base64.decode(String(parts[1]))
        }
        guard !signatures.isEmpty else { return .failure(.invalidSignature) }
        for connector in connectors {
            for secret in connector.webhookSecrets {
                guard let key = Self.key(from: secret) else { continue }
                var context = HMACContext(digest: .sha256, key: key)
                context.update("\(id).\(timestamp).")
                context.update(request.body)
                let expected = context.finalize()
                if signatures.contains(where: { ConstantTime.equals($0, expected) }) {
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

    /// `whsec_<base64>` → the decoded bytes.
    static func key(from secret: String) -> [UInt8]? {
        guard secret.hasPrefix("whsec_") else { return nil }
        return Base64.decode(String(secret.dropFirst(6)))
    }
}
