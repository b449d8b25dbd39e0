import Foundation
import Platform
import Shared

/// PhonePe, two generations:
/// - v1 (salt key): body `{"response":"<base64>"}`, `X-VERIFY = hex(SHA256(response + salt_key)) + "###" + salt_index`.
///   The body is signed: verified, no confirmation needed. Hex compares case-insensitively.
/// - v2 (current SDK): `Authorization = hex(SHA256("<username>:<password>"))`, the dashboard's callback
///   credentials. Proves the sender knows the credential, nothing about the body: needs confirmation.
struct PhonePeVerifier: WebhookVerifier {
    func verify(_ request: WebhookRequest, connectors: [OpenedConnector]) async -> Result<
        VerifiedWebhook, WebhookRejection
    > {
        if let xVerify = request.headers["X-VERIFY"] { return verifySalted(xVerify, request, connectors) }
        guard let authorization = request.headers["Authorization"] else { return .failure(.missingSignature) }
        let presentedText =
            authorization.lowercased().hasPrefix("sha256 ")
            ? String(authorization.dropFirst(7)) : authorization
        guard let presented = Hex.decode(presentedText.trimmingCharacters(in: .whitespaces).lowercased()),
            presented.count == 32
        else {
            return .failure(.invalidCallbackCredential)
        }
        var configured = false
        for connector in connectors {
            guard let username = connector.callbackUsername, let password = connector.callbackPassword else { continue }
            configured = true
            if ConstantTime.equals(presented, SHA256.hash("\(username):\(password)")) {
                return .success(
                    VerifiedWebhook(
                        connector: connector, method: .callbackCredential, needsConfirmation: true, headerEventID: nil))
            }
        }
        return .failure(configured ? .invalidCallbackCredential : .connectorMisconfigured)
    }

    private func verifySalted(_ header: String, _ request: WebhookRequest, _ connectors: [OpenedConnector]) -> Result<
        VerifiedWebhook, WebhookRejection
    > {
        let parts = header.components(separatedBy: "###")
        guard parts.count == 2, let index = Int(parts[1]), let presented = Hex.decode(parts[0].lowercased()),
            presented.count == 32,
            let body = try? JSONValue.parse(request.body), let response = body["response"]?.stringValue
        else { return .failure(.invalidSignature) }
        var configured = false
        for connector in connectors {
            guard let salt = connector.saltKey, connector.saltIndex == index else { continue }
            configured = true
            if ConstantTime.equals(presented, SHA256.hash(response + salt)) {
                return .success(
                    VerifiedWebhook(
                        connector: connector, method: .signature, needsConfirmation: false, headerEventID: nil))
            }
        }
        return .failure(configured ? .invalidSignature : .connectorMisconfigured)
    }
}
