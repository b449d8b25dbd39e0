import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// What payouts' domain services share: the unit of work, the stores, the vault, the settings.
struct PayoutsCore: Sendable {
    let work: UnitOfWork
    let vault: DestinationVault
    let configuration: PayoutsConfiguration
    let logger: Logger
    /// Rung when a payout becomes due, so a worker claims it without waiting for its poll.
    let queueBell: Doorbell

    let payouts = PayoutStore()
    let payees = PayeeStore()
    let balances = BalanceStore()
    let holds = HoldStore()
    let requests = OperatorRequestStore()
    let firstRuns = FirstRunStore()
    let batches = BatchStore()
    let reconciliation = ReconciliationStore()

    var database: PostgresPool { work.database }

    /// The tenant's settings from the tenancy replica.
    func settings(_ tenantID: String, on connection: PostgresConnection) async throws -> TenantSettings {
        guard let settings = try await payees.settings(tenantID: tenantID, on: connection) else {
            throw DomainError.notFound("No such tenant.")
        }
        return settings
    }

    /// A payout of the request's tenant in its key's mode: another tenant's, or the other mode's, is not found.
    func payout(_ id: String, _ request: RequestInfo, forUpdate: Bool = false, on connection: PostgresConnection)
        async throws -> Payout
    {
        guard CofferID.isValid(id, prefix: .payout),
            let payout = try await payouts.load(id, tenantID: request.tenantID, forUpdate: forUpdate, on: connection),
            payout.livemode == request.livemode
        else { throw DomainError.notFound("No such payout: \(id)", param: "id") }
        return payout
    }

    /// A payee of the request's tenant in its key's mode.
    func payee(
        _ id: String, _ request: RequestInfo, forUpdate: Bool = false, param: String = "id",
        on connection: PostgresConnection
    ) async throws -> Payee {
        guard CofferID.isValid(id, prefix: .payee),
            let payee = try await payees.load(id, tenantID: request.tenantID, forUpdate: forUpdate, on: connection),
            payee.livemode == request.livemode
        else { throw DomainError.notFound("No such payee: \(id)", param: param) }
        return payee
    }
}

extension Work {
    /// `payout.<what>` with the payout as it now stands.
    mutating func publish(_ type: String, _ payout: Payout) throws {
        try publish(type, payload: PayoutEventData(payout), orderingKey: payout.orderingKey, tenantID: payout.tenantID)
    }
}

extension PayoutEventData {
    init(_ payout: Payout) {
        self.init(
            payoutID: PayoutID(trusted: payout.id), payeeID: PayeeID(trusted: payout.payeeID),
            tenantID: TenantID(trusted: payout.tenantID),
            livemode: payout.livemode, money: payout.money, status: payout.status.rawValue, purpose: payout.purpose,
            failureCode: payout.failureCode, failureMessage: payout.failureMessage, destinationCheck: payout.isTest,
            approvalReasons: payout.approvalReasons, holdReasons: payout.holdReasons, batchID: payout.batchID,
            providerPayoutID: payout.providerPayoutID)
    }
}

extension PayoutsCore {
    /// Clears one gate (`reason`: a hold or an approval reason) from the payouts that waited on it, in
    /// `work`: `PayoutLifecycle` decides where each goes, each is saved, and a payout that reaches the
    /// queue, or a hold it was not in, is announced. Returns the payouts as they now are.
    func clear(_ reason: String, from waiting: [Payout], in work: inout Work) throws -> [Payout] {
        var moved: [Payout] = []
        for var payout in waiting {
            guard
                case .success(let (status, gates)) = PayoutLifecycle.next(
                    payout.status, payout.gates, on: .cleared(reason: reason), now: Date())
            else { continue }
            let before = payout.status
            payout.status = status
            payout.approvalReasons = gates.approvalReasons
            payout.holdReasons = gates.holdReasons
            work.write(payouts.saveQuery(payout, nextAttemptAt: Date()))
            if status == .queued { try work.publish(PayoutEventType.queued, payout) }
            if status == .held, before != .held { try work.publish(PayoutEventType.held, payout) }
            moved.append(payout)
        }
        return moved
    }
}
