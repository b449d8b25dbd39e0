import HTTP
import Shared

/// `cofferctl audit verify`: asks each service that keeps an audit log to walk its chains
/// (`GET /admin/audit/verify`) and prints what they found. It lives here, beside the route it calls, so
/// it is tested against a real server; cofferctl's `audit` command only hands it the environment.
///
/// Exit status: 0 when every chain of every service asked verifies; 1 when a problem was found (this
/// wins: a tampered chain must not hide behind an unreachable service); 2 when a service could not be
/// asked or did not answer with a report (unreachable, token refused, no such route); 64 on bad usage.
public enum AuditVerifyCommandLine {
    /// The services that keep an audit log.
    public static let services = ["payments", "payouts"]

    public static let exitVerified: Int32 = 0
    public static let exitProblems: Int32 = 1
    public static let exitUnverified: Int32 = 2
    public static let exitUsage: Int32 = 64

    public static let usage = """
        cofferctl audit verify [--service payments|payouts|all] [--tenant ten_…|platform] [--json]

        Walks the audit hash chains of payments and payouts (or the one named) through each service's
        GET /admin/audit/verify, with the operator token COFFER_ADMIN_TOKEN, and reports rows edited
        (hash_mismatch), deleted (sequence_gap, or head_mismatch at the end), relinked
        (prev_hash_mismatch), and rows left unsealed too long (unsealed).
        --tenant checks one tenant's chain (`platform`: actions without a tenant).
        --json prints one JSON document instead of the table.

        Exit status: 0 every chain verifies, 1 a problem was found, 2 a service could not be verified
        (unreachable, or it refused the token), 64 bad usage.
        """

    /// What one service answered.
    enum Outcome {
        case report(AuditVerificationReport)
        case unreachable(String)
        case refused(status: Int, message: String)
    }

    /// Runs the command. `arguments` follow `audit` (`["verify", "--json"]`); `serviceURLs` maps service
    /// names to base URLs; `write` gets whole lines.
    public static func run(
        arguments: [String], serviceURLs: [String: String], adminToken: String?,
        client: any HTTPClient = LoopHTTPClient(), write: (String) -> Void
    ) async -> Int32 {
        guard arguments.first == "verify" else {
            write(usage)
            return exitUsage
        }
        var selected = services
        var tenant: String?
        var json = false
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--json":
                json = true
            case "--service":
                guard let value = rest.popFirst(), value == "all" || services.contains(value) else {
                    write("cofferctl audit verify: --service takes payments, payouts or all\n\n" + usage)
                    return exitUsage
                }
                selected = value == "all" ? services : [value]
            case "--tenant":
                guard let value = rest.popFirst(), !value.isEmpty, !value.hasPrefix("-") else {
                    write("cofferctl audit verify: --tenant takes a tenant id (ten_…) or platform\n\n" + usage)
                    return exitUsage
                }
                tenant = value
            default:
                write("cofferctl audit verify: unknown option \"\(argument)\"\n\n" + usage)
                return exitUsage
            }
        }
        guard let adminToken else {
            write("cofferctl audit verify: COFFER_ADMIN_TOKEN is not set (in the environment or .run/coffer.env)")
            return exitUnverified
        }
        var results: [(service: String, url: String, outcome: Outcome)] = []
        for service in selected {
            let url = serviceURLs[service] ?? ""
            results.append((service, url, await fetch(url: url, tenant: tenant, token: adminToken, client: client)))
        }
        let code = exitCode(results.map(\.outcome))
        if json {
            write(String(decoding: document(results, code: code).serialized(), as: UTF8.self))
        } else {
            for line in table(results, code: code) { write(line) }
        }
        return code
    }

    static func exitCode(_ outcomes: [Outcome]) -> Int32 {
        var code = exitVerified
        for outcome in outcomes {
            switch outcome {
            case .report(let report) where !report.ok: return exitProblems
            case .report: break
            case .unreachable, .refused: code = exitUnverified
            }
        }
        return code
    }

    static func fetch(url: String, tenant: String?, token: String, client: any HTTPClient) async -> Outcome {
        guard !url.isEmpty else { return .unreachable("no URL configured") }
        var target = url + "/admin/audit/verify"
        if let tenant { target += "?tenant_id=" + percentEncoded(tenant) }
        let request = HTTPClientRequest(
            method: .GET, url: target, headers: ["Authorization": "Bearer " + token],
            timeout: .seconds(300), retryPolicy: RetryPolicy.none)
        let response: HTTPClientResponse
        do {
            response = try await client.send(request)
        } catch let error as HTTPClientError {
            return .unreachable(error.kind.rawValue)
        } catch {
            return .unreachable("error")
        }
        let body = try? JSONValue.parse(response.body)
        guard response.status == .ok else {
            let message = body?["error"]?["message"]?.stringValue ?? "HTTP \(response.status.code)"
            return .refused(status: response.status.code, message: message)
        }
        guard let body, let report = AuditVerificationReport(json: body) else {
            return .refused(status: response.status.code, message: "the answer was not a verification report")
        }
        return .report(report)
    }

    /// Unreserved characters only (RFC 3986), so any tenant id reaches the query intact.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }

    static func document(_ results: [(service: String, url: String, outcome: Outcome)], code: Int32) -> JSONValue {
        let services: [JSONValue] = results.map { result in
            var entry: [String: JSONValue] = ["service": .string(result.service), "url": .string(result.url)]
            switch result.outcome {
            case .report(let report):
                entry["state"] = report.ok ? "verified" : "problems"
                entry["report"] = report.json
            case .unreachable(let reason):
                entry["state"] = "unreachable"
                entry["error"] = .string(reason)
            case .refused(let status, let message):
                entry["state"] = "not_verified"
                entry["status"] = .int(Int64(status))
                entry["error"] = .string(message)
            }
            return .object(entry)
        }
        return ["ok": .bool(code == exitVerified), "exit_code": .int(Int64(code)), "services": .array(services)]
    }

    static func table(_ results: [(service: String, url: String, outcome: Outcome)], code: Int32) -> [String] {
        var lines: [String] = []
        var problemCount = 0
        for result in results {
            let head = pad(result.service, 10) + pad(result.url, 28)
            switch result.outcome {
            case .report(let report):
                problemCount += report.problems.count
                lines.append(
                    head + pad(report.ok ? "VERIFIED" : "PROBLEMS", 12)
                        + "\(report.tenantsChecked) chains, \(report.rowsChecked) rows, \(report.unsealedRows) unsealed, "
                        + "\(report.problems.count) problems")
                for problem in report.problems {
                    lines.append(
                        "    " + pad(problem.kind.rawValue, 20) + pad(problem.tenantID ?? AuditChain.platformKey, 24)
                            + pad(problem.chainSeq.map { "seq \($0)" } ?? "-", 12)
                            + pad(problem.rowID.map { "row \($0)" } ?? "-", 14) + problem.detail)
                }
                if report.problemsTruncated { lines.append("    … more problems than listed") }
            case .unreachable(let reason):
                lines.append(head + pad("UNREACHABLE", 12) + reason)
            case .refused(let status, let message):
                lines.append(head + pad("NOT VERIFIED", 12) + "HTTP \(status): \(message)")
            }
        }
        lines.append("")
        switch code {
        case exitVerified: lines.append("Every audit chain verifies.")
        case exitProblems:
            lines.append(
                "Audit trail problems found (\(problemCount) listed): history was altered, deleted or not sealed.")
        default: lines.append("Not every service could be verified.")
        }
        return lines
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
