import Foundation
import Platform
import Postgres
import ProviderKit
import Shared
import Synchronization

/// Works through `provider_events_awaiting`: unsigned callbacks are confirmed through the provider's
/// status API before anything moves (DESIGN.md), and events that matched no payment yet (a webhook
/// that beat the request creating the payment) are matched again. Rows are claimed with a lease
/// (`FOR UPDATE SKIP LOCKED`), so any number of replicas can run this; provider calls happen outside
/// any transaction. Events still unmatched after `maxUnmatchedAttempts` move to
/// `unmatched_provider_events` for an operator.
final class ParkedEventsWorker: Service {
    let name = "parked-provider-events"
    private let database: PostgresPool
    private let outbox: Outbox
    private let gateway: ProviderGateway
    private let connectors: ConnectorStore
    private let logger: Logger
    let doorbell: Doorbell
    private let stopping = Atomic<Bool>(false)
    static let maxUnmatchedAttempts: Int32 = 10

    init(database: PostgresPool, outbox: Outbox, gateway: ProviderGateway, connectors: ConnectorStore, doorbell: Doorbell, logger: Logger) {
        self.database = database
        self.outbox = outbox
        self.gateway = gateway
        self.connectors = connectors
        self.doorbell = doorbell
        self.logger = logger.with(["component": "parked-events"])
    }

    func run() async throws {
        while !stopping.load(ordering: .relaxed) {
            var worked = false
            do {
                worked = try await round()
            } catch {
                logger.warning("parked events round failed", ["error": .string(String(describing: error))])
            }
            if !worked { await doorbell.wait(timeout: .seconds(2)) }
        }
    }

    func shutdown() async {
        stopping.store(true, ordering: .relaxed)
        doorbell.ring()
    }

    struct Parked: Sendable {
        let eventID: String
        let tenantID: String
        let type: ProviderEventType
        let data: ProviderEventData
        let reason: String
        let attempts: Int32
    }

    /// One batch; returns whether there was work.
    func round() async throws -> Bool {
        let claimed = try await database.platformTransaction { connection -> [Parked] in
            let rows = try await connection.query("""
                UPDATE payments.provider_events_awaiting a SET next_attempt_at = now() + interval '60 seconds', attempts = attempts + 1
                WHERE a.event_id IN (
                    SELECT event_id FROM payments.provider_events_awaiting
                    WHERE resolved_at IS NULL AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT 50 FOR UPDATE SKIP LOCKED)
                RETURNING a.event_id, a.tenant_id, a.type, a.data::text, a.reason, a.attempts
                """)
            return rows.compactMap { row -> Parked? in
                guard let (eventID, tenantID, type, dataText, reason, attempts) = try? row.decode((String, String, String, String, String, Int32).self),
                      let eventType = ProviderEventType(rawValue: type),
                      let data = try? JSONCoding.makeDecoder().decode(ProviderEventData.self, from: Data(dataText.utf8))
                else { return nil }
                return Parked(eventID: eventID, tenantID: tenantID, type: eventType, data: data, reason: reason, attempts: attempts)
            }
        }
        for parked in claimed {
            do {
                try await process(parked)
            } catch {
                logger.warning("parked event failed; will retry", ["event_id": .string(parked.eventID), "error": .string(String(describing: error))])
                try? await reschedule(parked, after: backoff(parked.attempts), note: nil)
            }
        }
        return !claimed.isEmpty
    }

    private func process(_ parked: Parked) async throws {
        if parked.reason == "needs_confirmation" {
            guard let (type, confirmed) = try await confirm(parked) else { return }
            try await applyTrusted(parked, type: type, data: confirmed)
        } else {
            try await applyTrusted(parked, type: parked.type, data: parked.data)
        }
    }

    /// Asks the provider what the callback claimed. Returns the confirmed facts, or nil when the row was
    /// rescheduled (no adapter yet, no such object, provider unavailable).
    private func confirm(_ parked: Parked) async throws -> (ProviderEventType, ProviderEventData)? {
        let data = parked.data
        guard let provider = ProviderName(rawValue: data.provider), gateway.adapter(for: provider) != nil else {
            // DESIGN.md: while a provider has no adapter, its unsigned callbacks wait here.
            try await reschedule(parked, after: .seconds(3600), note: "no_adapter")
            return nil
        }
        guard let connector = try await connectors.any(connectorID: data.connectorID, tenantID: parked.tenantID) else {
            try await resolve(parked, unmatchedReason: "connector \(data.connectorID) no longer exists")
            return nil
        }
        var confirmed = data
        confirmed.needsConfirmation = false
        do {
            switch parked.type {
            case .paymentAuthorized, .paymentCaptured, .paymentFailed:
                let state = try await gateway.call("fetch_payment", tenantID: parked.tenantID, connector: connector) { adapter async throws(ProviderError) in
                    try await adapter.fetchPayment(data.objectType == "payment" ? data.providerObjectID : (data.relatedProviderObjectID ?? ""),
                                                   connector: connector)
                }
                switch state.status {
                case .captured:
                    confirmed.amount = state.amountCaptured
                    return retype(confirmed, parked, .paymentCaptured)
                case .authorized:
                    confirmed.amount = state.amountCapturable
                    return retype(confirmed, parked, .paymentAuthorized)
                case .failed(let code, _):
                    confirmed.failureReason = code
                    return retype(confirmed, parked, .paymentFailed)
                case .processing, .requiresAction, .canceled:
                    logger.notice("provider does not confirm the callback yet", ["event_id": .string(parked.eventID), "status": .string(state.rawStatus)])
                    try await reschedule(parked, after: backoff(parked.attempts), note: nil)
                    return nil
                }
            case .refundSucceeded, .refundFailed:
                let state = try await gateway.call("fetch_refund", tenantID: parked.tenantID, connector: connector) { adapter async throws(ProviderError) in
                    try await adapter.fetchRefund(data.providerObjectID, connector: connector)
                }
                guard state.status != .pending else {
                    try await reschedule(parked, after: backoff(parked.attempts), note: nil)
                    return nil
                }
                confirmed.amount = state.amount
                return retype(confirmed, parked, state.status == .succeeded ? .refundSucceeded : .refundFailed)
            case .disputeOpened, .payoutProcessed, .payoutFailed, .payoutReversed:
                try await reschedule(parked, after: .seconds(3600), note: "cannot_confirm")
                return nil
            }
        } catch let error as ProviderError where error.kind == .invalidRequest {
            try await resolve(parked, unmatchedReason: "the provider does not know \(data.providerObjectID): \(error.message)")
            return nil
        }
    }

    /// The confirmed type may differ from the callback's claim: the provider's answer wins.
    private func retype(_ data: ProviderEventData, _ parked: Parked, _ type: ProviderEventType) -> (ProviderEventType, ProviderEventData) {
        if type != parked.type {
            logger.warning("the provider's status differs from the callback", ["event_id": .string(parked.eventID),
                                                                               "claimed": .string(parked.type.rawValue),
                                                                               "confirmed": .string(type.rawValue)])
        }
        return (type, data)
    }

    private func applyTrusted(_ parked: Parked, type: ProviderEventType, data: ProviderEventData) async throws {
        let result = try await database.tenantTransaction(parked.tenantID) { connection -> ProviderEventApplier.Result in
            let result = try await ProviderEventApplier(outbox: outbox).apply(type: type, data: data, tenantID: parked.tenantID,
                                                                              correlationID: nil, logger: logger, on: connection)
            if result == .applied {
                try await connection.execute("""
                    UPDATE payments.provider_events_awaiting SET resolved_at = now() WHERE event_id = \(parked.eventID)
                    """)
            }
            return result
        }
        switch result {
        case .applied:
            outbox.nudge()
        case .unmatched(let reason):
            if parked.attempts >= Self.maxUnmatchedAttempts {
                try await resolve(parked, unmatchedReason: reason)
            } else {
                try await reschedule(parked, after: backoff(parked.attempts), note: nil)
            }
        }
    }

    private func backoff(_ attempts: Int32) -> Duration { .seconds(min(600, 1 << min(Int(attempts), 10))) }

    private func reschedule(_ parked: Parked, after delay: Duration, note: String?) async throws {
        _ = try await database.tenantTransaction(parked.tenantID) { connection in
            try await connection.execute("""
                UPDATE payments.provider_events_awaiting
                SET next_attempt_at = now() + make_interval(secs => \(Int64(delay.components.seconds))), reason = coalesce(\(note), reason)
                WHERE event_id = \(parked.eventID)
                """)
        }
    }

    /// Gives up on an event: an operator sees it in `unmatched_provider_events`.
    private func resolve(_ parked: Parked, unmatchedReason: String) async throws {
        logger.error("provider event matches nothing; moved to unmatched_provider_events", [
            "event_id": .string(parked.eventID), "reason": .string(unmatchedReason)])
        try await database.tenantTransaction(parked.tenantID) { connection in
            try await connection.execute("""
                INSERT INTO payments.unmatched_provider_events (event_id, tenant_id, type, data, reason)
                SELECT event_id, tenant_id, type, data, \(unmatchedReason) FROM payments.provider_events_awaiting WHERE event_id = \(parked.eventID)
                ON CONFLICT (event_id) DO NOTHING
                """)
            try await connection.execute("UPDATE payments.provider_events_awaiting SET resolved_at = now() WHERE event_id = \(parked.eventID)")
        }
    }
}
