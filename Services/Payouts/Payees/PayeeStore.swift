import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// Payees: created and changed with their destination sealed, audited, and published to payments as
/// `payee.upserted` (with the recruiter, for referral bounties). When the tenant has the destination
/// check on, a new or changed destination gets a test payout of one major unit from the platform's own
/// account, and real payouts to it wait (held) until that test payout is processed.
struct PayeeStore: Sendable {
    let core: PayoutsCore

    struct Input: Sendable {
        static let createFields: Set<String> = ["name", "type", "email", "destination", "recruiter_payee_id", "metadata", "currency"]
        var name: String?
        var type: PayeeRecord.PayeeType?
        var email: String??
        var destination: PayoutDestination?
        var recruiterPayeeID: String??
        var metadata: JSONValue?
        var status: String?
        /// The currency of the destination check (required when the tenant has it on).
        var currency: Currency?

        init(body: [UInt8], creating: Bool) throws(HTTPError) {
            let reader = try BodyReader(body, allowed: creating ? Self.createFields : Self.createFields.subtracting(["type"]).union(["status"]))
            name = try reader.string("name", maxLength: 200)
            if let typeName = try reader.string("type", maxLength: 20, allowed: Set(PayeeRecord.PayeeType.allCases.map(\.rawValue))) {
                type = PayeeRecord.PayeeType(rawValue: typeName)
            }
            if reader.object["email"] != nil {
                let email = try reader.string("email", maxLength: 254)
                if let email, !DestinationInput.isEmail(email.lowercased()) {
                    throw HTTPError.badRequest("email is not an email address.", param: "email")
                }
                self.email = .some(email?.lowercased())
            }
            if let value = reader.object["destination"], value != .null { destination = try DestinationInput.parse(value) }
            if reader.object["recruiter_payee_id"] != nil { recruiterPayeeID = .some(try reader.id("recruiter_payee_id", prefix: .payee)) }
            if reader.has("metadata") { metadata = try reader.metadata() }
            status = try reader.string("status", maxLength: 20, allowed: ["active", "disabled"])
            if reader.has("currency") { currency = try reader.currency("currency") }
            if creating {
                guard name != nil else { throw HTTPError.badRequest("name is required.", param: "name") }
                guard type != nil else { throw HTTPError.badRequest("type is required (seller, employee or referrer).", param: "type") }
                guard destination != nil else { throw HTTPError.badRequest("destination is required.", param: "destination") }
            }
        }
    }

    func create(_ input: Input, request: RequestInfo) async throws -> JSONValue {
        let payeeID = CofferID.generate(.payee)
        guard let destination = input.destination, let name = input.name, let type = input.type else { throw HTTPError.badRequest("Incomplete payee.") }
        let sealed = try core.vault.seal(destination, payeeID: payeeID)
        let result = try await core.database.tenantTransaction(request.tenantID) { connection -> JSONValue in
            let settings = try await core.settings(request.tenantID, on: connection)
            if let recruiter = input.recruiterPayeeID ?? nil { try await checkRecruiter(recruiter, payeeID: payeeID, request: request, on: connection) }
            let check = settings.testPayout.enabled
            if check, input.currency == nil {
                throw HTTPError.badRequest("This tenant checks new destinations with a test payout: say its currency.", code: "currency_required",
                                           param: "currency")
            }
            let version = Timestamp.nextVersion()
            guard let row = try await connection.query("""
                INSERT INTO payouts.payees AS e (id, tenant_id, livemode, name, type, email, destination_kind, destination_sealed, destination_last4,
                    destination_fingerprint, destination_check, recruiter_payee_id, status, metadata, version, created_by)
                VALUES (\(payeeID), \(request.tenantID), \(request.key.livemode), \(name), \(type.rawValue), \(input.email ?? nil),
                    \(destination.kind.rawValue), \(sealed), \(DestinationVault.last4(destination)), \(core.vault.fingerprint(destination)),
                    \(check ? "pending" : nil), \(input.recruiterPayeeID ?? nil), 'active', \((input.metadata ?? [:]).jsonString)::jsonb,
                    \(version), \(request.actor))
                RETURNING \(unsafeSQL: PayeeRecord.columns)
                """).first
            else { throw HTTPError.internalError() }
            let payee = try PayeeRecord(row: row)
            var events = PendingEvents(source: "payouts", tenantID: request.tenantID, correlationID: request.correlationID)
            Self.publish(payee, into: &events)
            if check, let currency = input.currency {
                try await createDestinationCheck(payee, currency: currency, settings: settings, request: request, events: &events, on: connection)
            }
            try await events.write(to: core.outbox, on: connection)
            let json = payee.json(destination: destination)
            try await core.audit.record(AuditEntry(tenantID: request.tenantID, actor: request.actor, action: "payee.created", objectType: "payee",
                                                   objectID: payeeID, before: nil, after: json, correlationID: request.correlationID),
                                        on: connection)
            return json
        }
        core.outbox.nudge()
        core.queueBell.ring()
        return result
    }

    func update(_ payeeID: String, input: Input, request: RequestInfo) async throws -> JSONValue {
        let result = try await core.database.tenantTransaction(request.tenantID) { connection -> JSONValue in
            guard var payee = try await PayeeRecord.load(payeeID, tenantID: request.tenantID, forUpdate: true, on: connection),
                  payee.livemode == request.key.livemode
            else { throw HTTPError.notFound("No such payee: \(payeeID)", param: "id") }
            let settings = try await core.settings(request.tenantID, on: connection)
            let before = payee.json(destination: try? core.vault.open(payee.destinationSealed, payeeID: payee.id))
            let wasActive = payee.status == "active"
            if let name = input.name { payee.name = name }
            if let email = input.email { payee.email = email }
            if let metadata = input.metadata { payee.metadata = metadata }
            if let status = input.status { payee.status = status }
            if let recruiter = input.recruiterPayeeID {
                if let recruiter { try await checkRecruiter(recruiter, payeeID: payeeID, request: request, on: connection) }
                payee.recruiterPayeeID = recruiter
            }
            var events = PendingEvents(source: "payouts", tenantID: request.tenantID, correlationID: request.correlationID)
            var destinationChanged = false
            if let destination = input.destination {
                // A new destination is a new place money lands: it is checked again before real payouts, the
                // payee is new again for the cooling period, and payouts already waiting are re-pinned to it
                // and held until someone other than the changer approves them again.
                payee.destinationKind = destination.kind
                payee.destinationSealed = try core.vault.seal(destination, payeeID: payee.id)
                payee.destinationLast4 = DestinationVault.last4(destination)
                payee.destinationFingerprint = core.vault.fingerprint(destination)
                payee.destinationVerifiedAt = nil
                payee.destinationCheck = settings.testPayout.enabled ? "pending" : nil
                payee.destinationChangedAt = Date()
                destinationChanged = true
            }
            payee.version = Timestamp.nextVersion(after: payee.version)
            try await connection.execute("""
                UPDATE payouts.payees SET name = \(payee.name), email = \(payee.email), destination_kind = \(payee.destinationKind.rawValue),
                    destination_sealed = \(payee.destinationSealed), destination_last4 = \(payee.destinationLast4),
                    destination_fingerprint = \(payee.destinationFingerprint), destination_verified_at = \(payee.destinationVerifiedAt),
                    destination_check = \(payee.destinationCheck), recruiter_payee_id = \(payee.recruiterPayeeID), status = \(payee.status),
                    metadata = \(payee.metadata.jsonString)::jsonb, version = \(payee.version), destination_changed_at = \(payee.destinationChangedAt),
                    updated_at = now()
                WHERE id = \(payee.id) AND tenant_id = \(payee.tenantID)
                """)
            if destinationChanged {
                try await holdOpenPayouts(of: payee, reason: "destination_changed", repin: true, events: &events, on: connection)
            }
            if wasActive, payee.status != "active" {
                try await holdOpenPayouts(of: payee, reason: "payee_disabled", repin: false, events: &events, on: connection)
            }
            Self.publish(payee, into: &events)
            if input.destination != nil, settings.testPayout.enabled {
                var currency = input.currency
                if currency == nil { currency = try await lastCurrency(payee, on: connection) }
                guard let currency else {
                    throw HTTPError.badRequest("This tenant checks new destinations with a test payout: say its currency.",
                                               code: "currency_required", param: "currency")
                }
                try await createDestinationCheck(payee, currency: currency, settings: settings, request: request, events: &events, on: connection)
            }
            try await events.write(to: core.outbox, on: connection)
            let destination = try? core.vault.open(payee.destinationSealed, payeeID: payee.id)
            let json = payee.json(destination: destination)
            try await core.audit.record(AuditEntry(tenantID: request.tenantID, actor: request.actor, action: "payee.updated", objectType: "payee",
                                                   objectID: payeeID, before: before, after: json, correlationID: request.correlationID),
                                        on: connection)
            return json
        }
        core.outbox.nudge()
        core.queueBell.ring()
        return result
    }

    /// Holds every payout of `payee` that has not been sent (queued, scheduled, waiting for approval or
    /// already held) with `reason`; with `repin`, each is pointed at the payee's new destination first,
    /// so the re-approval approves where the money will actually go. Destination checks are not held:
    /// they are the check.
    private func holdOpenPayouts(of payee: PayeeRecord, reason: String, repin: Bool, events: inout PendingEvents,
                                 on connection: PostgresConnection) async throws {
        let held = try await connection.query("""
            UPDATE payouts.payouts o SET
                hold_reasons = CASE WHEN \(reason) = ANY(o.hold_reasons) THEN o.hold_reasons ELSE array_append(o.hold_reasons, \(reason)) END,
                status = CASE WHEN o.status IN ('queued', 'scheduled') THEN 'held' ELSE o.status END,
                destination_kind = CASE WHEN \(repin) THEN \(payee.destinationKind.rawValue) ELSE o.destination_kind END,
                destination_sealed = CASE WHEN \(repin) THEN \(payee.destinationSealed) ELSE o.destination_sealed END,
                destination_last4 = CASE WHEN \(repin) THEN \(payee.destinationLast4) ELSE o.destination_last4 END,
                destination_fingerprint = CASE WHEN \(repin) THEN \(payee.destinationFingerprint) ELSE o.destination_fingerprint END,
                updated_at = now()
            WHERE o.tenant_id = \(payee.tenantID) AND o.payee_id = \(payee.id) AND NOT o.is_test
              AND o.status IN ('scheduled', 'pending_approval', 'held', 'queued')
            RETURNING \(unsafeSQL: PayoutRecord.columns)
            """).map(PayoutRecord.init(row:))
        for payout in held where payout.status == .held {
            events.add(PayoutEventType.held, data: payout.json, orderingKey: "payee:" + payout.payeeID)
        }
        if !held.isEmpty {
            core.logger.notice("open payouts held", ["payee_id": .string(payee.id), "reason": .string(reason), "count": .int(Int64(held.count))])
        }
    }

    /// A recruiter must be an active payee of the same tenant and mode, and not the payee itself.
    private func checkRecruiter(_ recruiterID: String, payeeID: String, request: RequestInfo, on connection: PostgresConnection) async throws {
        guard recruiterID != payeeID else {
            throw HTTPError.badRequest("A payee cannot recruit itself.", code: "invalid_recruiter", param: "recruiter_payee_id")
        }
        guard let recruiter = try await PayeeRecord.load(recruiterID, tenantID: request.tenantID, on: connection),
              recruiter.livemode == request.key.livemode, recruiter.status == "active"
        else {
            throw HTTPError.badRequest("recruiter_payee_id must be an active payee of this tenant.", code: "invalid_recruiter",
                                       param: "recruiter_payee_id")
        }
    }

    private func lastCurrency(_ payee: PayeeRecord, on connection: PostgresConnection) async throws -> Currency? {
        try await connection.query("""
            SELECT currency FROM payouts.payouts WHERE tenant_id = \(payee.tenantID) AND payee_id = \(payee.id) ORDER BY created_at DESC LIMIT 1
            """).first.flatMap { Currency(code: try $0.decode(String.self, at: 0)) }
    }

    /// The destination check: one major unit (configurable) from the platform's own account, queued at once.
    private func createDestinationCheck(_ payee: PayeeRecord, currency: Currency, settings: TenantSettings, request: RequestInfo,
                                        events: inout PendingEvents, on connection: PostgresConnection) async throws {
        var amount = Int64(settings.testPayout.amountMajorUnits)
        for _ in 0..<currency.exponent { amount *= 10 }
        let payoutID = CofferID.generate(.payout)
        guard let row = try await connection.query("""
            INSERT INTO payouts.payouts AS o (id, tenant_id, livemode, payee_id, amount, currency, purpose, narration, status, is_test,
                created_by, queued_at, destination_kind, destination_sealed, destination_last4, destination_fingerprint)
            VALUES (\(payoutID), \(payee.tenantID), \(payee.livemode), \(payee.id), \(amount), \(currency.code), 'test', 'Account check',
                'queued', true, \(request.actor), now(), \(payee.destinationKind.rawValue), \(payee.destinationSealed),
                \(payee.destinationLast4), \(payee.destinationFingerprint))
            RETURNING \(unsafeSQL: PayoutRecord.columns)
            """).first
        else { throw HTTPError.internalError() }
        let payout = try PayoutRecord(row: row)
        events.add(PayoutEventType.created, data: payout.json, orderingKey: "payee:" + payee.id)
    }

    static func publish(_ payee: PayeeRecord, into events: inout PendingEvents) {
        events.add(MoneyEventType.payeeUpserted,
                   data: ["payee_id": .string(payee.id), "tenant_id": .string(payee.tenantID), "livemode": .bool(payee.livemode),
                          "recruiter_payee_id": payee.recruiterPayeeID.map(JSONValue.string) ?? .null, "status": .string(payee.status),
                          "version": .int(payee.version)],
                   orderingKey: "payee:" + payee.id)
    }

    // MARK: Reading

    func get(_ payeeID: String, request: RequestInfo) async throws -> JSONValue {
        try await core.database.tenantTransaction(request.tenantID) { connection in
            guard CofferID.isValid(payeeID, prefix: .payee),
                  let payee = try await PayeeRecord.load(payeeID, tenantID: request.tenantID, on: connection),
                  payee.livemode == request.key.livemode
            else { throw HTTPError.notFound("No such payee: \(payeeID)", param: "id") }
            let balances = try await BalanceBook.balancesJSON(payeeID: payeeID, tenantID: request.tenantID, on: connection)
            return payee.json(destination: try? core.vault.open(payee.destinationSealed, payeeID: payee.id), balances: balances)
        }
    }

    func list(request: RequestInfo, limit: Int, startingAfter: String?, type: String?, status: String?) async throws -> [UInt8] {
        let rows = try await core.database.tenantTransaction(request.tenantID) { connection in
            try await connection.query("""
                SELECT \(unsafeSQL: PayeeRecord.columns) FROM payouts.payees e
                WHERE e.tenant_id = \(request.tenantID) AND e.livemode = \(request.key.livemode)
                  AND (\(startingAfter)::text IS NULL OR e.id < \(startingAfter))
                  AND (\(type)::text IS NULL OR e.type = \(type)) AND (\(status)::text IS NULL OR e.status = \(status))
                ORDER BY e.id DESC LIMIT \(Int64(limit + 1))
                """).map(PayeeRecord.init(row:))
        }
        let items = rows.prefix(limit).map { $0.json(destination: try? core.vault.open($0.destinationSealed, payeeID: $0.id)) }
        return ListParameters.page(Array(items), hasMore: rows.count > limit)
    }
}
