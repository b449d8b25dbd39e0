import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Finishes what an unknown outcome left open, so nothing waits on a client that never retries:
/// - a payment still `processing` with no provider id (the create call timed out, or the process died
///   mid-call) is created again under the same provider idempotency key — the provider answers with
///   the first result, never a second charge; after `giveUpAfter` it is marked failed;
/// - a payment `capturing` has its capture sent again under the capture's key;
/// - a payment the provider knows but whose webhook never came (`processing`, `requires_action`) is
///   fetched from the provider's status API;
/// - a refund `pending` is sent again under its key, or fetched when the provider already has it.
/// Runs as a scheduled job (one replica at a time); each item is handled in its own transactions.
struct PaymentResolver: Sendable {
    let core: PaymentsCore
    /// Leave fresh work to the request that is doing it.
    var quietPeriod: Duration = .seconds(30)
    var interval: Duration = .seconds(15)
    var giveUpAfter: Duration = .seconds(24 * 3600)

    var job: ScheduledJob {
        ScheduledJob(name: "resolve-pending-payments", interval: interval) { try await run() }
    }

    struct Item: Sendable {
        let id: String
        let tenantID: String
        let livemode: Bool
        let kind: String
    }

    func run() async throws {
        let quiet = Int64(quietPeriod.components.seconds)
        let items = try await core.database.platformTransaction { connection -> [Item] in
            let payments = try await connection.query("""
                SELECT id, tenant_id, livemode, status FROM payments.payments
                WHERE status IN ('processing', 'requires_action', 'capturing') AND parked_at IS NULL
                  AND updated_at < now() - make_interval(secs => \(quiet))
                ORDER BY updated_at LIMIT 200
                """).map { row -> Item in
                let (id, tenant, livemode, status) = try row.decode((String, String, Bool, String).self)
                return Item(id: id, tenantID: tenant, livemode: livemode, kind: status)
            }
            let refunds = try await connection.query("""
                SELECT r.id, r.tenant_id, p.livemode FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id
                WHERE r.status = 'pending' AND r.parked_at IS NULL AND r.updated_at < now() - make_interval(secs => \(quiet))
                ORDER BY r.updated_at LIMIT 200
                """).map { row -> Item in
                let (id, tenant, livemode) = try row.decode((String, String, Bool).self)
                return Item(id: id, tenantID: tenant, livemode: livemode, kind: "refund")
            }
            return payments + refunds
        }
        for item in items {
            let request = RequestInfo(system: "resolver", tenantID: item.tenantID, livemode: item.livemode, logger: core.logger)
            do {
                if item.kind == "refund" {
                    try await resolveRefund(item.id, request: request)
                } else {
                    try await resolvePayment(item.id, request: request)
                }
            } catch {
                // One item's failure never stops the round: it goes to the back, or is parked if it cannot pass.
                request.logger.warning("could not resolve yet", ["object_id": .string(item.id), "error": .string(String(describing: error))])
                await BackgroundFailures(database: core.database).record(item.kind == "refund" ? .refunds : .payments, id: item.id,
                                                                         tenantID: item.tenantID, error: error, logger: request.logger)
            }
        }
    }

    private func resolvePayment(_ paymentID: String, request: RequestInfo) async throws {
        let service = PaymentService(core: core)
        let payment = try await service.load(paymentID, tenantID: request.tenantID, livemode: nil)
        guard let connector = try await core.connector(for: payment) else { return }
        switch payment.status {
        case .processing where payment.providerPaymentID == nil:
            if payment.createdAt.adding(.seconds(giveUpAfter.components.seconds)) < Date() {
                try await giveUp(payment, request: request)
                return
            }
            request.logger.notice("resolving a payment the provider never answered for", ["payment_id": .string(paymentID)])
            _ = try await service.resumeCreate(paymentID, request: request)
        case .capturing:
            request.logger.notice("resuming an interrupted capture", ["payment_id": .string(paymentID)])
            _ = try await service.callCapture(payment, request: request)
        case .processing, .requiresAction:
            guard let providerID = payment.providerPaymentID else { return }
            let state = try await core.gateway.call("fetch_payment", tenantID: payment.tenantID, connector: connector) { adapter async throws(ProviderError) in
                try await adapter.fetchPayment(providerID, connector: connector)
            }
            try await core.database.tenantTransaction(payment.tenantID) { connection in
                guard let locked = try await PaymentRecord.load(paymentID, tenantID: payment.tenantID, forUpdate: true, on: connection) else { return }
                let updated = try await core.paymentEffects.apply(ProviderObservation(state, source: "status_fetch"), to: locked,
                                                                  correlationID: request.correlationID, logger: request.logger, on: connection)
                if updated.updatedAt == locked.updatedAt {
                    try await connection.execute("UPDATE payments.payments SET updated_at = now() WHERE id = \(paymentID)")
                }
            }
            core.outbox.nudge()
        default:
            return
        }
    }

    private func giveUp(_ payment: PaymentRecord, request: RequestInfo) async throws {
        request.logger.error("giving up on a payment the provider never confirmed", ["payment_id": .string(payment.id)])
        try await core.database.tenantTransaction(payment.tenantID) { connection in
            guard let locked = try await PaymentRecord.load(payment.id, tenantID: payment.tenantID, forUpdate: true, on: connection) else { return }
            let observation = ProviderObservation(providerPaymentID: nil,
                                                  status: .failed(code: "provider_unreachable",
                                                                  message: "The provider never confirmed this payment."),
                                                  amountCaptured: nil, amountCapturable: nil, currency: nil, source: "resolver")
            try await core.paymentEffects.apply(observation, to: locked, correlationID: request.correlationID, logger: request.logger,
                                                on: connection)
        }
        core.outbox.nudge()
    }

    private func resolveRefund(_ refundID: String, request: RequestInfo) async throws {
        let refunds = RefundService(core: core)
        let refund = try await refunds.load(refundID, tenantID: request.tenantID, livemode: nil)
        let payment = try await PaymentService(core: core).load(refund.paymentID, tenantID: request.tenantID, livemode: nil)
        guard refund.status == .pending else { return }
        if refund.providerRefundID == nil {
            request.logger.notice("resending a refund the provider never answered for", ["refund_id": .string(refundID)])
            _ = try await refunds.send(refund, payment: payment, request: request)
            return
        }
        guard let connector = try await core.connector(for: payment), let providerRefundID = refund.providerRefundID else { return }
        let state = try await core.gateway.call("fetch_refund", tenantID: payment.tenantID, connector: connector) { adapter async throws(ProviderError) in
            try await adapter.fetchRefund(providerRefundID, connector: connector)
        }
        try await core.database.tenantTransaction(payment.tenantID) { connection in
            guard let lockedPayment = try await PaymentRecord.load(payment.id, tenantID: payment.tenantID, forUpdate: true, on: connection),
                  let lockedRefund = try await RefundRecord.load(refundID, tenantID: payment.tenantID, forUpdate: true, on: connection)
            else { return }
            let (updated, _) = try await core.refundEffects.apply(.init(status: state.status, providerRefundID: state.providerRefundID,
                                                                        source: "status_fetch"),
                                                                  refund: lockedRefund, payment: lockedPayment,
                                                                  correlationID: request.correlationID, logger: request.logger, on: connection)
            if updated.status == .pending {
                try await connection.execute("UPDATE payments.refunds SET updated_at = now() WHERE id = \(refundID)")
            }
        }
        core.outbox.nudge()
    }

}
