import Shared

/// The client services use: plain `http://` through `LoopHTTPClient`, `https://` through
/// `URLSessionHTTPClient`, retries with backoff and jitter for idempotent calls only, and an optional
/// signer for internal calls (applied per attempt, so each carries a fresh timestamp).
public final class CofferHTTPClient: HTTPClient {
    public typealias Signer = @Sendable (inout HTTPClientRequest) -> Void

    private let plain: any HTTPClient
    private let tls: any HTTPClient
    private let retryPolicy: RetryPolicy
    private let logger: Logger?

    public init(
        plain: any HTTPClient = LoopHTTPClient(), tls: any HTTPClient = URLSessionHTTPClient(),
        retryPolicy: RetryPolicy = RetryPolicy(), logger: Logger? = nil
    ) {
        self.plain = plain
        self.tls = tls
        self.retryPolicy = retryPolicy
        self.logger = logger
    }

    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        try await send(request, signer: nil)
    }

    public func send(_ request: HTTPClientRequest, signer: Signer?) async throws -> HTTPClientResponse {
        let policy = request.isIdempotent ? (request.retryPolicy ?? retryPolicy) : .none
        let transport = request.url.lowercased().hasPrefix("https://") ? tls : plain
        var attempt = 1
        while true {
            var signed = request
            signer?(&signed)
            do {
                let response = try await transport.send(signed)
                guard attempt < policy.maxAttempts, policy.retryableStatuses.contains(response.status.code) else {
                    return response
                }
                let wait = policy.delay(afterAttempt: attempt, response: response)
                logger?.debug(
                    "retrying after status",
                    ["status": .int(Int64(response.status.code)), "attempt": .int(Int64(attempt))])
                try await Task.sleep(for: wait)
            } catch let error as HTTPClientError {
                guard attempt < policy.maxAttempts, error.kind != .invalidURL else { throw error }
                logger?.debug(
                    "retrying after error", ["error": .string(error.kind.rawValue), "attempt": .int(Int64(attempt))])
                try await Task.sleep(for: policy.delay(afterAttempt: attempt))
            }
            attempt += 1
        }
    }
}
