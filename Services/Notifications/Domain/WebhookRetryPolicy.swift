import Foundation

/// When a tenant's webhook is tried again (issue 11's outbound delivery; pure, so every answer and
/// every attempt is table-tested and the delivery engine can run under a controllable clock).
///
/// Svix's schedule — immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — each delay spread
/// ±20% so endpoints that failed together are not retried together. 2xx is delivered; 410 Gone
/// disables the endpoint at once (the receiver said it will never take them); other answers and no
/// answer are retried, waiting at least what a `Retry-After` asks (capped, so an endpoint cannot park
/// a message for days); after the last attempt the message has failed. An endpoint that has failed
/// every attempt for five days straight is disabled.
enum WebhookRetryPolicy {
    /// The wait before each attempt: the first is immediate.
    static let schedule: [Duration] = [
        .zero, .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18_000), .seconds(36_000),
        .seconds(36_000),
    ]
    /// The most a `Retry-After` can defer the next attempt.
    static let retryAfterCap: Duration = .seconds(3600)
    /// How long an endpoint may fail every attempt before it is disabled.
    static let disableAfter: Duration = .seconds(5 * 86_400)
    /// How long one attempt may take.
    static let attemptTimeout: Duration = .seconds(15)

    enum Decision: Equatable {
        case delivered
        /// Try again after this long.
        case retry(after: Duration)
        /// No attempts left: the message has failed (it can still be resent or recovered by hand).
        case failed
        /// 410 Gone: the endpoint is disabled now.
        case disableEndpoint
    }

    /// What follows attempt number `attempt` (1 for the first) that got `status` (nil: no answer —
    /// refused, timed out, TLS failed). `spreadPermille` is the jitter in −200…200 (random in the
    /// engine, fixed in tests).
    static func decide(attempt: Int, status: Int?, retryAfter: String?, spreadPermille: Int) -> Decision {
        if let status, (200..<300).contains(status) { return .delivered }
        if status == 410 { return .disableEndpoint }
        guard attempt >= 1, attempt < schedule.count else { return .failed }
        let base = schedule[attempt]
        let spread = max(-200, min(200, spreadPermille))
        var delay = base + base * spread / 1000
        if let asked = retryAfterDuration(retryAfter) { delay = max(delay, min(asked, retryAfterCap)) }
        return .retry(after: delay)
    }

    /// `Retry-After` as whole seconds; an HTTP date or anything else is ignored (the schedule rules).
    static func retryAfterDuration(_ header: String?) -> Duration? {
        guard let header, let seconds = Int64(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return .seconds(seconds)
    }

    /// Whether an endpoint failing since `failingSince` (its first failure with no success after it)
    /// is disabled now.
    static func shouldDisable(failingSince: Date?, now: Date) -> Bool {
        guard let failingSince else { return false }
        return now.timeIntervalSince(failingSince) >= TimeInterval(disableAfter.components.seconds)
    }
}
