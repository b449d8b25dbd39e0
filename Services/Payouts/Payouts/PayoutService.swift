import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// Creating payouts and moving them through their gates. A payout reserves its amount from the
/// payee's balance in the transaction that creates it (it can never overdraw it), and waits —
/// scheduled, for approval, held — until the queue's workers send it.
struct PayoutService: Sendable {
    let core: PayoutsCore
    var rails: PayoutRails { PayoutRails(configuration: core.configuration) }

    static let purposes: Set<String> = ["payout", "salary", "bonus", "commission", "referral", "refund", "vendor_payment", "reimbursement"]

    struct CreateInput: Sendable {
        static let fields: Set<String> = ["payee_id", "amount", "currency", "purpose", "narration", "scheduled_for", "metadata"]
        let payeeID: String
        let amount: Int64
        let currency: Currency
        let purpose: String
        let narration: String?
        let scheduledFor: Date?
        let metadata: JSONValue

        init(reader: BodyReader, param prefix: String = "") throws(HTTPError) {
            guard let payee = try reader.id("payee_id", prefix: .payee) else {
                throw HTTPError.badRequest("payee_id is required.", param: prefix + "payee_id")
            }
            payeeID = payee
            amount = try reader.amount("amount", required: true) ?? 0
            currency = try reader.currency("currency")
            purpose = try reader.string("purpose", maxLength: 40, allowed: PayoutService.purposes) ?? "payout"
            narration = try reader.string("narration", maxLength: 30)
            if let text = try reader.string("scheduled_for", maxLength: 40) {
                guard let date = Timestamp.parse(text) else {
                    throw HTTPError.badRequest("scheduled_for must be an RFC 3339 time.", param: prefix + "scheduled_for")
                }
                guard date.timeIntervalSinceNow < 366 * 86_400 else {
                    throw HTTPError.badRequest("scheduled_for may be at most a year ahead.", param: prefix + "scheduled_for")
                }
                scheduledFor = date > Date() ? date : nil
            } else {
                scheduledFor = nil
            }
            metadata = try reader.metadata()
        }

        init(body: [UInt8]) throws(HTTPError) {
            try self.init(reader: try BodyReader(body, allowed: Self.fields))
        }
    }

    // MARK: Create

    func create(_ input: CreateInput, request: RequestInfo, batchID: String? = nil, on connection: PostgresConnection,
                events: inout PendingEvents) async throws -> PayoutRecord {
        // The payee (locked: its payouts are counted and its balance reserved one at a time), the
        // tenant's settings and its first-run confirmation, in one round trip.
        let read: PostgresQuery = """
            SELECT \(unsafeSQL: PayeeRecord.columns),
                   (SELECT t.settings::text FROM payouts.tenants t WHERE t.tenant_id = e.tenant_id),
                   EXISTS (SELECT 1 FROM payouts.first_runs f WHERE f.tenant_id = e.tenant_id AND f.livemode = \(request.key.livemode)),
                   EXISTS (SELECT 1 FROM payouts.balance_holds h WHERE h.tenant_id = e.tenant_id AND h.payee_id = e.id
                           AND h.currency = \(input.currency.code) AND h.status <> 'reversed')
            FROM payouts.payees e WHERE e.id = \(input.payeeID) AND e.tenant_id = \(request.tenantID)
            FOR UPDATE OF e
            """
        guard let row = try await connection.query(read.prepared()).first else {
            throw HTTPError.notFound("No such payee: \(input.payeeID)", param: "payee_id")
        }
        let payee = try PayeeRecord(row: row)
        let (settingsText, firstRunConfirmed, balanceHeld) = try row.decode((String?, Bool, Bool).self, startingAt: PayeeRecord.columnCount)
        guard payee.livemode == request.key.livemode else { throw HTTPError.notFound("No such payee: \(input.payeeID)", param: "payee_id") }
        guard payee.status == "active" else {
            throw HTTPError.conflict("This payee is \(payee.status); it cannot be paid.", code: "payee_disabled", param: "payee_id")
        }
        guard !balanceHeld else {
            throw HTTPError.conflict("This payee's \(input.currency.code) balance is held until two operators reverse money that reached it from the other mode.",
                                     code: "balance_held", param: "payee_id")
        }
        guard let settingsText else { throw HTTPError.notFound("No such tenant.") }
        let settings = PayoutsCore.settings(text: settingsText)
        try await rails.checkLimits(amount: input.amount, currency: input.currency, payee: payee, settings: settings, on: connection)
        switch try await BalanceBook().reserve(tenantID: request.tenantID, payeeID: payee.id, currency: input.currency.code, amount: input.amount,
                                               on: connection) {
        case .reserved:
            break
        case .noBalanceInCurrency:
            throw HTTPError.badRequest("This payee has no \(input.currency.code) balance: a payout is paid in the currency of the balance it draws from.",
                                       code: "currency_mismatch", param: "currency")
        case .insufficient(let available):
            throw HTTPError.badRequest("The payee's available \(input.currency.code) balance is \(available).", code: "insufficient_balance",
                                       param: "amount")
        }
        let fingerprints = (try? core.vault.open(payee.destinationSealed, payeeID: payee.id)).map(core.vault.fingerprints) ?? []
        let gates = try await rails.gates(amount: input.amount, currency: input.currency, payee: payee, fingerprints: fingerprints,
                                          settings: settings,
                                          firstRunConfirmed: firstRunConfirmed, on: connection)
        let status: PayoutStatus = !gates.approvalReasons.isEmpty ? .pendingApproval
            : !gates.holdReasons.isEmpty ? .held : input.scheduledFor != nil ? .scheduled : .queued
        let payoutID = CofferID.generate(.payout)
        let insert: PostgresQuery = """
            INSERT INTO payouts.payouts AS o (id, tenant_id, livemode, payee_id, amount, currency, purpose, narration, status,
                approval_reasons, hold_reasons, scheduled_for, batch_id, created_by, metadata, queued_at, next_attempt_at,
                destination_kind, destination_sealed, destination_last4, destination_fingerprint)
            VALUES (\(payoutID), \(request.tenantID), \(request.key.livemode), \(payee.id), \(input.amount), \(input.currency.code),
                \(input.purpose), \(input.narration), \(status.rawValue), \(array: gates.approvalReasons)::text[],
                \(array: gates.holdReasons)::text[], \(input.scheduledFor), \(batchID), \(request.actor), \(input.metadata.jsonString)::jsonb,
                \(status == .queued ? Date() : nil), now(), \(payee.destinationKind.rawValue), \(payee.destinationSealed),
                \(payee.destinationLast4), \(payee.destinationFingerprint))
            RETURNING \(unsafeSQL: PayoutRecord.columns)
            """
        guard let row = try await connection.query(insert.prepared()).first else { throw HTTPError.internalError() }
        let payout = try PayoutRecord(row: row)
        events.add(PayoutEventType.created, data: payout.json, orderingKey: "payee:" + payee.id)
        if status == .held { events.add(PayoutEventType.held, data: payout.json, orderingKey: "payee:" + payee.id) }
        if status == .queued { events.add(PayoutEventType.queued, data: payout.json, orderingKey: "payee:" + payee.id) }
        return payout
    }

    /// `POST /v1/payouts`: one payout in one transaction, its answer stored with the idempotency key.
    func create(_ input: CreateInput, request: RequestInfo) async throws -> HTTPResponse {
        // Money out: a retry must find the first attempt's payout, never make a second one.
        guard let token = request.token else {
            throw HTTPError.badRequest("A payout moves money: send an Idempotency-Key header.", code: "idempotency_key_required")
        }
        if let payoutID = token.recoveryPoint {
            return .json(.created, bytes: try await load(payoutID, request: request).json.serialized())
        }
        let response = try await core.database.tenantTransaction(request.tenantID) { connection -> HTTPResponse in
            var events = PendingEvents(source: "payouts", tenantID: request.tenantID, correlationID: request.correlationID)
            let payout = try await create(input, request: request, on: connection, events: &events)
            var writes: [PostgresQuery] = []
            // Creation is on the payout itself (created_by, its events); the audit chain records what
            // changes a payout's course: approvals, releases, cancels, batches, operators' actions.
            if let (enqueue, _) = core.outbox.enqueueQuery(events.entries) { writes.append(enqueue) }
            let response = HTTPResponse.json(.created, bytes: payout.json.serialized())
            if let token = request.token {
                writes.append(core.idempotency.recoveryPointQuery(token, objectID: payout.id, in: "payouts.payouts"))
                writes.append(core.idempotency.completeQuery(token, status: 201, body: response.body))
            }
            _ = try await connection.pipeline(writes)
            return response
        }
        request.token?.markCompleted()
        core.outbox.nudge()
        core.queueBell.ring()
        return response
    }

    func firstRunConfirmed(_ request: RequestInfo, on connection: PostgresConnection) async throws -> Bool {
        try await !connection.query(prepared: """
            SELECT 1 FROM payouts.first_runs WHERE tenant_id = \(request.tenantID) AND livemode = \(request.key.livemode)
            """).isEmpty
    }

    // MARK: Gates

    /// Cancels a payout that has not been sent; its reservation returns to the payee's balance.
    func cancel(_ payoutID: String, request: RequestInfo) async throws -> PayoutRecord {
        try await transition(payoutID, request: request, action: "payout.canceled") { payout in
            if payout.status == .canceled { return false }
            guard payout.status.isCancelable else {
                throw HTTPError.conflict("This payout is \(payout.status.rawValue); only one not yet sent can be canceled.")
            }
            payout.status = .canceled
            payout.failureCode = "canceled"
            return true
        }
    }

    /// Approval by a different key with the approver (or full) role: on to its holds, its date, or the queue.
    func approve(_ payoutID: String, request: RequestInfo) async throws -> PayoutRecord {
        try await transition(payoutID, request: request, action: "payout.approved") { payout in
            guard payout.status == .pendingApproval else {
                throw HTTPError.conflict("This payout is \(payout.status.rawValue); only a payout pending approval can be approved.")
            }
            try Self.requireOtherKey(payout, request)
            if payout.approvalReasons.contains("first_run") {
                throw HTTPError.conflict("The tenant's first payout run is not confirmed yet: confirm it (POST /v1/payouts/confirm-first-run).",
                                         code: "first_run_unconfirmed")
            }
            payout.approvalReasons = []
            payout.approvedBy = request.actor
            payout.status = Self.afterApproval(payout)
            return true
        }
    }

    /// Clears a held payout: an approver (a different key than the creator's) overrides its holds.
    func release(_ payoutID: String, request: RequestInfo) async throws -> PayoutRecord {
        // A disabled payee's payouts stay held until it is active again.
        let payeeActive = try await core.database.tenantTransaction(request.tenantID) { connection in
            try await connection.query("""
                SELECT e.status = 'active' FROM payouts.payouts o JOIN payouts.payees e ON e.id = o.payee_id AND e.tenant_id = o.tenant_id
                WHERE o.id = \(payoutID) AND o.tenant_id = \(request.tenantID)
                """).first?.decode(Bool.self, at: 0)
        }
        return try await transition(payoutID, request: request, action: "payout.released") { payout in
            guard payout.status == .held else {
                throw HTTPError.conflict("This payout is \(payout.status.rawValue); only a held payout can be released.")
            }
            guard payeeActive != false else {
                throw HTTPError.conflict("This payout's payee is disabled; enable the payee before releasing its payouts.", code: "payee_disabled")
            }
            // Money that crossed modes is released only by two operators' reversal, never by a tenant's approver.
            guard !payout.holdReasons.contains("balance_held") else {
                throw HTTPError.conflict("This payout waits on a held balance that only operators can release.", code: "balance_held")
            }
            try Self.requireOtherKey(payout, request)
            payout.releasedBy = request.actor
            payout.holdReasons = []
            payout.status = payout.scheduledFor.map { $0 > Date() ? .scheduled : .queued } ?? .queued
            return true
        }
    }

    static func afterApproval(_ payout: PayoutRecord) -> PayoutStatus {
        if !payout.holdReasons.isEmpty { return .held }
        if let date = payout.scheduledFor, date > Date() { return .scheduled }
        return .queued
    }

    static func requireOtherKey(_ payout: PayoutRecord, _ request: RequestInfo) throws(HTTPError) {
        guard payout.createdBy != request.actor else {
            throw HTTPError.forbidden("A payout must be approved or released by a different API key than the one that created it.",
                                      code: "approver_must_differ")
        }
    }

    /// Locks a payout, applies `change`, saves it with its events and audit entry.
    private func transition(_ payoutID: String, request: RequestInfo, action: String,
                            _ change: (inout PayoutRecord) throws -> Bool) async throws -> PayoutRecord {
        let payout = try await core.database.tenantTransaction(request.tenantID) { connection -> PayoutRecord in
            guard CofferID.isValid(payoutID, prefix: .payout),
                  var payout = try await PayoutRecord.load(payoutID, tenantID: request.tenantID, forUpdate: true, on: connection),
                  payout.livemode == request.key.livemode
            else { throw HTTPError.notFound("No such payout: \(payoutID)", param: "id") }
            let before = payout.json
            guard try change(&payout) else { return payout }
            var writes = [payout.saveQuery()]
            var events = PendingEvents(source: "payouts", tenantID: request.tenantID, correlationID: request.correlationID)
            if payout.status == .canceled, !payout.isTest { writes.append(BalanceBook.releaseQuery(payout)) }
            switch payout.status {
            case .canceled: events.add(PayoutEventType.canceled, data: payout.json, orderingKey: "payee:" + payout.payeeID)
            case .held: events.add(PayoutEventType.held, data: payout.json, orderingKey: "payee:" + payout.payeeID)
            case .queued: events.add(PayoutEventType.queued, data: payout.json, orderingKey: "payee:" + payout.payeeID)
            default: break
            }
            if let (enqueue, _) = core.outbox.enqueueQuery(events.entries) { writes.append(enqueue) }
            writes.append(contentsOf: try core.audit.recordQueries([AuditEntry(
                tenantID: request.tenantID, actor: request.actor, action: action, objectType: "payout", objectID: payout.id, before: before,
                after: payout.json, correlationID: request.correlationID)]))
            _ = try await connection.pipeline(writes)
            return payout
        }
        core.outbox.nudge()
        core.queueBell.ring()
        return payout
    }

    // MARK: First run

    /// What the tenant's first run would pay: payouts waiting for its confirmation, per currency.
    func firstRunTotals(request: RequestInfo, on connection: PostgresConnection) async throws -> JSONValue {
        let rows = try await connection.query("""
            SELECT currency, count(*), sum(amount)::bigint, count(DISTINCT payee_id) FROM payouts.payouts
            WHERE tenant_id = \(request.tenantID) AND livemode = \(request.key.livemode) AND status = 'pending_approval'
              AND 'first_run' = ANY(approval_reasons)
            GROUP BY currency ORDER BY currency
            """)
        var totals: [JSONValue] = []
        for row in rows {
            let (currency, count, sum, payees) = try row.decode((String, Int64, Int64, Int64).self)
            totals.append(["currency": .string(currency), "payouts": .int(count), "amount": .int(sum), "payees": .int(payees)])
        }
        return .array(totals)
    }

    func firstRun(request: RequestInfo) async throws -> JSONValue {
        try await core.database.tenantTransaction(request.tenantID) { connection in
            let confirmed = try await firstRunConfirmed(request, on: connection)
            return ["object": "first_run", "confirmed": .bool(confirmed), "waiting": try await firstRunTotals(request: request, on: connection)]
        }
    }

    /// Confirms the first payout run: its payouts go on (to approval for other reasons, holds, or the queue).
    func confirmFirstRun(request: RequestInfo) async throws -> JSONValue {
        let result = try await core.database.tenantTransaction(request.tenantID) { connection -> JSONValue in
            guard try await !firstRunConfirmed(request, on: connection) else {
                throw HTTPError.conflict("The first payout run is already confirmed.", code: "first_run_confirmed")
            }
            // Confirming the first run approves its payouts: never by a key that created one of them.
            let ownWaiting = try await connection.query("""
                SELECT count(*) FROM payouts.payouts WHERE tenant_id = \(request.tenantID) AND livemode = \(request.key.livemode)
                  AND status = 'pending_approval' AND 'first_run' = ANY(approval_reasons) AND created_by = \(request.actor)
                """).first?.decode(Int64.self, at: 0) ?? 0
            guard ownWaiting == 0 else {
                throw HTTPError.forbidden("The first payout run is confirmed by a different key than the one that created its payouts.",
                                          code: "approver_must_differ")
            }
            let totals = try await firstRunTotals(request: request, on: connection)
            try await connection.execute("""
                INSERT INTO payouts.first_runs (tenant_id, livemode, confirmed_at, confirmed_by, totals)
                VALUES (\(request.tenantID), \(request.key.livemode), now(), \(request.actor), \(totals.jsonString)::jsonb)
                """)
            let released = try await connection.query("""
                UPDATE payouts.payouts SET approval_reasons = array_remove(approval_reasons, 'first_run'),
                    status = CASE WHEN cardinality(array_remove(approval_reasons, 'first_run')) > 0 THEN 'pending_approval'
                                  WHEN cardinality(hold_reasons) > 0 THEN 'held'
                                  WHEN scheduled_for > now() THEN 'scheduled' ELSE 'queued' END,
                    queued_at = CASE WHEN cardinality(array_remove(approval_reasons, 'first_run')) = 0 AND cardinality(hold_reasons) = 0
                                     AND coalesce(scheduled_for <= now(), true) THEN now() ELSE queued_at END,
                    next_attempt_at = now(), updated_at = now()
                WHERE tenant_id = \(request.tenantID) AND livemode = \(request.key.livemode) AND status = 'pending_approval'
                  AND 'first_run' = ANY(approval_reasons)
                RETURNING status
                """).map { try $0.decode(String.self, at: 0) }
            try await core.audit.record(AuditEntry(tenantID: request.tenantID, actor: request.actor, action: "payouts.first_run_confirmed",
                                                   objectType: "tenant", objectID: request.tenantID, before: nil,
                                                   after: ["totals": totals, "payouts": .int(Int64(released.count))],
                                                   correlationID: request.correlationID), on: connection)
            return ["object": "first_run", "confirmed": true, "totals": totals, "payouts_released": .int(Int64(released.filter { $0 == "queued" }.count)),
                    "payouts_still_waiting": .int(Int64(released.filter { $0 != "queued" && $0 != "scheduled" }.count))]
        }
        core.queueBell.ring()
        return result
    }

    // MARK: Reading

    func load(_ payoutID: String, request: RequestInfo) async throws -> PayoutRecord {
        guard CofferID.isValid(payoutID, prefix: .payout),
              let payout = try await core.database.tenantTransaction(request.tenantID, { connection in
                  try await PayoutRecord.load(payoutID, tenantID: request.tenantID, on: connection)
              }),
              payout.livemode == request.key.livemode
        else { throw HTTPError.notFound("No such payout: \(payoutID)", param: "id") }
        return payout
    }

    func list(request: RequestInfo, query: [String: String]) async throws -> [UInt8] {
        let limit = try ListParameters.limit(query)
        let after = query["starting_after"]
        if let after, !CofferID.isValid(after, prefix: .payout) {
            throw HTTPError.badRequest("starting_after must be a po_ id from a previous page.", code: "invalid_id", param: "starting_after")
        }
        let status = query["status"]
        if let status, PayoutStatus(rawValue: status) == nil { throw HTTPError.badRequest("status is not a payout status.", param: "status") }
        let payee = query["payee_id"], batch = query["batch_id"]
        let rows = try await core.database.tenantTransaction(request.tenantID) { connection in
            try await connection.query("""
                SELECT \(unsafeSQL: PayoutRecord.columns) FROM payouts.payouts o
                WHERE o.tenant_id = \(request.tenantID) AND o.livemode = \(request.key.livemode)
                  AND (\(after)::text IS NULL OR o.id < \(after)) AND (\(status)::text IS NULL OR o.status = \(status))
                  AND (\(payee)::text IS NULL OR o.payee_id = \(payee)) AND (\(batch)::text IS NULL OR o.batch_id = \(batch))
                ORDER BY o.id DESC LIMIT \(Int64(limit + 1))
                """).map(PayoutRecord.init(row:))
        }
        return ListParameters.page(rows.prefix(limit).map(\.json), hasMore: rows.count > limit)
    }
}
