import Foundation
import Platform
import Shared

/// Providers that sign nothing (MTN MoMo, Airtel Money, Zamtel, iKhokha): the callback must arrive on
/// the connector's secret path (`/webhooks/<provider>/<tenant>/<callback_token>`), and the event is a
/// hint that its consumer confirms through the provider's status API.
/// Flutterwave v3 sends its dashboard "secret hash" in `verif-hash`: a static credential, also a hint.
/// iKhokha may add `ik-sign` (HMAC-SHA256 of the escaped path + body with the app secret); when
/// present it must match, but the callback still needs confirmation.
struct CallbackTokenVerifier: WebhookVerifier {
    func verify(_ request: WebhookRequest, connectors: [OpenedConnector]) async -> Result<
        VerifiedWebhook, WebhookRejection
    > {
        if request.provider == .flutterwave { return verifyStaticHash(request, connectors) }
        guard let token = request.callbackToken, !token.isEmpty else { return .failure(.callbackTokenRequired) }
        let presented = Array(token.utf8)
        for connector in connectors {
            guard let expected = connector.callbackToken, ConstantTime.equals(presented, Array(expected.utf8)) else {
                continue
            }
            if request.provider == .ikhokha, let sign = request.headers["ik-sign"] {
                guard Self.ikhokhaSignatureMatches(sign, request: request, connector: connector) else {
                    return .failure(.invalidSignature)
                }
            }
            return .success(
                VerifiedWebhook(
                    connector: connector, method: .callbackToken, needsConfirmation: true, headerEventID: nil))
        }
        return .failure(
            connectors.contains { $0.callbackToken != nil } ? .invalidCallbackToken : .connectorMisconfigured)
    }

    private func verifyStaticHash(_ request: WebhookRequest, _ connectors: [OpenedConnector]) -> Result<
        VerifiedWebhook, WebhookRejection
    > {
        guard let hash = request.headers["verif-hash"] else { return .failure(.missingSignature) }
        let presented = Array(hash.utf8)
        for connector in connectors {
            for secret in connector.webhookSecrets where ConstantTime.equals(presented, Array(secret.utf8)) {
                return .success(
                    VerifiedWebhook(
                        connector: connector, method: .callbackCredential, needsConfirmation: true, headerEventID: nil))
            }
        }
        return .failure(
            connectors.allSatisfy(\.webhookSecrets.isEmpty) ? .connectorMisconfigured : .invalidCallbackCredential)
    }

    /// iKhokha's scheme: hex HMAC-SHA256(app secret trimmed, escape(path + body)), where escape
    /// prefixes `\`, `"` and `'` with a backslash. The app secret is the connector's webhook secret or
    /// `credentials.application_secret`.
    static func ikhokhaSignatureMatches(_ sign: String, request: WebhookRequest, connector: OpenedConnector) -> Bool {
        guard let presented = Hex.decode(sign.trimmingCharacters(in: .whitespaces).lowercased()), presented.count == 32
        else { return false }
        let path = String(request.target.split(separator: "?", maxSplits: 1).first ?? "")
        let message = escape(Array(path.utf8) + request.body)
        let secrets = connector.webhookSecrets + [connector.credentials["application_secret"]].compactMap { $0 }
        return secrets.contains { secret in
            ConstantTime.equals(
                presented,
                HMAC.authenticationCode(
                    .sha256, key: Array(secret.trimmingCharacters(in: .whitespacesAndNewlines).utf8),
                    message: message))
        }
    }

    static func escape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                out.append(UInt8(ascii: "\\"))
            }
            out.append(byte)
        }
        return out
    }
}
