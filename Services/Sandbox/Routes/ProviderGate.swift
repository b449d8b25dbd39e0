import HTTP
import Shared

/// How one provider words the answers the gate gives on its behalf.
protocol ProviderDialect: Sendable {
    var provider: SandboxProvider { get }
    /// An outage answer (`fail_next`) with `status`, in the provider's error shape.
    func injectedFailure(status: Int) -> HTTPResponse
    /// The idempotency key was used before with different parameters.
    func idempotencyMismatch(key: String) -> HTTPResponse
    /// Another request with the key is executing; nil means wait for it instead (PayPal).
    func idempotencyInFlight(key: String) -> HTTPResponse?
    /// Headers a replayed answer carries.
    var replayHeaders: HTTPHeaders { get }
    /// Whether an answer is kept for replays of its idempotency key.
    func remembers(status: HTTPStatus, executed: Bool) -> Bool
}

/// An error a simulator throws, already in its provider's shape.
protocol ProviderFailure: Error {
    var response: HTTPResponse { get }
    /// Whether the request got as far as executing: providers keep the answers of those for the key.
    var executed: Bool { get }
}

/// What stands between a provider API call and its simulator: latency, injected failures, timeouts,
/// and idempotent replays. Order matters: an outage (`fail_next`) hits before the key is looked up,
/// so a retry after it executes; a timeout (`timeout_next`) executes first and then withholds the
/// answer past the client's deadline — the case where only idempotency prevents a double charge.
struct ProviderGate: Sendable {
    let context: SimulatorContext
    let dialect: any ProviderDialect

    /// Idempotency of one request: its key and what "the same request" means for the provider.
    struct Idempotency: Sendable {
        let key: String
        let fingerprint: [UInt8]
    }

    func run(
        account: SandboxAccount, idempotency: Idempotency?, logger: Logger,
        _ execute: () async throws -> HTTPResponse
    ) async -> HTTPResponse {
        let provider = dialect.provider
        let admission = context.behaviour.admit(provider, accountID: account.id)
        if admission.latencyMilliseconds > 0 {
            try? await Task.sleep(for: .milliseconds(admission.latencyMilliseconds))
        }
        if let status = admission.failStatus {
            logger.info("injected failure", ["provider": .string(provider.rawValue), "status": .int(Int64(status))])
            return dialect.injectedFailure(status: status)
        }
        let scope = provider.rawValue + ":" + account.id
        if let idempotency {
            switch await lookUp(scope: scope, idempotency) {
            case .replay(let stored):
                var headers = stored.headers
                for field in dialect.replayHeaders { headers.replaceOrAdd(field.name, field.value) }
                return HTTPResponse(status: stored.status, headers: headers, body: stored.body)
            case .mismatch:
                return dialect.idempotencyMismatch(key: idempotency.key)
            case .inFlight:
                return dialect.idempotencyInFlight(key: idempotency.key) ?? dialect.injectedFailure(status: 500)
            case .execute:
                break
            }
        }
        var response: HTTPResponse
        var executed = true
        do {
            response = try await execute()
        } catch let failure as any ProviderFailure {
            response = failure.response
            executed = failure.executed
        } catch {
            logger.error(
                "simulator failed",
                ["provider": .string(provider.rawValue), "error": .string(String(describing: error))])
            response = dialect.injectedFailure(status: 500)
            executed = false
        }
        if let idempotency {
            if dialect.remembers(status: response.status, executed: executed) {
                context.idempotency.finish(
                    scope: scope, key: idempotency.key,
                    response: .init(status: response.status, headers: response.headers, body: response.body))
            } else {
                context.idempotency.abandon(scope: scope, key: idempotency.key)
            }
        }
        if let hold = admission.timeoutMilliseconds {
            logger.info(
                "injected timeout: holding the answer",
                ["provider": .string(provider.rawValue), "hold_ms": .int(Int64(hold))])
            try? await Task.sleep(for: .milliseconds(hold))
        }
        return response
    }

    /// Looks the key up; when the dialect waits for an in-flight twin, polls until it has finished.
    private func lookUp(scope: String, _ idempotency: Idempotency) async -> IdempotencyCache.Lookup {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let lookup = context.idempotency.begin(
                scope: scope, key: idempotency.key, fingerprint: idempotency.fingerprint)
            guard case .inFlight = lookup, dialect.idempotencyInFlight(key: idempotency.key) == nil,
                ContinuousClock.now < deadline
            else { return lookup }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
