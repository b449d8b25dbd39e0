import Foundation
import Platform
import Shared

/// `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`: hex HMAC-SHA256 keyed with the whole `whsec_…`
/// secret (its UTF-8 bytes) over `"<t>.<raw body>"`. Any `v1` may match; other schemes (`v0`) are ignored.
struct StripeVerifier: WebhookVerifier {
    let tolerance: TimestampTolerance

    func verify(_ request: WebhookRequest, connectors: [OpenedConnector]) async -> Result<
        VerifiedWebhook, WebhookRejection
    > {
        guard let header = request.headers["Stripe-Signature"] else { return .failure(.missingSignature) }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingCharacters(in: .whitespaces)
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            if key == "t" { timestamp = Int64(value) }
            if key == "v1", let bytes = Hex.decode(value), bytes.count == 32 { signatures.append(bytes) }
        }
        guard let timestamp, !signatures.isEmpty else { return .failure(.invalidSignature) }
        var signed = Array("\(timestamp).".utf8)
        signed.append(contentsOf: request.body)
        var matched: OpenedConnector?
        search: for connector in connectors {
            for secret in connector.webhookSecrets {
                let expected = HMAC.authenticationCode(.sha256, key: Array(secret.utf8), message: signed)
                if signatures.contains(where: { ConstantTime.equals($0, expected) }) {
                    matched = connector
                    break search
                }
            }
        }
        guard let matched else {
            return .failure(
                connectors.allSatisfy(\.webhookSecrets.isEmpty) ? .connectorMisconfigured : .invalidSignature)
        }
        // The time is checked after the signature, so a forged header cannot probe the tolerance.
        guard tolerance.accepts(timestamp, now: request.receivedAt) else { return .failure(.staleTimestamp) }
        return .success(
            VerifiedWebhook(connector: matched, method: .signature, needsConfirmation: false, headerEventID: nil))
    }
}
