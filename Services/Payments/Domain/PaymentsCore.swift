import Contracts
import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// What payments' domain services share: the unit of work, the stores, the provider gateway, the
/// connectors (opened, cached), and the bells background loops wait on.
struct PaymentsCore: Sendable {
    let work: UnitOfWork
    let gateway: ProviderGateway
    let directory: ConnectorDirectory
    let providerTimeout: Duration
    let logger: Logger
    /// Rung after payment news: an automatic-capture payment may now wait for its capture.
    let captureBell: Doorbell
    /// Rung when a provider event waits (for its payment, or for the provider's confirmation).
    let confirmationBell: Doorbell

    let payments = PaymentStore()
    let refunds = RefundStore()
    let ledger = LedgerStore()
    let disputes = DisputeStore()
    let tenants = TenantStore()
    let payees = PayeeCopyStore()
    let awaiting = ProviderEventStore()

    var database: PostgresPool { work.database }
    var paymentEffects: PaymentEffects { PaymentEffects(core: self) }
    var refundEffects: RefundEffects { RefundEffects(core: self) }

    /// A payment of the request's tenant in its key's mode: another tenant's, or the other mode's, is not found.
    func payment(_ id: String, _ request: RequestInfo, forUpdate: Bool = false, on connection: PostgresConnection)
        async throws -> Payment
    {
        guard CofferID.isValid(id, prefix: .payment),
            let payment = try await payments.load(id, tenantID: request.tenantID, forUpdate: forUpdate, on: connection),
            payment.livemode == request.livemode
        else { throw DomainError.notFound("No such payment: \(id)", param: "id") }
        return payment
    }

    /// The tenant's active connectors of one mode, opened for provider calls, by priority.
    func connectors(tenantID: String, livemode: Bool) async throws -> [ProviderConnector] {
        try await directory.active(tenantID: tenantID, livemode: livemode).map(providerConnector)
    }

    /// The connector a payment was made through, opened (it may since have been disabled: calls about
    /// existing payments still go through it).
    func connector(for payment: Payment) async throws -> ProviderConnector? {
        guard let connectorID = payment.connectorID else { return nil }
        return try await directory.connector(id: connectorID, tenantID: payment.tenantID).map(providerConnector)
    }

    /// A connector of the tenant by id, opened, whatever its status.
    func connector(id connectorID: String, tenantID: String) async throws -> ProviderConnector? {
        try await directory.connector(id: connectorID, tenantID: tenantID).map(providerConnector)
    }

    private func providerConnector(_ connector: OpenedConnector) -> ProviderConnector {
        ProviderConnector(
            connectorID: connector.connectorID, provider: connector.provider, livemode: connector.livemode,
            apiBaseURL: connector.apiBaseURL
                ?? ProviderHosts.official(connector.provider, livemode: connector.livemode),
            credentials: connector.credentials, timeout: providerTimeout)
    }

    static func providerKey(_ objectID: String, _ operation: String? = nil) -> String {
        "coffer-" + objectID + (operation.map { "-" + $0 } ?? "")
    }
}

extension Work {
    /// `payee.credited` / `payee.debited`, ordered per payee so payouts applies them in sequence.
    mutating func payeeChange(
        _ type: String, payeeID: String, tenantID: String, livemode: Bool, amount: Int64, currency: Currency,
        reason: String, sourceID: String, paymentID: String?
    ) throws {
        guard amount > 0 else { return }
        try publish(
            type,
            payload: PayeeBalanceChange(
                payeeID: PayeeID(trusted: payeeID), tenantID: TenantID(trusted: tenantID), livemode: livemode,
                money: Money(minorUnits: amount, currency: currency), reason: reason, sourceID: sourceID,
                paymentID: paymentID),
            orderingKey: "payee:" + payeeID, tenantID: tenantID)
    }

    /// A ledger posting, written with the unit's final round trip.
    mutating func post(_ posting: LedgerPosting, to ledger: LedgerStore) {
        write(ledger.postQueries(posting))
    }
}
