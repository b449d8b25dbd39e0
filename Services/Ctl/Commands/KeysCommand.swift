import Foundation
import HTTP
import Shared

/// `cofferctl keys rotate`: after a new master key version is deployed (COFFER_MASTER_KEY=v2:…,v1:…
/// on every service), re-encrypts every connector secret (payments) and payee destination (payouts)
/// under it, so the old version can be retired.
struct KeysCommand: CtlCommand {
    let name = "keys"
    let summary = "Re-encrypt connector secrets and payee destinations under the newest master key"
    let usage = """
        cofferctl keys rotate [--service payments|payouts|all]

        Rotating COFFER_MASTER_KEY:
          1. Generate a key: openssl rand -base64 32
          2. Deploy COFFER_MASTER_KEY="v2:<new>,v1:<old>" to every service (ingress, payments, payouts, …).
             New secrets are sealed with v2 from now on; v1 still opens the old ones.
          3. Run `cofferctl keys rotate`: payments re-seals every connector secret under v2 and
             publishes the connectors, so every service's copy is re-sealed too; payouts re-seals
             every payee's bank account, UPI address or wallet number.
          4. When it reports success, deploy COFFER_MASTER_KEY="v2:<new>" everywhere.

        Calls POST /admin/keys/rotate on payments (PAYMENTS_INTERNAL_URL), then on payouts (PAYOUTS_INTERNAL_URL),
        with COFFER_ADMIN_TOKEN; --service limits it to one of them (default all).
        Exit status: 0 on success, 1 on failure.
        """

    func run(arguments: [String], environment: CtlEnvironment, output: CtlOutput) async -> Int32 {
        guard arguments.first == "rotate" else {
            output.line(usage)
            return 64
        }
        guard let token = environment["COFFER_ADMIN_TOKEN"] else {
            output.line("cofferctl keys rotate: set COFFER_ADMIN_TOKEN (an operator token)")
            return 1
        }
        var service = "all"
        if arguments.count == 3, arguments[1] == "--service", ["payments", "payouts", "all"].contains(arguments[2]) {
            service = arguments[2]
        } else if arguments.count != 1 {
            output.line(usage)
            return 64
        }
        if service != "payouts" {
            let payments = environment.internalURL("payments") + "/admin/keys/rotate"
            guard let paid = await rotate(url: payments, service: "payments", token: token, output: output) else {
                return 1
            }
            output.line(
                "Re-encrypted \(paid["reencrypted_connectors"]?.int64Value ?? 0) connector(s) under master key v\(paid["key_version"]?.int64Value ?? 0)."
            )
        }
        guard service != "payments" else { return 0 }
        let payouts = environment.internalURL("payouts") + "/admin/keys/rotate"
        guard let payees = await rotate(url: payouts, service: "payouts", token: token, output: output) else {
            return 1
        }
        let version = payees["key_version"]?.int64Value ?? 0
        output.line(
            "Re-sealed \(payees["resealed_payee_destinations"]?.int64Value ?? 0) payee destination(s) under master key v\(version). Every secret now opens with v\(version)."
        )
        return 0
    }

    private func rotate(url: String, service: String, token: String, output: CtlOutput) async -> JSONValue? {
        do {
            let response = try await LoopHTTPClient().send(
                HTTPClientRequest(
                    method: .POST, url: url,
                    headers: [
                        "Authorization": "Bearer " + token,
                        "Idempotency-Key": "keys-rotate-" + CofferID.generate(.request),
                    ],
                    timeout: .seconds(300)))
            let body = (try? JSONValue.parse(response.body)) ?? .null
            guard response.status == .ok else {
                output.line(
                    "cofferctl keys rotate: \(service) answered \(response.status.code): \(body["error"]?["message"]?.stringValue ?? response.bodyText)"
                )
                return nil
            }
            return body
        } catch {
            output.line("cofferctl keys rotate: could not reach \(service) at \(url): \(error)")
            return nil
        }
    }
}
