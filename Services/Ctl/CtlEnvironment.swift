import Foundation

/// Where cofferctl finds the services and its credentials: the process environment, falling back to
/// an env file (`--env-file`, `COFFER_ENV_FILE`, or `.run/coffer.env` when present, as `make run` writes it).
public struct CtlEnvironment: Sendable {
    public let values: [String: String]

    public init(processEnvironment: [String: String], envFile: String?) {
        var merged: [String: String] = [:]
        let path =
            envFile ?? processEnvironment["COFFER_ENV_FILE"]
            ?? (FileManager.default.fileExists(atPath: ".run/coffer.env") ? ".run/coffer.env" : nil)
        if let path, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { merged[parts[0]] = Self.unquoted(parts[1]) }
            }
        }
        for (key, value) in processEnvironment { merged[key] = value }
        values = merged
    }

    /// A value as a shell would read it when the file is sourced: `'…'` or `"…"` around it are not part of
    /// it (`make run` quotes values such as `COFFER_INTERNAL_SECRETS`, whose `>` a shell would take as a redirection).
    static func unquoted(_ value: String) -> String {
        for quote in ["'", "\""] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }

    public subscript(name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// The six services and where to reach them (defaults are `make run`'s ports).
    public var services: [(name: String, url: String)] {
        [
            ("ingress", "INGRESS_URL", 8080), ("payments", "PAYMENTS_URL", 8081), ("payouts", "PAYOUTS_URL", 8082),
            ("notifications", "NOTIFICATIONS_URL", 8083), ("monitoring", "MONITORING_URL", 8084),
            ("sandbox", "SANDBOX_URL", 8090),
        ]
        .map { ($0.0, self[$0.1] ?? "http://127.0.0.1:\($0.2)") }
    }

    /// Each service's internal listener (`INGRESS_INTERNAL_URL`, …), where the operator routes
    /// (`/admin/…`) are served; defaults are `make run`'s ports.
    public var internalServices: [(name: String, url: String)] {
        [("ingress", 9080), ("payments", 9081), ("payouts", 9082), ("notifications", 9083), ("monitoring", 9084)]
            .map { ($0.0, self[$0.0.uppercased() + "_INTERNAL_URL"] ?? "http://127.0.0.1:\($0.1)") }
    }

    /// The operator token: `COFFER_ADMIN_TOKEN`, or the first of `COFFER_ADMIN_TOKENS` (`name:token,…`).
    public var adminToken: String? {
        if let single = self["COFFER_ADMIN_TOKEN"] { return single }
        guard let first = self["COFFER_ADMIN_TOKENS"]?.split(separator: ",").first,
            let colon = first.firstIndex(of: ":")
        else { return nil }
        let token = first[first.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// One service's internal listener.
    public func internalURL(_ service: String) -> String {
        internalServices.first { $0.name == service }?.url ?? ""
    }
}
