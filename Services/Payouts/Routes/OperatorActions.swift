import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// What an operator may do to payees and payouts, each audited in the payout's tenant's chain.
struct OperatorActions: Sendable {
    let core: PayoutsCore

    /// The tenant a payee or payout belongs to (operators act across tenants).
    private func tenant(of id: String, table: String) async throws -> String? {
        try await core.database.platformTransaction { connection in
            try await connection.query("SELECT tenant_id FROM payouts.\(unsafeSQL: table) WHERE id = \(id)").first?.decode(String.self, at: 0)
        }
    }

    /// Adds to a payee's balance (a goodwill credit, a correction) and tells payments, whose ledger
    /// books it as the platform's cost (`payee.adjusted`). One operator cannot create live money: a
    /// live credit above `PAYOUTS_SECOND_OPERATOR_CREDIT` for its currency (every live credit, in a
    /// currency with no threshold) is recorded as a credit request (202) a second operator confirms.
    func credit(payeeID: String, amount: Int64, currency: Currency, reason: String, operator name: String,
                correlationID: String) async throws -> (HTTPStatus, JSONValue) {
        guard CofferID.isValid(payeeID, prefix: .payee), let tenantID = try await tenant(of: payeeID, table: "payees") else {
            throw HTTPError.notFound("No such payee: \(payeeID)", param: "id")
        }
        let actor = "operator:" + name
        let threshold = core.configuration.secondOperatorCredit[currency.code] ?? 0
        let request = try await core.database.tenantTransaction(tenantID) { connection -> JSONValue? in
            guard let payee = try await PayeeRecord.load(payeeID, tenantID: tenantID, forUpdate: true, on: connection) else {
                throw HTTPError.notFound("No such payee: \(payeeID)", param: "id")
            }
            guard payee.livemode, amount > threshold else { return nil }
            let requestID = CofferID.generate(.creditRequest)
            try await connection.execute("""
                INSERT INTO payouts.credit_requests (id, tenant_id, payee_id, amount, currency, reason, status, requested_by)
                VALUES (\(requestID), \(tenantID), \(payee.id), \(amount), \(currency.code), \(reason), 'pending', \(name))
                """)
            let pending: JSONValue = ["object": "credit_request", "id": .string(requestID), "payee_id": .string(payee.id),
                                      "tenant_id": .string(tenantID), "amount": .int(amount), "currency": .string(currency.code),
                                      "reason": .string(reason), "status": "awaiting_second_operator", "requested_by": .string(name)]
            try await core.audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "payee.credit_requested", objectType: "payee",
                                                   objectID: payee.id, before: nil, after: pending, correlationID: correlationID), on: connection)
            return pending
        }
        if let request { return (.accepted, request) }
        let credit = try await core.database.tenantTransaction(tenantID) { connection in
            try await applyCredit(payeeID: payeeID, tenantID: tenantID, amount: amount, currency: currency, reason: reason,
                                  sourceID: CofferID.generate(.ledgerEntry), actor: actor, correlationID: correlationID, on: connection)
        }
        core.outbox.nudge()
        return (.created, credit)
    }

    /// A second operator confirms a pending live credit; the operator who asked cannot.
    func approveCredit(_ requestID: String, operator name: String, correlationID: String) async throws -> JSONValue {
        guard CofferID.isValid(requestID, prefix: .creditRequest), let tenantID = try await tenant(of: requestID, table: "credit_requests") else {
            throw HTTPError.notFound("No such credit request: \(requestID)", param: "id")
        }
        let credit = try await core.database.tenantTransaction(tenantID) { connection -> JSONValue in
            guard let row = try await connection.query("""
                SELECT payee_id, amount, currency, reason, status, requested_by FROM payouts.credit_requests WHERE id = \(requestID) FOR UPDATE
                """).first
            else { throw HTTPError.notFound("No such credit request: \(requestID)", param: "id") }
            let (payee, amount, currency, reason, status, requestedBy) = try row.decode((String, Int64, String, String, String, String).self)
            guard status == "pending" else { throw HTTPError.conflict("This credit was already applied.", code: "invalid_state") }
            guard requestedBy != name else {
                throw HTTPError.conflict("A live credit is made by two operators: another operator must confirm it.", code: "second_operator_required")
            }
            // Applied in the same transaction that marks it, so a racing second confirmation finds it done.
            try await connection.execute("""
                UPDATE payouts.credit_requests SET status = 'applied', approved_by = \(name), decided_at = now() WHERE id = \(requestID)
                """)
            return try await applyCredit(payeeID: payee, tenantID: tenantID, amount: amount, currency: Currency(code: currency) ?? .usd,
                                         reason: reason, sourceID: requestID, actor: "operator:" + name, correlationID: correlationID,
                                         on: connection)
        }
        core.outbox.nudge()
        return credit
    }

    private func applyCredit(payeeID: String, tenantID: String, amount: Int64, currency: Currency, reason: String, sourceID: String,
                             actor: String, correlationID: String, on connection: PostgresConnection) async throws -> JSONValue {
            guard let payee = try await PayeeRecord.load(payeeID, tenantID: tenantID, forUpdate: true, on: connection) else {
                throw HTTPError.notFound("No such payee: \(payeeID)", param: "id")
            }
            try await BalanceBook().change(tenantID: tenantID, payeeID: payee.id, livemode: payee.livemode, currency: currency.code, amount: amount,
                                           reason: "operator_credit", sourceID: sourceID, on: connection)
            var events = PendingEvents(source: "payouts", tenantID: tenantID, correlationID: correlationID)
            events.add(MoneyEventType.payeeAdjusted, data: [
                "payee_id": .string(payee.id), "tenant_id": .string(tenantID), "livemode": .bool(payee.livemode), "amount": .int(amount),
                "currency": .string(currency.code),
                "reason": "operator_credit", "source_id": .string(sourceID),
            ], orderingKey: "payee:" + payee.id)
            try await events.write(to: core.outbox, on: connection)
            let credit: JSONValue = ["object": "payee_credit", "id": .string(sourceID), "payee_id": .string(payee.id),
                                     "tenant_id": .string(tenantID), "amount": .int(amount), "currency": .string(currency.code),
                                     "reason": .string(reason)]
            try await core.audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "payee.credited", objectType: "payee",
                                                   objectID: payee.id, before: nil, after: credit, correlationID: correlationID), on: connection)
            var answer = credit.objectValue ?? [:]
            answer["balances"] = .array(try await BalanceBook.balancesJSON(payeeID: payee.id, tenantID: tenantID, on: connection))
            return .object(answer)
    }

    /// Forces a payout the provider has settled (confirmed out of band) to that state, moving the money
    /// as the provider's own news would. Test-mode payouts take one operator; a live payout takes two:
    /// the first request is recorded (202), a second operator repeating it applies it.
    func forceResolve(payoutID: String, status: PayoutStatus, reason: String, operator name: String,
                      correlationID: String) async throws -> (HTTPStatus, JSONValue) {
        guard CofferID.isValid(payoutID, prefix: .payout), let tenantID = try await tenant(of: payoutID, table: "payouts") else {
            throw HTTPError.notFound("No such payout: \(payoutID)", param: "id")
        }
        let actor = "operator:" + name
        let outcome = try await core.database.tenantTransaction(tenantID) { connection -> (HTTPStatus, JSONValue) in
            guard let payout = try await PayoutRecord.load(payoutID, tenantID: tenantID, forUpdate: true, on: connection) else {
                throw HTTPError.notFound("No such payout: \(payoutID)", param: "id")
            }
            let transition = try Self.transition(from: payout.status, to: status)
            if payout.livemode {
                let pending = try await connection.query("""
                    SELECT status, requested_by FROM payouts.force_resolutions WHERE payout_id = \(payoutID)
                    """).first.map { try $0.decode((String, String).self) }
                guard let pending, pending.0 == status.rawValue else {
                    try await connection.execute("""
                        INSERT INTO payouts.force_resolutions (payout_id, tenant_id, status, reason, requested_by)
                        VALUES (\(payoutID), \(tenantID), \(status.rawValue), \(reason), \(name))
                        ON CONFLICT (payout_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
                            requested_by = excluded.requested_by, requested_at = now()
                        """)
                    try await core.audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "payout.force_resolve_requested",
                                                           objectType: "payout", objectID: payoutID, before: payout.json,
                                                           after: ["status": .string(status.rawValue), "reason": .string(reason)],
                                                           correlationID: correlationID), on: connection)
                    return (.accepted, ["object": "force_resolution", "payout_id": .string(payoutID), "status": "awaiting_second_operator",
                                        "requested_status": .string(status.rawValue), "requested_by": .string(name)])
                }
                guard pending.1 != name else {
                    throw HTTPError.conflict("A live payout is forced by two operators: another operator must confirm this request.",
                                             code: "second_operator_required")
                }
                try await connection.execute("DELETE FROM payouts.force_resolutions WHERE payout_id = \(payoutID)")
            }
            var applied = PayoutSettlement(outbox: core.outbox).apply(transition, to: payout, providerPayoutID: nil, correlationID: correlationID,
                                                                     logger: core.logger)
            applied.payout.failureMessage = status == .failed ? "Forced by an operator: " + reason : applied.payout.failureMessage
            if status == .failed { applied.payout.failureCode = "force_resolved" }
            applied.writes[0] = applied.payout.saveQuery(leaseUntil: nil)
            _ = try await connection.pipeline(applied.writes)
            try await core.audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "payout.force_resolved", objectType: "payout",
                                                   objectID: payoutID, before: payout.json,
                                                   after: Self.with(applied.payout.json, ["reason": .string(reason)]),
                                                   correlationID: correlationID), on: connection)
            return (.ok, applied.payout.json)
        }
        core.outbox.nudge()
        core.queueBell.ring()
        return outcome
    }

    static func transition(from current: PayoutStatus, to target: PayoutStatus) throws(HTTPError) -> PayoutTransition {
        switch (target, current) {
        case (.processed, .processing), (.processed, .queued): return .settle
        case (.processed, .failed): return .settleLate
        case (.failed, .processing), (.failed, .queued), (.failed, .held), (.failed, .scheduled), (.failed, .pendingApproval):
            return .fail(code: "force_resolved", message: nil)
        case (.reversed, .processed): return .reverse
        default:
            throw HTTPError.conflict("A \(current.rawValue) payout cannot be forced to \(target.rawValue).", code: "invalid_state", param: "status")
        }
    }

    static func with(_ base: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
        .object((base.objectValue ?? [:]).merging(extra) { _, new in new })
    }

    /// After `COFFER_MASTER_KEY` gains a version: every payee destination sealed under an older one is
    /// sealed again under the current one.
    func resealDestinations(actor: String, correlationID: String) async throws -> Int {
        let keyring = core.vault.keyring
        let rows = try await core.database.platformTransaction { connection in
            try await connection.query("SELECT id, tenant_id, destination_sealed FROM payouts.payees").map { try $0.decode((String, String, String).self) }
        }
        var count = 0
        for (id, tenantID, sealed) in rows where keyring.needsReencryption(sealed) {
            let destination = try core.vault.open(sealed, payeeID: id)
            let resealed = try core.vault.seal(destination, payeeID: id)
            // The fingerprint is recomputed under the current version too, so the shared-destination check
            // keeps matching once the old version is dropped.
            let fingerprint = core.vault.fingerprint(destination)
            _ = try await core.database.tenantTransaction(tenantID) { connection in
                try await connection.execute("""
                    UPDATE payouts.payees SET destination_sealed = \(resealed), destination_fingerprint = \(fingerprint)
                    WHERE id = \(id) AND destination_sealed = \(sealed)
                    """)
            }
            count += 1
        }
        // Payouts carry their own sealed copy of the destination they pay: re-sealed the same way.
        let pinned = try await core.database.platformTransaction { connection in
            try await connection.query("SELECT id, tenant_id, payee_id, destination_sealed FROM payouts.payouts WHERE destination_sealed IS NOT NULL")
                .map { try $0.decode((String, String, String, String).self) }
        }
        for (id, tenantID, payeeID, sealed) in pinned where keyring.needsReencryption(sealed) {
            let resealed = try core.vault.seal(try core.vault.open(sealed, payeeID: payeeID), payeeID: payeeID)
            _ = try await core.database.tenantTransaction(tenantID) { connection in
                try await connection.execute("""
                    UPDATE payouts.payouts SET destination_sealed = \(resealed) WHERE id = \(id) AND destination_sealed = \(sealed)
                    """)
            }
        }
        core.logger.info("payee destinations re-sealed", ["count": .int(Int64(count)), "actor": .string(actor), "correlation_id": .string(correlationID)])
        return count
    }
}
