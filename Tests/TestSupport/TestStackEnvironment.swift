import Foundation
import Shared

/// Environment for running Coffer's processes against one test database.
public enum TestStackEnvironment {
    public static let adminToken = "test-admin-token-0123456789"
    public static let secondAdminToken = "test-second-operator-0123456789"
    /// 32 bytes, base64.
    public static let masterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    /// The services that talk to each other (and `cofferctl`'s peers), each ordered pair with its own secret.
    public static let services = ["ingress", "payments", "payouts", "notifications", "monitoring"]

    /// A pair's secret: distinct per pair, so a test can show one pair's secret opens nothing else.
    public static func pairSecret(_ sender: String, _ receiver: String) -> String {
        "test-pair-\(sender)-to-\(receiver)-0123456789"
    }

    /// `COFFER_INTERNAL_SECRETS` for every pair.
    public static let internalSecrets = InternalSecrets.mesh(services) { pair in
        let names = pair.split(separator: ">").map(String.init)
        return pairSecret(names[0], names[1])
    }.joined(separator: ",")

    /// The pairs `service` is part of, as that service would hold them.
    public static func secrets(for service: String) -> InternalSecrets {
        let entries = internalSecrets.split(separator: ",").map(String.init)
        let pairs = (try? InternalSecrets.parse(entries, service: service).pairs) ?? [:]
        return InternalSecrets(current: pairs)
    }

    /// Signs as `service` would (for tests playing a Coffer service).
    public static func signer(as service: String) -> InternalRequestSigner {
        InternalRequestSigner(service: service, secrets: secrets(for: service))
    }

    /// The `X-Coffer-Signature` header `sender` puts on a call to `receiver`.
    public static func signature(
        from sender: String, to receiver: String, method: String, target: String, body: [UInt8]
    ) -> String {
        signer(as: sender).signature(
            to: receiver, method: method, target: target, body: body,
            timestamp: Int64(Date().timeIntervalSince1970)) ?? ""
    }

    public static func variables(database: TestDatabase, extra: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [
            "COFFER_ENV": "test",
            "DATABASE_URL": database.appURL,
            "DATABASE_OWNER_URL": database.ownerURL,
            "DATABASE_POOL_SIZE": "8",
            "COFFER_INTERNAL_SECRETS": internalSecrets,
            "COFFER_ADMIN_TOKENS": "operator:\(adminToken),second:\(secondAdminToken)",
            "COFFER_MASTER_KEY": masterKey,
            "LOG_LEVEL": "info",
            "SHUTDOWN_GRACE_PERIOD": "5s",
            // Tests fail authentication on purpose, all from 127.0.0.1: a lockout only where a test asks for one.
            "AUTH_FAILURES_PER_MINUTE": "100000", "AUTH_FAILURES_BURST": "100000",
        ]
        for (key, value) in extra { env[key] = value }
        return env
    }
}
