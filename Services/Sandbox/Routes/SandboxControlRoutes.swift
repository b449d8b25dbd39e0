import HTTP
import Shared

/// The sandbox's control API under `/_sandbox/` (never deployed to production).
enum SandboxControlRoutes {
    static func register(on router: Router) {
        // Answers after `delay_ms` (at most 30 s): a slow dependency on demand, for timeout and
        // graceful-shutdown drills.
        router.get("/_sandbox/echo") { request, _ in
            let requested = request.queryParameters["delay_ms"].flatMap { Int($0) } ?? 0
            let delay = max(0, min(requested, 30_000))
            if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
            return .json(.ok, bytes: JSONValue.object(["delayed_ms": .int(Int64(delay))]).serialized())
        }
    }
}
