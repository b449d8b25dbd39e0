import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Creating payouts and moving them through their gates. A payout reserves its amount from the
/// payee's balance in the transaction that creates it (it can never overdraw it), pins the payee's
/// destination, and waits — scheduled, for approval, held — until the queue's workers send it.
struct Payouts: Sendable {
    let core: PayoutsCore
    var rails: PayoutRails { PayoutRails(configuration: core.configuration, payouts: core.payouts) }

    static let purposes: Set<String> = [
        "payout", "salary", "bonus", "commission", "referral", "refund", "vendor_payment", "reimbursement",
    ]

    /// A payout as asked for (decoded by the route).
    struct NewPayout: Sendable {
        let payeeID: String
        let amount: Int64
        let currency: Currency
        let purpose: String
        let narration: String?
        let scheduledFor: Date?
        let metadata: JSONValue
    }

    // MARK: Create

    /// `POST /v1/payouts`: one payout in one unit of work; `answer` is what the idempotency key keeps.
    func create(_ new: NewPayout, _ request: RequestInfo, answer: @escaping @Sendable (Payout) -> StoredAnswer)
        async throws -> Committed<Payout>
    {
        // A retry after a crash finds the first attempt's payout, never makes a second one.
        if let payoutID = request.claim?.recoveryPoint {
            return .unrecorded(try await load(payoutID, request))
        }
        return try await core.work.run(request.work, answer: answer) { work in
            let payout = try await create(new, request, batchID: nil, in: &work)
            work.recover(at: payout.id)
            work.ring(core.queueBell)
            return payout
        }
    }

    /// One payout inside a unit of work (a batch creates many in one).
    func create(_ new: NewPayout, _ request: RequestInfo, batchID: String?, in work: inout Work) async throws -> Payout
    {
        let connection = work.connection
        // The payee (locked: its payouts are counted and its balance reserved one at a time), the
        // tenant's settings, its first-run confirmation and any hold on the balance: one round trip.
        guard CofferID.isValid(new.payeeID, prefix: .payee),
            let context = try await core.payees.payoutContext(
                new.payeeID, tenantID: request.tenantID, livemode: request.livemode, currency: new.currency.code,
                on: connection),
            context.payee.livemode == request.livemode
        else { throw DomainError.notFound("No such payee: \(new.payeeID)", param: "payee_id") }
        let payee = context.payee
        guard payee.isActive else {
            throw DomainError.conflict(
                "This payee is \(payee.status); it cannot be paid.", code: "payee_disabled", param: "payee_id")
        }
        guard !context.balanceHeld else {
            throw DomainError.conflict(
                "This payee's \(new.currency.code) balance is held until two operators reverse money that reached it from the other mode.",
                code: "balance_held", param: "payee_id")
        }
        guard let settings = context.settings else { throw DomainError.notFound("No such tenant.") }
        try await rails.checkLimits(
            amount: new.amount, currency: new.currency, payee: payee, settings: settings, on: connection)
        switch try await core.balances.reserve(
            tenantID: request.tenantID, payeeID: payee.id, currency: new.currency.code, amount: new.amount,
            on: connection)
        {
        case .reserved:
            break
        case .noBalanceInCurrency:
            throw DomainError.invalid(
                "This payee has no \(new.currency.code) balance: a payout is paid in the currency of the balance it draws from.",
                code: "currency_mismatch", param: "currency")
        case .insufficient(let available):
            throw DomainError.invalid(
                "The payee's available \(new.currency.code) balance is \(available).", code: "insufficient_balance",
                param: "amount")
        }
        let fingerprints =
            (try? core.vault.open(payee.destinationSealed, payeeID: payee.id)).map(core.vault.fingerprints) ?? []
        var gates = try await rails.gates(
            amount: new.amount, currency: new.currency, payee: payee, fingerprints: fingerprints,
            settings: settings, firstRunConfirmed: context.firstRunConfirmed, on: connection)
        gates.scheduledFor = new.scheduledFor
        let status = PayoutLifecycle.status(for: gates, now: Date())
        let payout = try await core.payouts.insert(
            PayoutStore.NewPayout(
                id: CofferID.generate(.payout), tenantID: request.tenantID, livemode: request.livemode,
                payeeID: payee.id, amount: new.amount,
                currency: new.currency, purpose: new.purpose, narration: new.narration, status: status,
                approvalReasons: gates.approvalReasons,
                holdReasons: gates.holdReasons, scheduledFor: new.scheduledFor, isTest: false, batchID: batchID,
                createdBy: request.actor,
                metadata: new.metadata, destination: payee), on: connection)
        // Creation is on the payout itself (created_by, its events); the audit chain records what
        // changes a payout's course: approvals, releases, cancels, batches, operators' actions.
        try work.publish(PayoutEventType.created, payout)
        if status == .held { try work.publish(PayoutEventType.held, payout) }
        if status == .queued { try work.publish(PayoutEventType.queued, payout) }
        return payout
    }

    // MARK: Gates

    /// Cancels a payout that has not been sent; its reservation returns to the payee's balance.
    func cancel(_ payoutID: String, _ request: RequestInfo) async throws -> Payout {
        try await move(payoutID, request, action: "payout.canceled", event: .canceled) { payout, _ in
            guard !payout.isTest else {
                throw DomainError.conflict(
                    "A destination check cannot be canceled: real payouts to this payee wait for it.",
                    code: "destination_check_not_cancelable")
            }
        }
    }

    /// Approval by a different key with the approver (or full) role: on to its holds, its date, or the queue.
    func approve(_ payoutID: String, _ request: RequestInfo) async throws -> Payout {
        try await move(payoutID, request, action: "payout.approved", event: .approved) { payout, connection in
            guard payout.status == .pendingApproval else { return }
            try await requireOtherKey(payout, request, on: connection)
            if payout.has(.firstRun) {
                throw DomainError.conflict(
                    "The tenant's first payout run is not confirmed yet: confirm it (POST /v1/payouts/confirm-first-run).",
                    code: "first_run_unconfirmed")
            }
            payout.approvedBy = request.actor
        }
    }

    /// Clears a held payout: an approver (a different key than the creator's) overrides its holds.
    func release(_ payoutID: String, _ request: RequestInfo) async throws -> Payout {
        try await move(payoutID, request, action: "payout.released", event: .released) { payout, connection in
            guard payout.status == .held else { return }
            // A disabled payee's payouts stay held until it is active again.
            guard
                try await core.payouts.payeeIsActive(payoutID: payout.id, tenantID: payout.tenantID, on: connection)
                    != false
            else {
                throw DomainError.conflict(
                    "This payout's payee is disabled; enable the payee before releasing its payouts.",
                    code: "payee_disabled")
            }
            // Money that crossed modes is released only by two operators' reversal, never by a tenant's approver.
            guard !payout.has(.balanceHeld) else {
                throw DomainError.conflict(
                    "This payout waits on a held balance that only operators can release.", code: "balance_held")
            }
            try await requireOtherKey(payout, request, on: connection)
            payout.releasedBy = request.actor
        }
    }

    /// Approvals and releases are by a different key than the payout's creator — and, for a payout
    /// re-pinned to a changed destination, than the key that changed it.
    private func requireOtherKey(_ payout: Payout, _ request: RequestInfo, on connection: PostgresConnection)
        async throws
    {
        guard payout.createdBy != request.actor else {
            throw DomainError.forbidden(
                "A payout must be approved or released by a different API key than the one that created it.",
                code: "approver_must_differ")
        }
        if payout.has(.destinationChanged),
            let payee = try await core.payees.load(payout.payeeID, tenantID: payout.tenantID, on: connection),
            payee.destinationChangedBy == request.actor
        {
            throw DomainError.forbidden(
                "This payout was re-pinned to a destination this key set: a different key must approve it.",
                code: "approver_must_differ")
        }
    }

    /// Locks a payout, checks `guardrail`, applies the lifecycle `event`, saves it with its event and audit entry.
    private func move(
        _ payoutID: String, _ request: RequestInfo, action: String, event: PayoutLifecycle.Event,
        _ guardrail: (inout Payout, PostgresConnection) async throws -> Void
    ) async throws -> Payout {
        try await core.work.run(request.work) { work in
            var payout = try await core.payout(payoutID, request, forUpdate: true, on: work.connection)
            let before = payout
            try await guardrail(&payout, work.connection)
            let gates = PayoutLifecycle.Gates(
                approvalReasons: payout.approvalReasons, holdReasons: payout.holdReasons,
                scheduledFor: payout.scheduledFor)
            switch PayoutLifecycle.next(payout.status, gates, on: event, now: Date()) {
            case .failure(.notAllowed(let status)):
                throw DomainError.conflict(Self.refusal(event, status))
            case .success(let (status, next)):
                if status == before.status, next == gates { return payout }
                payout.status = status
                payout.approvalReasons = next.approvalReasons
                payout.holdReasons = next.holdReasons
            }
            if payout.status == .canceled {
                payout.failureCode = "canceled"
                work.write(core.balances.queries(.release, for: payout))
            }
            work.write(core.payouts.saveQuery(payout))
            switch payout.status {
            case .canceled: try work.publish(PayoutEventType.canceled, payout)
            case .held: try work.publish(PayoutEventType.held, payout)
            case .queued: try work.publish(PayoutEventType.queued, payout)
            default: break
            }
            work.audit(action, objectType: "payout", objectID: payout.id, before: before.json, after: payout.json)
            work.ring(core.queueBell)
            return payout
        }.value
    }

    static func refusal(_ event: PayoutLifecycle.Event, _ status: PayoutStatus) -> String {
        switch event {
        case .approved: "This payout is \(status.rawValue); only a payout pending approval can be approved."
        case .released: "This payout is \(status.rawValue); only a held payout can be released."
        case .canceled: "This payout is \(status.rawValue); only one not yet sent can be canceled."
        default: "This payout is \(status.rawValue)."
        }
    }

    // MARK: First run

    struct FirstRun: Sendable {
        let confirmed: Bool
        let waiting: [PayoutStore.FirstRunTotal]
    }

    func firstRun(_ request: RequestInfo) async throws -> FirstRun {
        try await core.work.run(request.work) { work in
            FirstRun(
                confirmed: try await core.firstRuns.isConfirmed(
                    tenantID: request.tenantID, livemode: request.livemode, on: work.connection),
                waiting: try await core.payouts.firstRunTotals(
                    tenantID: request.tenantID, livemode: request.livemode, on: work.connection))
        }.value
    }

    struct FirstRunConfirmation: Sendable {
        let totals: [PayoutStore.FirstRunTotal]
        /// Payouts now queued or scheduled, and those still waiting (other approvals, holds).
        let released: Int
        let stillWaiting: Int
    }

    /// Confirms the first payout run: its payouts go on (to approval for other reasons, holds, their date, or the queue).
    func confirmFirstRun(_ request: RequestInfo) async throws -> FirstRunConfirmation {
        try await core.work.run(request.work) { work in
            let connection = work.connection
            guard
                try await !core.firstRuns.isConfirmed(
                    tenantID: request.tenantID, livemode: request.livemode, on: connection)
            else {
                throw DomainError.conflict("The first payout run is already confirmed.", code: "first_run_confirmed")
            }
            let waiting = try await core.payouts.waitingForFirstRun(
                tenantID: request.tenantID, livemode: request.livemode, on: connection)
            // Confirming the first run approves its payouts: never by a key that created one of them.
            guard !waiting.contains(where: { $0.createdBy == request.actor }) else {
                throw DomainError.forbidden(
                    "The first payout run is confirmed by a different key than the one that created its payouts.",
                    code: "approver_must_differ")
            }
            let totals = try await core.payouts.firstRunTotals(
                tenantID: request.tenantID, livemode: request.livemode, on: connection)
            try await core.firstRuns.confirm(
                tenantID: request.tenantID, livemode: request.livemode, by: request.actor,
                totals: .array(totals.map(\.json)), on: connection)
            let moved = try core.clear(ApprovalReason.firstRun.rawValue, from: waiting, in: &work)
            let released = moved.filter { $0.status == .queued || $0.status == .scheduled }.count
            let stillWaiting = moved.count - released
            work.audit(
                "payouts.first_run_confirmed", objectType: "tenant", objectID: request.tenantID, before: nil,
                after: ["totals": .array(totals.map(\.json)), "payouts": .int(Int64(waiting.count))])
            work.ring(core.queueBell)
            return FirstRunConfirmation(totals: totals, released: released, stillWaiting: stillWaiting)
        }.value
    }

    // MARK: Reading

    func load(_ payoutID: String, _ request: RequestInfo) async throws -> Payout {
        try await core.database.tenantTransaction(request.tenantID) { connection in
            try await core.payout(payoutID, request, on: connection)
        }
    }

    func list(_ request: RequestInfo, filter: PayoutStore.Filter) async throws -> (payouts: [Payout], hasMore: Bool) {
        let rows = try await core.database.tenantTransaction(request.tenantID) { connection in
            try await core.payouts.list(
                tenantID: request.tenantID, livemode: request.livemode, filter: filter, on: connection)
        }
        return (Array(rows.prefix(filter.limit)), rows.count > filter.limit)
    }
}
