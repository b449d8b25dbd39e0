import Shared

/// How the relay delivers: batch size, retry schedule (exponential from `baseDelay` to `maxDelay`
/// with jitter), when an event is dead-lettered, and how long delivered rows are kept.
public struct OutboxRelayConfiguration: Sendable {
    public var batchSize = 500
    public var maxAttempts = 12
    public var baseDelay: Duration = .seconds(1)
    public var maxDelay: Duration = .seconds(3600)
    /// A claimed row is invisible to other relays this long (a crashed relay's rows come back after it).
    public var lease: Duration = .seconds(60)
    public var requestTimeout: Duration = .seconds(15)
    public var idlePoll: Duration = .seconds(1)
    public var deliveredRetention: Duration = .seconds(7 * 86_400)
    /// Deliveries held (events keep queueing): for incidents, when a consumer must not be fed.
    public var paused = false

    public init() {}

    public static func read(from reader: inout ConfigReader) -> OutboxRelayConfiguration {
        var config = OutboxRelayConfiguration()
        config.batchSize = reader.int("OUTBOX_BATCH_SIZE", default: 500, range: 1...5000)
        config.maxAttempts = reader.int("OUTBOX_MAX_ATTEMPTS", default: 12, range: 1...1000)
        config.baseDelay = reader.duration("OUTBOX_RETRY_BASE", default: .seconds(1), minimum: .milliseconds(10))
        config.maxDelay = reader.duration("OUTBOX_RETRY_MAX", default: .seconds(3600), minimum: .milliseconds(10))
        config.deliveredRetention = reader.duration("OUTBOX_RETENTION", default: .seconds(7 * 86_400))
        config.paused = reader.bool("OUTBOX_RELAY_PAUSED", default: false)
        return config
    }
}
