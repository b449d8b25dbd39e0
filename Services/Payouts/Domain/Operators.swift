import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// What an operator may do to payees and payouts, each audited in the tenant's chain. Operators act
/// across tenants (their work is in platform scope); one operator alone cannot move live money.
struct Operators: Sendable {
    let core: PayoutsCore

    enum CreditOutcome: Sendable {
        /// Applied: the credit and the payee's balances.
        case applied(JSONValue)
        /// A live credit above the threshold waits for a second operator.
        case awaitingSecondOperator(JSONValue)
    }

    /// Adds to a payee's balance (a goodwill credit, a correction) and tells payments, whose ledger books
    /// it as the platform's cost (`payee.adjusted`). A live credit above `PAYOUTS_SECOND_OPERATOR_CREDIT` for
    /// its currency (every live credit, in a currency with no threshold) is a request a second operator confirms.
    func credit(payeeID: String, money: Money, reason: String, operator name: String, correlationID: String)
        async throws -> CreditOutcome
    {
        let actor = "operator:" + name
        let threshold = core.configuration.secondOperatorCredit[money.currency.code] ?? 0
        return try await core.work.runAcrossTenants(actor: actor, correlationID: correlationID) { work in
            guard CofferID.isValid(payeeID, prefix: .payee),
                let tenantID = try await core.payees.tenant(of: payeeID, on: work.connection),
                let payee = try await core.payees.load(
                    payeeID, tenantID: tenantID, forUpdate: true, on: work.connection)
            else { throw DomainError.notFound("No such payee: \(payeeID)", param: "id") }
            if payee.livemode, money.minorUnits > threshold {
                let requestID = CofferID.generate(.creditRequest)
                try await core.requests.insertCredit(
                    id: requestID, tenantID: tenantID, payeeID: payee.id, amount: money.minorUnits,
                    currency: money.currency.code, reason: reason, requestedBy: name, on: work.connection)
                let pending: JSONValue = [
                    "object": "credit_request", "id": .string(requestID), "payee_id": .string(payee.id),
                    "tenant_id": .string(tenantID), "amount": .int(money.minorUnits),
                    "currency": .string(money.currency.code),
                    "reason": .string(reason), "status": "awaiting_second_operator", "requested_by": .string(name),
                ]
                work.audit(
                    "payee.credit_requested", objectType: "payee", objectID: payee.id, before: nil, after: pending,
                    tenantID: tenantID)
                return .awaitingSecondOperator(pending)
            }
            return .applied(
                try await applyCredit(
                    payee, money: money, reason: reason, sourceID: CofferID.generate(.ledgerEntry), in: &work))
        }
    }

    /// A second operator confirms a pending live credit; the operator who asked cannot.
    func approveCredit(_ requestID: String, operator name: String, correlationID: String) async throws -> JSONValue {
        try await core.work.runAcrossTenants(actor: "operator:" + name, correlationID: correlationID) { work in
            guard CofferID.isValid(requestID, prefix: .creditRequest),
                let request = try await core.requests.lockCredit(requestID, on: work.connection),
                let tenantID = try await core.requests.creditTenant(of: requestID, on: work.connection)
            else { throw DomainError.notFound("No such credit request: \(requestID)", param: "id") }
            guard request.status == "pending" else { throw DomainError.conflict("This credit was already applied.") }
            guard request.requestedBy != name else {
                throw DomainError.conflict(
                    "A live credit is made by two operators: another operator must confirm it.",
                    code: "second_operator_required")
            }
            // Applied in the same transaction that marks it, so a racing second confirmation finds it done.
            try await core.requests.markCreditApplied(requestID, by: name, on: work.connection)
            guard
                let payee = try await core.payees.load(
                    request.payeeID, tenantID: tenantID, forUpdate: true, on: work.connection)
            else {
                throw DomainError.notFound("No such payee: \(request.payeeID)", param: "id")
            }
            let money = Money(minorUnits: request.amount, currency: Currency(code: request.currency) ?? .usd)
            return try await applyCredit(payee, money: money, reason: request.reason, sourceID: requestID, in: &work)
        }
    }

    private func applyCredit(_ payee: Payee, money: Money, reason: String, sourceID: String, in work: inout Work)
        async throws -> JSONValue
    {
        try await core.balances.change(
            tenantID: payee.tenantID, payeeID: payee.id, livemode: payee.livemode, currency: money.currency.code,
            amount: money.minorUnits, reason: "operator_credit", sourceID: sourceID, on: work.connection)
        try work.publish(
            MoneyEventType.payeeAdjusted,
            payload: PayeeBalanceChange(
                payeeID: PayeeID(trusted: payee.id), tenantID: TenantID(trusted: payee.tenantID),
                livemode: payee.livemode, money: money,
                reason: "operator_credit", sourceID: sourceID, paymentID: nil), orderingKey: "payee:" + payee.id,
            tenantID: payee.tenantID)
        let credit: JSONValue = [
            "object": "payee_credit", "id": .string(sourceID), "payee_id": .string(payee.id),
            "tenant_id": .string(payee.tenantID), "amount": .int(money.minorUnits),
            "currency": .string(money.currency.code),
            "reason": .string(reason),
        ]
        work.audit(
            "payee.credited", objectType: "payee", objectID: payee.id, before: nil, after: credit,
            tenantID: payee.tenantID)
        var answer = credit.objectValue ?? [:]
        answer["balances"] = .array(
            try await core.balances.balances(payeeID: payee.id, tenantID: payee.tenantID, on: work.connection).map(
                \.json))
        return .object(answer)
    }

    enum ResolveOutcome: Sendable {
        case applied(Payout)
        case awaitingSecondOperator(JSONValue)
    }

    /// Forces a payout the provider has settled (confirmed out of band) to that state, moving the money
    /// as the provider's own news would. Test-mode payouts take one operator; a live payout takes two:
    /// the first request is recorded, a second operator repeating it applies it.
    func forceResolve(
        payoutID: String, to target: PayoutStatus, reason: String, operator name: String,
        correlationID: String
    ) async throws -> ResolveOutcome {
        try await core.work.runAcrossTenants(actor: "operator:" + name, correlationID: correlationID) { work in
            guard CofferID.isValid(payoutID, prefix: .payout),
                let tenantID = try await core.payouts.tenant(of: payoutID, on: work.connection),
                let payout = try await core.payouts.load(
                    payoutID, tenantID: tenantID, forUpdate: true, on: work.connection)
            else { throw DomainError.notFound("No such payout: \(payoutID)", param: "id") }
            guard let transition = PayoutTransition.forced(from: payout.status, to: target) else {
                throw DomainError.conflict(
                    "A \(payout.status.rawValue) payout cannot be forced to \(target.rawValue).", param: "status")
            }
            if payout.livemode {
                let pending = try await core.requests.pendingResolution(payoutID: payoutID, on: work.connection)
                guard let pending, pending.status == target.rawValue else {
                    try await core.requests.requestResolution(
                        payoutID: payoutID, tenantID: tenantID, status: target.rawValue, reason: reason,
                        requestedBy: name, on: work.connection)
                    work.audit(
                        "payout.force_resolve_requested", objectType: "payout", objectID: payoutID, before: payout.json,
                        after: ["status": .string(target.rawValue), "reason": .string(reason)], tenantID: tenantID)
                    return .awaitingSecondOperator([
                        "object": "force_resolution", "payout_id": .string(payoutID),
                        "status": "awaiting_second_operator",
                        "requested_status": .string(target.rawValue), "requested_by": .string(name),
                    ])
                }
                guard pending.requestedBy != name else {
                    throw DomainError.conflict(
                        "A live payout is forced by two operators: another operator must confirm this request.",
                        code: "second_operator_required")
                }
                try await core.requests.clearResolution(payoutID: payoutID, on: work.connection)
            }
            var forced = transition
            if case .fail = transition {
                forced = .fail(code: "force_resolved", message: "Forced by an operator: " + reason)
            }
            let applied = try await PayoutSettlement(core: core).apply(
                forced, to: payout, providerPayoutID: nil, in: &work)
            work.audit(
                "payout.force_resolved", objectType: "payout", objectID: payoutID, before: payout.json,
                after: Self.with(applied.payout.json, ["reason": .string(reason)]), tenantID: tenantID)
            work.ring(core.queueBell)
            return .applied(applied.payout)
        }
    }

    static func with(_ base: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
        .object((base.objectValue ?? [:]).merging(extra) { _, new in new })
    }

    /// After `COFFER_MASTER_KEY` gains a version: every payee destination (and every payout's pinned copy)
    /// sealed under an older one is sealed again under the current one, its fingerprint recomputed.
    func resealDestinations(actor: String, correlationID: String) async throws -> Int {
        let keyring = core.vault.keyring
        let (payees, pinned) = try await core.database.platformTransaction { connection in
            (
                try await core.payees.sealedDestinations(on: connection),
                try await core.payouts.pinnedDestinations(on: connection)
            )
        }
        var count = 0
        for payee in payees where keyring.needsReencryption(payee.sealed) {
            let destination = try core.vault.open(payee.sealed, payeeID: payee.id)
            let resealed = try core.vault.seal(destination, payeeID: payee.id)
            // The fingerprint is recomputed under the current version too, so the shared-destination check
            // keeps matching once the old version is dropped.
            let fingerprint = core.vault.fingerprint(destination)
            try await core.database.tenantTransaction(payee.tenantID) { connection in
                try await core.payees.reseal(
                    payee.id, from: payee.sealed, to: resealed, fingerprint: fingerprint, on: connection)
            }
            count += 1
        }
        for payout in pinned where keyring.needsReencryption(payout.sealed) {
            let resealed = try core.vault.seal(
                try core.vault.open(payout.sealed, payeeID: payout.payeeID), payeeID: payout.payeeID)
            try await core.database.tenantTransaction(payout.tenantID) { connection in
                try await core.payouts.reseal(payout.id, from: payout.sealed, to: resealed, on: connection)
            }
        }
        core.logger.info(
            "payee destinations re-sealed",
            ["count": .int(Int64(count)), "actor": .string(actor), "correlation_id": .string(correlationID)])
        return count
    }
}
