import Foundation
import HTTP
import Shared

/// `cofferctl keys rotate`: after a new master key version is deployed (COFFER_MASTER_KEY=v2:…,v1:…
/// on every service), re-encrypts every connector secret under it, so the old version can be retired.
struct KeysCommand: CtlCommand {
    let name = "keys"
    let summary = "Re-encrypt connector secrets under the newest master key"
    let usage = """
        cofferctl keys rotate

        Rotating COFFER_MASTER_KEY:
          1. Generate a key: openssl rand -base64 32
          2. Deploy COFFER_MASTER_KEY="v2:<new>,v1:<old>" to every service (ingress, payments, payouts, …).
             New secrets are sealed with v2 from now on; v1 still opens the old ones.
          3. Run `cofferctl keys rotate`: payments re-seals every connector secret under v2 and
             publishes the connectors, so every service's copy is re-sealed too.
          4. When it reports success, deploy COFFER_MASTER_KEY="v2:<new>" everywhere.

        Calls POST /admin/keys/rotate on payments (PAYMENTS_URL, COFFER_ADMIN_TOKEN).
        Exit status: 0 on success, 1 on failure.
        """

    func run(arguments: [String], environment: CtlEnvironment, output: CtlOutput) async -> Int32 {
        guard arguments.first == "rotate" else {
            output.line(usage)
            return 64
        }
        guard let token = environment["COFFER_ADMIN_TOKEN"] else {
            output.line("cofferctl keys rotate: set COFFER_ADMIN_TOKEN (an operator token of payments)")
            return 1
        }
        let url = (environment["PAYMENTS_URL"] ?? "http://127.0.0.1:8081") + "/admin/keys/rotate"
        do {
            let response = try await LoopHTTPClient().send(HTTPClientRequest(
                method: .POST, url: url, headers: ["Authorization": "Bearer " + token, "Idempotency-Key": "keys-rotate-" + CofferID.generate(.request)],
                timeout: .seconds(300)))
            let body = (try? JSONValue.parse(response.body)) ?? .null
            guard response.status == .ok else {
                output.line("cofferctl keys rotate: payments answered \(response.status.code): \(body["error"]?["message"]?.stringValue ?? response.bodyText)")
                return 1
            }
            let count = body["reencrypted_connectors"]?.int64Value ?? 0
            let version = body["key_version"]?.int64Value ?? 0
            output.line("Re-encrypted \(count) connector(s) under master key v\(version). Every secret now opens with v\(version).")
            return 0
        } catch {
            output.line("cofferctl keys rotate: could not reach payments at \(url): \(error)")
            return 1
        }
    }
}
