import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// Balances held because money of the other mode was credited to them (issue 9): while a hold is open
/// no payout may draw on the payee's balance in that currency, and open payouts wait (`balance_held`).
/// Only a reversal approved by two operators releases it: the first asks, a second (another name)
/// confirms; the crossed amount then leaves the payee's balance and payments takes it back out of the
/// books of the mode it came from.
struct BalanceHoldStore: Sendable {
    /// Records the hold for `conflict` once and holds the payee's open payouts in that currency. False
    /// when the conflict was already held.
    func hold(_ conflict: PayeeLivemodeConflict, outbox: Outbox, correlationID: String?, on connection: PostgresConnection) async throws -> Bool {
        // The payee row is locked first, as payout creation locks it: a payout cannot slip past the hold.
        guard try await !connection.query("""
            SELECT 1 FROM payouts.payees WHERE id = \(conflict.payeeID) AND tenant_id = \(conflict.tenantID) FOR UPDATE
            """).isEmpty
        else { throw PermanentEventError("payee.livemode_conflict names no payee of this tenant") }
        let inserted = try await connection.query("""
            INSERT INTO payouts.balance_holds (id, tenant_id, payee_id, livemode, currency, reason, conflict_id, source_livemode, amount,
                source_ids, status)
            SELECT \(CofferID.generate(.balanceHold)), e.tenant_id, e.id, e.livemode, \(conflict.currency), 'livemode_conflict',
                   \(conflict.conflictID), \(conflict.sourceLivemode), \(conflict.amount), \(array: conflict.sourceIDs)::text[], 'held'
            FROM payouts.payees e WHERE e.id = \(conflict.payeeID) AND e.tenant_id = \(conflict.tenantID)
            ON CONFLICT (conflict_id) DO NOTHING RETURNING id
            """)
        guard !inserted.isEmpty else { return false }
        let held = try await connection.query("""
            UPDATE payouts.payouts o SET hold_reasons = array_append(o.hold_reasons, 'balance_held'),
                status = CASE WHEN o.status IN ('queued', 'scheduled') THEN 'held' ELSE o.status END, updated_at = now()
            WHERE o.tenant_id = \(conflict.tenantID) AND o.payee_id = \(conflict.payeeID) AND o.currency = \(conflict.currency)
              AND o.status IN ('queued', 'scheduled', 'pending_approval', 'held') AND NOT o.is_test
              AND NOT ('balance_held' = ANY(o.hold_reasons))
            RETURNING \(unsafeSQL: PayoutRecord.columns)
            """).map(PayoutRecord.init(row:))
        var events = PendingEvents(source: "payouts", tenantID: conflict.tenantID, correlationID: correlationID)
        for payout in held where payout.status == .held {
            events.add(PayoutEventType.held, data: payout.json, orderingKey: "payee:" + payout.payeeID)
        }
        try await events.write(to: outbox, on: connection)
        return true
    }

    /// Whether a hold keeps payouts from `payeeID`'s balance in `currency`.
    static func isHeldQuery(tenantID: String, payeeID: String, currency: String) -> PostgresQuery {
        """
        SELECT EXISTS (SELECT 1 FROM payouts.balance_holds WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID)
                       AND currency = \(currency) AND status <> 'reversed')
        """
    }

    static let columns = """
        h.id, h.tenant_id, h.payee_id, h.livemode, h.currency, h.reason, h.conflict_id, h.source_livemode, h.amount, h.source_ids, h.status,
        h.requested_by, h.requested_reason, h.reversed_by, h.created_at
        """

    static func json(_ row: PostgresRow) throws -> JSONValue {
        let (id, tenant, payee, livemode, currency, reason, conflict, sourceMode, amount) =
            try row.decode((String, String, String, Bool, String, String, String, Bool, Int64).self, startingAt: 0)
        let (sources, status, requestedBy, requestedReason, reversedBy, created) =
            try row.decode(([String], String, String?, String?, String?, Date).self, startingAt: 9)
        return ["object": "balance_hold", "id": .string(id), "tenant_id": .string(tenant), "payee_id": .string(payee),
                "livemode": .bool(livemode), "currency": .string(currency), "reason": .string(reason), "conflict_id": .string(conflict),
                "source_livemode": .bool(sourceMode), "amount": .int(amount), "source_ids": .array(sources.map(JSONValue.string)),
                "status": .string(status), "requested_by": requestedBy.map(JSONValue.string) ?? .null,
                "requested_reason": requestedReason.map(JSONValue.string) ?? .null, "reversed_by": reversedBy.map(JSONValue.string) ?? .null,
                "created_at": .string(Timestamp.rfc3339(created))]
    }

    func list(database: PostgresPool, status: String?) async throws -> [JSONValue] {
        try await database.platformTransaction { connection in
            try await connection.query("""
                SELECT \(unsafeSQL: Self.columns) FROM payouts.balance_holds h
                WHERE (\(status)::text IS NULL OR h.status = \(status)) ORDER BY h.created_at DESC, h.id DESC LIMIT 1000
                """).map(Self.json)
        }
    }

    /// The reversal: the first operator's call records the request (202); another operator's applies it.
    func reverse(_ holdID: String, operator name: String, reason: String, core: PayoutsCore,
                 correlationID: String) async throws -> (HTTPStatus, JSONValue) {
        guard CofferID.isValid(holdID, prefix: .balanceHold),
              let tenantID = try await core.database.platformTransaction({ connection in
                  try await connection.query("SELECT tenant_id FROM payouts.balance_holds WHERE id = \(holdID)").first?.decode(String.self, at: 0)
              })
        else { throw HTTPError.notFound("No such balance hold: \(holdID)", param: "id") }
        let actor = "operator:" + name
        let outcome = try await core.database.tenantTransaction(tenantID) { connection -> (HTTPStatus, JSONValue) in
            guard let row = try await connection.query("SELECT \(unsafeSQL: Self.columns) FROM payouts.balance_holds h WHERE h.id = \(holdID) FOR UPDATE").first
            else { throw HTTPError.notFound("No such balance hold: \(holdID)", param: "id") }
            let before = try Self.json(row)
            let status = before["status"]?.stringValue ?? ""
            switch status {
            case "reversed":
                return (.ok, before)
            case "held":
                try await connection.execute("""
                    UPDATE payouts.balance_holds SET status = 'reversal_requested', requested_by = \(name), requested_reason = \(reason),
                        requested_at = now() WHERE id = \(holdID)
                    """)
                try await core.audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "balance_hold.reversal_requested",
                                                       objectType: "balance_hold", objectID: holdID, before: before,
                                                       after: ["status": "reversal_requested", "reason": .string(reason)],
                                                       correlationID: correlationID), on: connection)
                var answer = before.objectValue ?? [:]
                answer["status"] = "reversal_requested"
                answer["requested_by"] = .string(name)
                return (.accepted, .object(answer))
            default:
                guard before["requested_by"]?.stringValue != name else {
                    throw HTTPError.conflict("A held balance is released by two operators: another operator must confirm this reversal.",
                                             code: "second_operator_required")
                }
            }
            guard let payeeID = before["payee_id"]?.stringValue, let currency = before["currency"]?.stringValue,
                  let amount = before["amount"]?.int64Value, let conflictID = before["conflict_id"]?.stringValue,
                  let payeeMode = before["livemode"]?.boolValue, let sourceMode = before["source_livemode"]?.boolValue
            else { throw HTTPError.internalError() }
            try await connection.execute("SELECT 1 FROM payouts.payees WHERE id = \(payeeID) FOR UPDATE")
            // The crossed money leaves the payee's balance (it may go below zero if it was paid out: later
            // earnings net it) and payments takes it out of the books of the mode it came from.
            try await BalanceBook().change(tenantID: tenantID, payeeID: payeeID, livemode: payeeMode, currency: currency, amount: -amount,
                                           reason: "livemode_reversal", sourceID: conflictID, on: connection)
            var events = PendingEvents(source: "payouts", tenantID: tenantID, correlationID: correlationID)
            events.add(MoneyEventType.payeeAdjusted, data: [
                "payee_id": .string(payeeID), "tenant_id": .string(tenantID), "livemode": .bool(sourceMode), "amount": .int(-amount),
                "currency": .string(currency), "reason": "livemode_reversal", "source_id": .string(conflictID),
            ], orderingKey: "payee:" + payeeID)
            try await connection.execute("""
                UPDATE payouts.balance_holds SET status = 'reversed', reversed_by = \(name), reversed_at = now() WHERE id = \(holdID)
                """)
            // Payouts that waited only for this hold go on.
            let released = try await connection.query("""
                UPDATE payouts.payouts o SET hold_reasons = array_remove(o.hold_reasons, 'balance_held'),
                    status = CASE WHEN o.status = 'held' AND cardinality(array_remove(o.hold_reasons, 'balance_held')) = 0
                                  THEN (CASE WHEN o.scheduled_for > now() THEN 'scheduled' ELSE 'queued' END) ELSE o.status END,
                    next_attempt_at = now(), updated_at = now()
                WHERE o.tenant_id = \(tenantID) AND o.payee_id = \(payeeID) AND o.currency = \(currency) AND 'balance_held' = ANY(o.hold_reasons)
                  AND NOT EXISTS (SELECT 1 FROM payouts.balance_holds h WHERE h.tenant_id = o.tenant_id AND h.payee_id = o.payee_id
                                  AND h.currency = o.currency AND h.status <> 'reversed')
                RETURNING \(unsafeSQL: PayoutRecord.columns)
                """).map(PayoutRecord.init(row:))
            for payout in released where payout.status == .queued {
                events.add(PayoutEventType.queued, data: payout.json, orderingKey: "payee:" + payout.payeeID)
            }
            try await events.write(to: core.outbox, on: connection)
            var after = before.objectValue ?? [:]
            after["status"] = "reversed"
            after["reversed_by"] = .string(name)
            try await core.audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "balance_hold.reversed", objectType: "balance_hold",
                                                   objectID: holdID, before: before, after: .object(after), correlationID: correlationID),
                                        on: connection)
            return (.ok, .object(after))
        }
        core.outbox.nudge()
        core.queueBell.ring()
        return outcome
    }

    /// What `cofferctl livemode-report` shows from payouts: holds, the balance entries they cover, and any
    /// payout whose mode is not its payee's.
    func report(database: PostgresPool) async throws -> JSONValue {
        try await database.platformTransaction { connection in
            let holds = try await connection.query("SELECT \(unsafeSQL: Self.columns) FROM payouts.balance_holds h ORDER BY h.created_at, h.id")
                .map(Self.json)
            let entries = try await connection.query("""
                SELECT b.id, b.tenant_id, b.payee_id, b.livemode, b.currency, b.amount, b.reason, b.source_id, h.id
                FROM payouts.balance_holds h JOIN payouts.balance_entries b
                  ON b.tenant_id = h.tenant_id AND b.payee_id = h.payee_id AND b.source_id = ANY(h.source_ids)
                ORDER BY b.id
                """).map { row -> JSONValue in
                let (id, tenant, payee, livemode, currency, amount, reason, source, hold) =
                    try row.decode((Int64, String, String, Bool, String, Int64, String, String, String).self)
                return ["id": .int(id), "tenant_id": .string(tenant), "payee_id": .string(payee), "livemode": .bool(livemode),
                        "currency": .string(currency), "amount": .int(amount), "reason": .string(reason), "source_id": .string(source),
                        "hold_id": .string(hold)]
            }
            let payouts = try await connection.query("""
                SELECT o.id, o.tenant_id, o.payee_id, o.livemode, e.livemode, o.status FROM payouts.payouts o
                JOIN payouts.payees e ON e.id = o.payee_id AND e.tenant_id = o.tenant_id
                WHERE o.livemode <> e.livemode ORDER BY o.id LIMIT 10000
                """).map { row -> JSONValue in
                let (id, tenant, payee, mode, payeeMode, status) = try row.decode((String, String, String, Bool, Bool, String).self)
                return ["id": .string(id), "tenant_id": .string(tenant), "payee_id": .string(payee), "livemode": .bool(mode),
                        "payee_livemode": .bool(payeeMode), "status": .string(status)]
            }
            let open = holds.filter { $0["status"]?.stringValue != "reversed" }.count
            return ["object": "livemode_report", "service": "payouts", "clean": .bool(open == 0 && payouts.isEmpty),
                    "open_holds": .int(Int64(open)), "balance_holds": .array(holds), "balance_entries_mixed": .array(entries),
                    "payouts_mixed": .array(payouts)]
        }
    }
}
