import Foundation
import Platform
import Shared

/// Schemes that are a hex HMAC of the raw body in one header: Razorpay (`X-Razorpay-Signature`,
/// SHA-256 with the webhook secret) and Paystack (`x-paystack-signature`, SHA-512 with the secret API
/// key, `credentials.secret_key`). Neither signs a time; deduplication guards against replays.
struct HMACBodyVerifier: WebhookVerifier {
    let header: String
    let digest: Digest
    /// Which secrets of a connector may sign.
    let keys: @Sendable (OpenedConnector) -> [String]

    static let razorpay = HMACBodyVerifier(header: "X-Razorpay-Signature", digest: .sha256) { $0.webhookSecrets }
    static let paystack = HMACBodyVerifier(header: "x-paystack-signature", digest: .sha512) { connector in
        // Paystack signs with the secret API key; a rotated key stays valid through `webhook_secret`s too.
        [connector.credentials["secret_key"]].compactMap { $0 } + connector.webhookSecrets
    }

    func verify(_ request: WebhookRequest, connectors: [OpenedConnector]) async -> Result<
        VerifiedWebhook, WebhookRejection
    > {
        guard let value = request.headers[header] else { return .failure(.missingSignature) }
        guard let presented = Hex.decode(value.trimmingCharacters(in: .whitespaces).lowercased()),
            presented.count == digest.byteCount
        else { return .failure(.invalidSignature) }
        for connector in connectors {
            for key in keys(connector) {
                let expected = HMAC.authenticationCode(digest, key: Array(key.utf8), message: request.body)
                if ConstantTime.equals(presented, expected) {
                    return .success(
                        VerifiedWebhook(
                            connector: connector, method: .signature, needsConfirmation: false, headerEventID: nil))
                }
            }
        }
        return .failure(connectors.allSatisfy { keys($0).isEmpty } ? .connectorMisconfigured : .invalidSignature)
    }
}
