import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Payees: created and changed with their destination sealed, audited, and published to payments as
/// `payee.upserted` (with the recruiter, for referral bounties). When the tenant has the destination
/// check on, a new or changed destination gets a test payout of one major unit from the platform's own
/// account, and real payouts to it wait (held) until that test payout is processed.
struct Payees: Sendable {
    let core: PayoutsCore

    /// What a create or an update asks for (decoded by the route); nil fields are left as they are.
    struct Changes: Sendable {
        var name: String?
        var type: Payee.Kind?
        var email: String??
        var destination: PayoutDestination?
        var recruiterPayeeID: String??
        var metadata: JSONValue?
        var status: String?
        /// The currency of the destination check (required when the tenant has it on).
        var currency: Currency?
    }

    func create(_ changes: Changes, _ request: RequestInfo) async throws -> (Payee, PayoutDestination) {
        guard let destination = changes.destination, let name = changes.name, let type = changes.type else {
            throw DomainError.invalid("A payee needs a name, a type and a destination.")
        }
        let payeeID = CofferID.generate(.payee)
        let sealed = try core.vault.seal(destination, payeeID: payeeID)
        return try await core.work.run(request.work) { work in
            let connection = work.connection
            let settings = try await core.settings(request.tenantID, on: connection)
            if let recruiter = changes.recruiterPayeeID ?? nil {
                try await checkRecruiter(recruiter, payeeID: payeeID, request, on: connection)
            }
            let check = settings.testPayout.enabled
            if check, changes.currency == nil {
                throw DomainError.invalid(
                    "This tenant checks new destinations with a test payout: say its currency.",
                    code: "currency_required",
                    param: "currency")
            }
            let payee = try await core.payees.insert(
                Payee(
                    id: payeeID, tenantID: request.tenantID, livemode: request.livemode, name: name, type: type,
                    email: changes.email ?? nil,
                    destinationKind: destination.kind, destinationSealed: sealed,
                    destinationLast4: DestinationVault.last4(destination),
                    destinationFingerprint: core.vault.fingerprint(destination), destinationVerifiedAt: nil,
                    destinationCheck: check ? .pending : nil,
                    recruiterPayeeID: changes.recruiterPayeeID ?? nil, status: "active",
                    metadata: changes.metadata ?? [:],
                    version: Timestamp.nextVersion(), createdBy: request.actor, createdAt: Date(), updatedAt: Date(),
                    destinationChangedAt: nil,
                    destinationChangedBy: nil), on: connection)
            try publish(payee, in: &work)
            if check, let currency = changes.currency {
                try await createDestinationCheck(payee, currency: currency, settings: settings, request, in: &work)
            }
            work.audit(
                "payee.created", objectType: "payee", objectID: payeeID, before: nil,
                after: payee.json(destination: destination))
            return (payee, destination)
        }.value
    }

    func update(_ payeeID: String, _ changes: Changes, _ request: RequestInfo) async throws -> (
        Payee, PayoutDestination?
    ) {
        try await core.work.run(request.work) { work in
            let connection = work.connection
            var payee = try await core.payee(payeeID, request, forUpdate: true, on: connection)
            let settings = try await core.settings(request.tenantID, on: connection)
            let before = payee.json(destination: try? core.vault.open(payee.destinationSealed, payeeID: payee.id))
            let wasActive = payee.isActive
            if let name = changes.name { payee.name = name }
            if let email = changes.email { payee.email = email }
            if let metadata = changes.metadata { payee.metadata = metadata }
            if let status = changes.status { payee.status = status }
            if let recruiter = changes.recruiterPayeeID {
                if let recruiter { try await checkRecruiter(recruiter, payeeID: payeeID, request, on: connection) }
                payee.recruiterPayeeID = recruiter
            }
            if let destination = changes.destination {
                // A new destination is a new place money lands: it is checked again before real payouts, the
                // payee is new again for the cooling period, and payouts already waiting are re-pinned to it
                // and held until someone other than the changer approves them again.
                payee.destinationKind = destination.kind
                payee.destinationSealed = try core.vault.seal(destination, payeeID: payee.id)
                payee.destinationLast4 = DestinationVault.last4(destination)
                payee.destinationFingerprint = core.vault.fingerprint(destination)
                payee.destinationVerifiedAt = nil
                payee.destinationCheck = settings.testPayout.enabled ? .pending : nil
                payee.destinationChangedAt = Date()
                payee.destinationChangedBy = request.actor
            }
            payee.version = Timestamp.nextVersion(after: payee.version)
            try await core.payees.save(payee, on: connection)
            if changes.destination != nil {
                try await holdOpenPayouts(of: payee, reason: .destinationChanged, repin: true, in: &work)
            }
            if wasActive, !payee.isActive {
                try await holdOpenPayouts(of: payee, reason: .payeeDisabled, repin: false, in: &work)
            }
            try publish(payee, in: &work)
            if changes.destination != nil, settings.testPayout.enabled {
                var currency = changes.currency
                if currency == nil {
                    currency = try await core.payouts.lastCurrency(
                        payeeID: payee.id, tenantID: payee.tenantID, on: connection)
                }
                guard let currency else {
                    throw DomainError.invalid(
                        "This tenant checks new destinations with a test payout: say its currency.",
                        code: "currency_required", param: "currency")
                }
                try await createDestinationCheck(payee, currency: currency, settings: settings, request, in: &work)
            }
            let destination = try? core.vault.open(payee.destinationSealed, payeeID: payee.id)
            work.audit(
                "payee.updated", objectType: "payee", objectID: payeeID, before: before,
                after: payee.json(destination: destination))
            return (payee, destination)
        }.value
    }

    /// Holds every payout of `payee` that has not been sent (queued, scheduled, waiting for approval or
    /// already held) with `reason`; with `repin`, each is pointed at the payee's new destination first,
    /// so the re-approval approves where the money will actually go. Destination checks are not held:
    /// they are the check.
    private func holdOpenPayouts(of payee: Payee, reason: HoldReason, repin: Bool, in work: inout Work) async throws {
        let open = try await core.payouts.openPayouts(payeeID: payee.id, tenantID: payee.tenantID, on: work.connection)
        for var payout in open {
            let gates = PayoutLifecycle.Gates(
                approvalReasons: payout.approvalReasons, holdReasons: payout.holdReasons,
                scheduledFor: payout.scheduledFor)
            guard
                case .success(let (status, next)) = PayoutLifecycle.next(
                    payout.status, gates, on: .held(reason: reason.rawValue),
                    now: Date())
            else { continue }
            payout.status = status
            payout.holdReasons = next.holdReasons
            if repin {
                payout.destinationKind = payee.destinationKind.rawValue
                payout.destinationLast4 = payee.destinationLast4
            }
            work.write(core.payouts.saveQuery(payout, pin: repin ? payee : nil))
            if status == .held { try work.publish(PayoutEventType.held, payout) }
        }
        if !open.isEmpty {
            core.logger.notice(
                "open payouts held",
                ["payee_id": .string(payee.id), "reason": .string(reason.rawValue), "count": .int(Int64(open.count))])
        }
    }

    /// A recruiter must be an active payee of the same tenant and mode, and not the payee itself.
    private func checkRecruiter(
        _ recruiterID: String, payeeID: String, _ request: RequestInfo, on connection: PostgresConnection
    ) async throws {
        guard recruiterID != payeeID else {
            throw DomainError.invalid(
                "A payee cannot recruit itself.", code: "invalid_recruiter", param: "recruiter_payee_id")
        }
        guard let recruiter = try await core.payees.load(recruiterID, tenantID: request.tenantID, on: connection),
            recruiter.livemode == request.livemode, recruiter.isActive
        else {
            throw DomainError.invalid(
                "recruiter_payee_id must be an active payee of this tenant.", code: "invalid_recruiter",
                param: "recruiter_payee_id")
        }
    }

    /// The destination check: one major unit (configurable) from the platform's own account, queued at once.
    private func createDestinationCheck(
        _ payee: Payee, currency: Currency, settings: TenantSettings, _ request: RequestInfo,
        in work: inout Work
    ) async throws {
        var amount = Int64(settings.testPayout.amountMajorUnits)
        for _ in 0..<currency.exponent { amount *= 10 }
        let payout = try await core.payouts.insert(
            PayoutStore.NewPayout(
                id: CofferID.generate(.payout), tenantID: payee.tenantID, livemode: payee.livemode, payeeID: payee.id,
                amount: amount,
                currency: currency, purpose: "test", narration: "Account check", status: .queued, approvalReasons: [],
                holdReasons: [],
                scheduledFor: nil, isTest: true, batchID: nil, createdBy: request.actor, metadata: [:],
                destination: payee), on: work.connection)
        try work.publish(PayoutEventType.created, payout)
        work.ring(core.queueBell)
    }

    private func publish(_ payee: Payee, in work: inout Work) throws {
        try work.publish(
            MoneyEventType.payeeUpserted,
            payload: PayeeUpserted(
                payeeID: PayeeID(trusted: payee.id), tenantID: TenantID(trusted: payee.tenantID),
                livemode: payee.livemode,
                recruiterPayeeID: payee.recruiterPayeeID.map(PayeeID.init(trusted:)), status: payee.status,
                version: payee.version),
            orderingKey: "payee:" + payee.id)
    }

    // MARK: Reading

    func get(_ payeeID: String, _ request: RequestInfo) async throws -> (Payee, PayoutDestination?, [Balance]) {
        try await core.database.tenantTransaction(request.tenantID) { connection in
            let payee = try await core.payee(payeeID, request, on: connection)
            let balances = try await core.balances.balances(
                payeeID: payee.id, tenantID: request.tenantID, on: connection)
            return (payee, try? core.vault.open(payee.destinationSealed, payeeID: payee.id), balances)
        }
    }

    func list(_ request: RequestInfo, filter: PayeeStore.Filter) async throws -> (
        payees: [(Payee, PayoutDestination?)], hasMore: Bool
    ) {
        let rows = try await core.database.tenantTransaction(request.tenantID) { connection in
            try await core.payees.list(
                tenantID: request.tenantID, livemode: request.livemode, filter: filter, on: connection)
        }
        let page = rows.prefix(filter.limit).map { ($0, try? core.vault.open($0.destinationSealed, payeeID: $0.id)) }
        return (Array(page), rows.count > filter.limit)
    }
}
