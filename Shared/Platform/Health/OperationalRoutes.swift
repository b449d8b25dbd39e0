import Foundation
import HTTP
import Postgres
import Shared

/// `/health/live`, `/health/ready`, `/metrics` and `/version`, which every service serves.
enum OperationalRoutes {
    static func add(to router: Router, runtime: ServiceRuntime) {
        let name = runtime.identity.name
        let liveBody = JSONValue.object(["status": "ok", "service": .string(name)]).serialized()
        router.get("/health/live") { _, _ in .json(.ok, bytes: liveBody) }

        router.get("/health/ready") { _, _ in
            let databaseUp = await runtime.database.healthCheck(timeout: .seconds(1))
            var checks: [String: JSONValue] = ["database": databaseUp ? "ok" : "unreachable"]
            var ready = databaseUp
            for (check, passed) in await runtime.readiness.evaluate() {
                checks[check] = passed ? "ok" : "failing"
                ready = ready && passed
            }
            let body = JSONValue.object([
                "status": ready ? "ready" : "not_ready", "service": .string(name), "checks": .object(checks),
            ])
            var response = HTTPResponse.json(ready ? .ok : .serviceUnavailable, bytes: body.serialized())
            if !ready { response.headers.add("Retry-After", "1") }
            return response
        }

        router.get("/metrics") { _, _ in
            .text(.ok, runtime.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }

        let versionBody = JSONValue.object([
            "service": .string(name), "version": .string(CofferVersion.current),
            "commit": .string(runtime.configuration.buildCommit),
            "environment": .string(runtime.configuration.environment.rawValue),
        ]).serialized()
        router.get("/version") { _, _ in .json(.ok, bytes: versionBody) }
    }
}
