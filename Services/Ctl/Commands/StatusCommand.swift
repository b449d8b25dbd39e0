import Foundation
import HTTP
import Shared

/// `cofferctl status`: asks every service whether it is ready (`/health/ready`) and which version it
/// runs. Exits 0 only when all are ready, so it can gate a deploy or open an incident.
struct StatusCommand: CtlCommand {
    let name = "status"
    let summary = "Readiness and version of every service"
    let usage = """
        cofferctl status [--json]

        Calls GET /health/ready and GET /version on ingress, payments, payouts, notifications,
        monitoring and the sandbox (URLs from INGRESS_URL, PAYMENTS_URL, … or .run/coffer.env).
        Exit status: 0 when every service is ready, 1 otherwise.
        """

    func run(arguments: [String], environment: CtlEnvironment, output: CtlOutput) async -> Int32 {
        let json = arguments.contains("--json")
        let client = LoopHTTPClient()
        let results = await withTaskGroup(of: (Int, ServiceStatus).self) { group in
            for (index, service) in environment.services.enumerated() {
                group.addTask {
                    (index, await ServiceStatus.probe(name: service.name, url: service.url, client: client))
                }
            }
            var collected: [(Int, ServiceStatus)] = []
            for await result in group { collected.append(result) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        if json {
            output.line(String(decoding: JSONValue.array(results.map(\.json)).serialized(), as: UTF8.self))
        } else {
            output.line(
                pad("SERVICE", 15) + pad("STATE", 12) + pad("VERSION", 18) + pad("LATENCY", 10) + "URL / DETAIL")
            for status in results {
                output.line(
                    pad(status.name, 15) + pad(status.state, 12) + pad(status.version ?? "-", 18)
                        + pad(status.latencyMilliseconds.map { "\($0) ms" } ?? "-", 10) + status.url
                        + (status.detail.map { "  (\($0))" } ?? ""))
            }
        }
        return results.allSatisfy { $0.state == "ready" } ? 0 : 1
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

/// One service's answer to `status`.
struct ServiceStatus: Sendable {
    let name: String
    let url: String
    let state: String
    let version: String?
    let latencyMilliseconds: Int?
    let detail: String?

    var json: JSONValue {
        [
            "service": .string(name), "url": .string(url), "state": .string(state),
            "version": version.map(JSONValue.string) ?? .null,
            "latency_ms": latencyMilliseconds.map { .int(Int64($0)) } ?? .null,
            "detail": detail.map(JSONValue.string) ?? .null,
        ]
    }

    static func probe(name: String, url: String, client: LoopHTTPClient) async -> ServiceStatus {
        let started = ContinuousClock.now
        do {
            let ready = try await client.send(
                HTTPClientRequest(method: .GET, url: url + "/health/ready", timeout: .seconds(3)))
            let elapsed = ContinuousClock.now - started
            let milliseconds = Int(
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            let version = try? await client.send(
                HTTPClientRequest(method: .GET, url: url + "/version", timeout: .seconds(3)))
            let versionText = version.flatMap { try? JSONValue.parse($0.body) }.flatMap { $0["version"]?.stringValue }
            var detail: String?
            if ready.status != .ok, let checks = (try? JSONValue.parse(ready.body))?["checks"]?.objectValue {
                detail = checks.filter { $0.value.stringValue != "ok" }.map {
                    "\($0.key): \($0.value.stringValue ?? "?")"
                }
                .sorted().joined(separator: ", ")
            }
            return ServiceStatus(
                name: name, url: url, state: ready.status == .ok ? "ready" : "not ready", version: versionText,
                latencyMilliseconds: milliseconds, detail: detail)
        } catch {
            return ServiceStatus(
                name: name, url: url, state: "unreachable", version: nil, latencyMilliseconds: nil,
                detail: (error as? HTTPClientError)?.kind.rawValue ?? "error")
        }
    }
}
