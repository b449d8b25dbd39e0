import Foundation
import Platform
import Postgres
import Shared

/// Events payments receives: provider facts from ingress, payees and settled payouts from payouts.
/// Runs in the inbox transaction, so each event's effect happens once.
struct PaymentsEventConsumer: EventConsumer {
    let outbox: Outbox
    let confirmations: Doorbell
    /// Rung after payment news: an automatic-capture payment may now wait for its capture.
    let captures: Doorbell

    func apply(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws -> EventOutcome {
        guard let tenantID = event.tenantID, CofferID.isValid(tenantID, prefix: .tenant) else {
            throw PermanentEventError("\(event.type) has no valid tenant_id")
        }
        // Row-level security: this event's effects belong to its tenant only.
        try await connection.execute("SELECT set_config('app.tenant_id', \(tenantID), true)")
        if let type = ProviderEventType(rawValue: event.type) {
            return try await applyProvider(type, event: event, tenantID: tenantID, logger: logger, on: connection)
        }
        switch event.type {
        case MoneyEventType.payeeUpserted:
            let payee = try decode(PayeeUpserted.self, event)
            guard payee.tenantID == tenantID else { throw PermanentEventError("payee.upserted for another tenant") }
            guard let livemode = payee.livemode else { throw PermanentEventError("payee.upserted carries no livemode") }
            // A payee's mode never changes: an upsert naming the other mode is refused, not applied.
            let stored = try await connection.query("""
                INSERT INTO payments.payees (id, tenant_id, livemode, recruiter_payee_id, status, version)
                VALUES (\(payee.payeeID), \(tenantID), \(livemode), \(payee.recruiterPayeeID), \(payee.status), \(payee.version))
                ON CONFLICT (id) DO UPDATE SET recruiter_payee_id = EXCLUDED.recruiter_payee_id, status = EXCLUDED.status,
                    version = EXCLUDED.version, livemode = coalesce(payments.payees.livemode, EXCLUDED.livemode)
                WHERE payments.payees.version < EXCLUDED.version AND payments.payees.tenant_id = EXCLUDED.tenant_id
                RETURNING livemode
                """).first?.decode(Bool?.self, at: 0)
            if let stored, stored != livemode { throw PermanentEventError("payee.upserted changes a payee's mode") }
            return .applied
        case MoneyEventType.payoutProcessed, MoneyEventType.payoutReversed:
            let payout = try decode(PayoutSettled.self, event)
            guard payout.tenantID == tenantID, payout.amount > 0, let livemode = payout.livemode else {
                throw PermanentEventError("\(event.type) is malformed")
            }
            try await requirePayeeMode(payout.payeeID, livemode: livemode, what: event.type, on: connection)
            let reversed = event.type == MoneyEventType.payoutReversed
            // A destination check (the ₹1 test) is paid from the platform's own account, not a payee's balance.
            let lines = payout.destinationCheck == true
                ? LedgerPoster.testPayoutLines(amount: payout.amount, reversed: reversed)
                : LedgerPoster.payoutLines(amount: payout.amount, payeeID: payout.payeeID, reversed: reversed)
            try await LedgerPoster().post(tenantID: tenantID, livemode: livemode, kind: reversed ? "payout_reversal" : "payout",
                                          reference: payout.payoutID,
                                          currency: payout.currency, lines: lines, on: connection)
            return .applied
        case MoneyEventType.payeeAdjusted:
            let change = try decode(PayeeBalanceChange.self, event)
            guard change.tenantID == tenantID, change.amount != 0, let livemode = change.livemode else {
                throw PermanentEventError("payee.adjusted is malformed")
            }
            // An operator's credit is in the payee's mode; a livemode reversal takes back money of the
            // other mode, in that mode's books (what the conflict credited there).
            if change.reason != "livemode_reversal" {
                try await requirePayeeMode(change.payeeID, livemode: livemode, what: event.type, on: connection)
            }
            if change.reason == "livemode_reversal" {
                // The reversal's source is the conflict it settles (one reversal per conflict, by the ledger's own key).
                try await LivemodeStore.resolve(conflictID: change.sourceID, on: connection)
            }
            try await LedgerPoster().post(tenantID: tenantID, livemode: livemode, kind: "payee_adjustment", reference: change.sourceID,
                                          currency: change.currency,
                                          lines: LedgerPoster.adjustmentLines(amount: change.amount, payeeID: change.payeeID),
                                          on: connection)
            return .applied
        default:
            return .ignored
        }
    }

    /// Money of one mode never reaches a payee of the other: such an event is refused for good (and
    /// dead-lettered where an operator sees it). A payee whose mode payments has not learned yet is waited for.
    private func requirePayeeMode(_ payeeID: String, livemode: Bool, what: String, on connection: PostgresConnection) async throws {
        let known = try await connection.query("SELECT livemode FROM payments.payees WHERE id = \(payeeID)").first
        guard let known else { return }  // a destination check's payee may be unknown here; its lines touch no payee
        guard let mode = try known.decode(Bool?.self, at: 0) else {
            throw PayeeModeUnknown(payeeID: payeeID)
        }
        guard mode == livemode else { throw PermanentEventError("\(what) for a payee of the other mode") }
    }

    private func applyProvider(_ type: ProviderEventType, event: EventEnvelope, tenantID: String, logger: Logger,
                               on connection: PostgresConnection) async throws -> EventOutcome {
        let data = try decode(ProviderEventData.self, event)
        var eventLogger = logger
        eventLogger[metadataKey: "provider"] = .string(data.provider)
        if data.needsConfirmation {
            // An unsigned callback is a hint: nothing moves until the provider's status API confirms it.
            try await park(event, reason: "needs_confirmation", tenantID: tenantID, on: connection)
            confirmations.ring()
            return .applied
        }
        switch try await ProviderEventApplier(outbox: outbox).apply(type: type, data: data, tenantID: tenantID,
                                                                    correlationID: event.correlationID, logger: eventLogger, on: connection) {
        case .applied:
            if type == .paymentAuthorized { captures.ring() }
            return .applied
        case .unmatched(let reason):
            // Often a race with the request that is creating the payment: try again shortly.
            eventLogger.notice("provider event matches nothing yet; parked", ["event_id": .string(event.id), "reason": .string(reason)])
            try await park(event, reason: "unmatched", tenantID: tenantID, on: connection)
            confirmations.ring()
            return .applied
        }
    }

    private func park(_ event: EventEnvelope, reason: String, tenantID: String, on connection: PostgresConnection) async throws {
        try await connection.execute("""
            INSERT INTO payments.provider_events_awaiting (event_id, tenant_id, type, data, reason, next_attempt_at)
            VALUES (\(event.id), \(tenantID), \(event.type), \(event.data.jsonString)::jsonb, \(reason),
                    now() + \(reason == "unmatched" ? "2 seconds" : "0 seconds")::interval)
            ON CONFLICT (event_id) DO NOTHING
            """)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ event: EventEnvelope) throws -> T {
        do { return try event.decodeData(T.self) } catch {
            throw PermanentEventError("\(event.type) data is malformed: \(error)")
        }
    }
}

/// A payee payments knows but whose mode it has not learned from payouts yet (rows from before modes
/// were carried): the event is retried once the backfill has it.
struct PayeeModeUnknown: Error, CustomStringConvertible {
    let payeeID: String
    var description: String { "the mode of payee \(payeeID) is not known yet" }
}
