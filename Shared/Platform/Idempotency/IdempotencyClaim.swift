import HTTP
import Postgres
import Shared

/// A claimed `Idempotency-Key`, as a value: which key, for whom, and the object an earlier attempt
/// created (a payment, a payout) when a retry takes over after a crash. The middleware claims it and
/// passes it down in the request context; the unit of work records the recovery point and the answer
/// in the transaction that takes effect; the handler's response says whether it did
/// (`IdempotencyRecorded`), so nothing is written twice and no flags travel back up.
public struct IdempotencyClaim: Sendable, Equatable {
    public let scope: String
    public let key: String
    public let tenantID: String
    /// The object an earlier attempt created, when resuming after a crash.
    public let recoveryPoint: String?

    public init(scope: String, key: String, tenantID: String, recoveryPoint: String?) {
        self.scope = scope
        self.key = key
        self.tenantID = tenantID
        self.recoveryPoint = recoveryPoint
    }
}

public enum IdempotencyClaimContext: RequestContextKey {
    public typealias Value = IdempotencyClaim
}

/// Set on a response whose answer the unit of work already stored with the claim (in the same
/// transaction as the effect): the middleware then has nothing left to write.
public enum IdempotencyRecorded: RequestContextKey {
    public typealias Value = Bool
}

/// What an idempotency key keeps and replays: a status and the exact body bytes.
public struct StoredAnswer: Sendable, Equatable {
    public let status: Int
    public let body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    public static func json(_ status: Int, _ value: JSONValue) -> StoredAnswer {
        StoredAnswer(status: status, body: value.serialized())
    }

    /// Answers worth replaying: successes and the outcome of a request that ran (a declined payment).
    public var isWorthStoring: Bool { (200..<300).contains(status) || status == 402 }
}
