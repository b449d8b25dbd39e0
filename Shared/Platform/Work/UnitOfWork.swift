import Contracts
import Postgres
import Shared

/// One tenant write, start to finish, the same way everywhere: open the tenant's transaction (row-level
/// security's `app.tenant_id`), let the domain make its changes and say what happened — events, audit
/// entries, the object a retry should resume (recovery point) — then write the outbox rows, the audit
/// rows, the recovery point and the idempotency answer in one pipelined round trip, commit, and only
/// then wake the relay, the audit sealer and any worker bells. An event or an audit row exists exactly
/// when its change committed; an idempotency key's answer is stored with the effect or not at all.
public struct UnitOfWork: Sendable {
    public let database: PostgresPool
    /// Nil for a service that publishes nothing; publishing there is a programming error.
    public let outbox: Outbox?
    /// Nil for a service without an audit chain.
    public let audit: AuditLog?
    public let idempotency: IdempotencyStore?
    /// The service whose events these are (`source` on each envelope).
    public let source: String

    public init(
        database: PostgresPool, outbox: Outbox?, audit: AuditLog?, idempotency: IdempotencyStore?, source: String
    ) {
        self.database = database
        self.outbox = outbox
        self.audit = audit
        self.idempotency = idempotency
        self.source = source
    }

    /// The final round trip of a unit: its writes, then its outbox rows, audit rows, recovery point and answer.
    private func flush(_ work: Work, answer stored: StoredAnswer?) throws -> [PostgresQuery] {
        var writes = work.writes
        if !work.events.isEmpty {
            guard let outbox else { throw DomainError.internalFailure("\(source) published events but has no outbox") }
            if let (enqueue, _) = outbox.enqueueQuery(work.events) { writes.append(enqueue) }
        }
        if !work.auditEntries.isEmpty {
            guard let audit else { throw DomainError.internalFailure("\(source) audited but has no audit log") }
            writes += try audit.recordQueries(work.auditEntries)
        }
        if let claim = work.request.claim, let idempotency {
            if let recoveryPoint = work.recoveryPoint {
                writes.append(idempotency.recoveryPointQuery(claim, objectID: recoveryPoint))
            }
            if let stored { writes.append(idempotency.completeQuery(claim, answer: stored)) }
        }
        return writes
    }

    /// After commit: wake the relay, the sealer and the unit's bells.
    private func ring(_ work: Work) {
        if !work.events.isEmpty { outbox?.nudge() }
        if !work.auditEntries.isEmpty { audit?.nudge() }
        for bell in work.bells { bell.ring() }
        for action in work.afterCommit { action() }
    }

    /// Runs `body` in `request`'s tenant transaction. `answer`, when the request has an idempotency
    /// claim, turns the result into the answer the key keeps (stored in the same transaction); the
    /// returned `Committed` says whether it was.
    public func run<T: Sendable>(
        _ request: WorkRequest, isolation: PostgresIsolation = .readCommitted,
        answer: (@Sendable (T) -> StoredAnswer)? = nil, _ body: (inout Work) async throws -> T
    ) async throws -> Committed<T> {
        let (value, stored, work) = try await database.tenantTransaction(request.tenantID, isolation: isolation) {
            connection in
            var work = Work(connection: connection, request: request, source: source)
            let value = try await body(&work)
            let stored = request.claim != nil && idempotency != nil ? answer?(value) : nil
            let writes = try flush(work, answer: stored)
            if !writes.isEmpty { _ = try await connection.pipeline(writes) }
            return (value, stored, work)
        }
        ring(work)
        return Committed(value: value, answer: stored)
    }

    /// One round trip, one implicit transaction, for a write whose statements need no answer between
    /// them (the hot path that creates a payment): the tenant's scope, `statements`, and — when the
    /// request has an idempotency claim — its recovery point, recorded only if `recoverAt` now exists
    /// in its table (a refused insert leaves the key free to retry). Returns the statements' results.
    public func runOneTrip(
        _ request: WorkRequest, _ statements: [PostgresQuery],
        recoverAt: (id: String, table: String)? = nil
    ) async throws -> [PostgresRows] {
        var pipeline: [PostgresQuery] = ["SELECT set_config('app.tenant_id', \(request.tenantID), true)"]
        pipeline += statements
        if let claim = request.claim, let idempotency, let recoverAt {
            pipeline.append(idempotency.recoveryPointQuery(claim, objectID: recoverAt.id, in: recoverAt.table))
        }
        let results = try await database.pipeline(pipeline)
        return Array(results[1...statements.count])
    }

    /// The same for work that spans tenants (a worker settling a batch of payouts, an operator acting on
    /// any tenant's object): a platform transaction (`PlatformRole`), where each event and audit entry
    /// names its own tenant. No idempotency claim.
    public func runAcrossTenants<T: Sendable>(
        actor: String, correlationID: String? = nil, _ body: (inout Work) async throws -> T
    ) async throws -> T {
        let request = WorkRequest(tenantID: "", actor: actor, correlationID: correlationID)
        let (value, work) = try await database.platformTransaction { connection in
            var work = Work(connection: connection, request: request, source: source)
            let value = try await body(&work)
            let writes = try flush(work, answer: nil)
            if !writes.isEmpty { _ = try await connection.pipeline(writes) }
            return (value, work)
        }
        ring(work)
        return value
    }

    /// Events from other services, in the inbox's transaction: each event's effect is scoped to its own
    /// tenant by the consumer (`Work.scope(to:)`), and whatever it publishes names that tenant.
    public func runEvents<T: Sendable>(_ body: (inout Work) async throws -> T) async throws -> T {
        let request = WorkRequest(tenantID: "", actor: "system:" + source, correlationID: nil)
        let (value, work) = try await database.transaction { connection in
            var work = Work(connection: connection, request: request, source: source)
            let value = try await body(&work)
            let writes = try flush(work, answer: nil)
            if !writes.isEmpty { _ = try await connection.pipeline(writes) }
            return (value, work)
        }
        ring(work)
        return value
    }
}

/// Who a write is for: the tenant (its transaction), the actor (audit), the correlation id (events,
/// audit) and the request's idempotency claim, if any. Background work has no claim.
public struct WorkRequest: Sendable {
    public let tenantID: String
    public let actor: String
    public let correlationID: String?
    public let claim: IdempotencyClaim?

    public init(tenantID: String, actor: String, correlationID: String?, claim: IdempotencyClaim? = nil) {
        self.tenantID = tenantID
        self.actor = actor
        self.correlationID = correlationID
        self.claim = claim
    }
}

/// Inside a unit of work: the transaction's connection, and what the change says happened.
public struct Work: Sendable {
    public let connection: PostgresConnection
    public let request: WorkRequest
    let source: String
    /// Carried by the events and audit entries this unit writes (an inbox unit sets each event's own).
    public var correlationID: String?
    fileprivate(set) var writes: [PostgresQuery] = []
    fileprivate(set) var events: [Outbox.Entry] = []
    fileprivate(set) var auditEntries: [AuditEntry] = []
    fileprivate(set) var recoveryPoint: String?
    fileprivate(set) var bells: [Doorbell] = []
    fileprivate(set) var afterCommit: [@Sendable () -> Void] = []

    init(connection: PostgresConnection, request: WorkRequest, source: String) {
        self.connection = connection
        self.request = request
        self.source = source
        correlationID = request.correlationID
    }

    public var tenantID: String { request.tenantID }

    /// Row-level security for what follows in this transaction: `tenantID`'s rows (events from other
    /// services arrive in one transaction for several tenants).
    public mutating func scope(to tenantID: String) async throws {
        try await connection.execute("SELECT set_config('app.tenant_id', \(tenantID), true)")
    }

    /// A statement to run with the unit's final writes, in the same round trip as its events and audit
    /// rows (a store's update that nothing after it in the transaction reads).
    public mutating func write(_ query: PostgresQuery) { writes.append(query) }

    public mutating func write(_ queries: [PostgresQuery]) { writes += queries }

    /// An event about one object, published if the transaction commits (same ordering key, same order).
    /// `tenantID` only in work across tenants.
    public mutating func publish(_ type: String, data: JSONValue, orderingKey: String, tenantID: String? = nil) {
        events.append(
            Outbox.Entry(
                EventEnvelope(
                    type: type, source: source,
                    tenantID: tenantID ?? (request.tenantID.isEmpty ? nil : request.tenantID),
                    correlationID: correlationID, data: data),
                orderingKey: orderingKey))
    }

    /// An event whose payload is a contract type, encoded with Coffer's JSON conventions.
    public mutating func publish<Payload: Encodable>(
        _ type: String, payload: Payload, orderingKey: String, tenantID: String? = nil
    ) throws {
        // Hot payloads write their document directly (identical to the encoder's, tested per type).
        let data =
            try (payload as? any EventPayloadJSON)?.eventJSON
            ?? JSONValue.parse(JSONCoding.makeEncoder().encode(payload))
        publish(type, data: data, orderingKey: orderingKey, tenantID: tenantID)
    }

    /// An audit entry in the tenant's chain, by the request's actor unless told otherwise.
    public mutating func audit(
        _ action: String, objectType: String, objectID: String, before: JSONValue?, after: JSONValue?,
        actor: String? = nil, tenantID: String? = nil
    ) {
        auditEntries.append(
            AuditEntry(
                tenantID: tenantID ?? request.tenantID, actor: actor ?? request.actor, action: action,
                objectType: objectType, objectID: objectID, before: before, after: after,
                correlationID: correlationID))
    }

    /// The object this request created: a retry with the same idempotency key after a crash resumes it.
    public mutating func recover(at objectID: String) { recoveryPoint = objectID }

    /// Rung after commit (a worker's queue bell).
    public mutating func ring(_ bell: Doorbell) { bells.append(bell) }

    /// Runs once the unit has committed (never if it rolls back): dropping a cache of what it changed, so
    /// a reader between the change and the commit cannot keep the old value.
    public mutating func afterCommit(_ action: @escaping @Sendable () -> Void) { afterCommit.append(action) }
}

/// A unit of work's result, and the answer stored with the idempotency key in its transaction (nil
/// when there was no claim or no answer).
public struct Committed<T: Sendable>: Sendable {
    public let value: T
    public let answer: StoredAnswer?

    public init(value: T, answer: StoredAnswer?) {
        self.value = value
        self.answer = answer
    }

    /// A result nothing was written for (a resumed request answering what an earlier attempt did).
    public static func unrecorded(_ value: T) -> Committed<T> { Committed(value: value, answer: nil) }
}
