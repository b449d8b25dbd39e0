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
/// Runs as a scheduled job (one replica at a time); each item is handled in its own units of work.
struct PaymentResolver: Sendable {
    let core: PaymentsCore
    /// Leave fresh work to the request that is doing it.
    var quietPeriod: Duration = .seconds(30)
    var interval: Duration = .seconds(15)
    var giveUpAfter: Duration = .seconds(24 * 3600)

    var job: ScheduledJob {
        ScheduledJob(name: "resolve-pending-payments", interval: interval) { try await run() }
    }

    func run() async throws {
        let items = try await core.database.platformTransaction { connection in
            try await core.payments.unsettled(quiet: quietPeriod, on: connection)
        }
        for item in items {
            let request = RequestInfo(
                system: "resolver", tenantID: item.tenantID, livemode: item.livemode, logger: core.logger)
            do {
                if item.kind == "refund" {
                    try await resolveRefund(item.id, request)
                } else {
                    try await resolvePayment(item.id, request)
                }
            } catch {
                // One item's failure never stops the round: it goes to the back, or is parked if it cannot pass.
                request.logger.warning(
                    "could not resolve yet",
                    ["object_id": .string(item.id), "error": .string(String(describing: error))])
                await BackgroundFailures(database: core.database).record(
                    item.kind == "refund" ? .refunds : .payments, id: item.id,
                    tenantID: item.tenantID, error: error, logger: request.logger)
            }
        }
    }

    private func resolvePayment(_ paymentID: String, _ request: RequestInfo) async throws {
        let payments = Payments(core: core)
        let payment = try await payments.load(paymentID, tenantID: request.tenantID, livemode: nil)
        guard let connector = try await core.connector(for: payment) else { return }
        switch payment.status {
        case .processing where payment.providerPaymentID == nil:
            if payment.createdAt.adding(.seconds(giveUpAfter.components.seconds)) < Date() {
                return try await giveUp(payment, request)
            }
            request.logger.notice(
                "resolving a payment the provider never answered for", ["payment_id": .string(paymentID)])
            _ = try await payments.resumeCreate(paymentID, request, answer: nil)
        case .capturing:
            request.logger.notice("resuming an interrupted capture", ["payment_id": .string(paymentID)])
            _ = try await payments.callCapture(payment, request)
        case .processing, .requiresAction:
            guard let providerID = payment.providerPaymentID else { return }
            let state = try await core.gateway.call("fetch_payment", tenantID: payment.tenantID, connector: connector) {
                adapter async throws(ProviderError) in
                try await adapter.fetchPayment(providerID, connector: connector)
            }
            _ = try await core.work.run(request.work) { work in
                guard
                    let locked = try await core.payments.load(
                        paymentID, tenantID: payment.tenantID, forUpdate: true, on: work.connection)
                else {
                    return
                }
                let updated = try await core.paymentEffects.apply(
                    ProviderObservation(state, source: "status_fetch"), to: locked,
                    logger: request.logger, in: &work)
                if updated.updatedAt == locked.updatedAt { work.write(core.payments.touchQuery(paymentID)) }
            }
        default:
            return
        }
    }

    private func giveUp(_ payment: Payment, _ request: RequestInfo) async throws {
        request.logger.error("giving up on a payment the provider never confirmed", ["payment_id": .string(payment.id)])
        _ = try await core.work.run(request.work) { work in
            guard
                let locked = try await core.payments.load(
                    payment.id, tenantID: payment.tenantID, forUpdate: true, on: work.connection)
            else {
                return
            }
            let observation = ProviderObservation(
                providerPaymentID: nil,
                status: .failed(code: "provider_unreachable", message: "The provider never confirmed this payment."),
                amountCaptured: nil, amountCapturable: nil, currency: nil, source: "resolver")
            try await core.paymentEffects.apply(observation, to: locked, logger: request.logger, in: &work)
        }
    }

    private func resolveRefund(_ refundID: String, _ request: RequestInfo) async throws {
        let refunds = Refunds(core: core)
        let refund = try await refunds.load(refundID, tenantID: request.tenantID, livemode: nil)
        let payment = try await Payments(core: core).load(refund.paymentID, tenantID: request.tenantID, livemode: nil)
        guard refund.status == .pending else { return }
        if refund.providerRefundID == nil {
            request.logger.notice(
                "resending a refund the provider never answered for", ["refund_id": .string(refundID)])
            _ = try await refunds.send(refund, payment: payment, request)
            return
        }
        guard let connector = try await core.connector(for: payment), let providerRefundID = refund.providerRefundID
        else { return }
        let state = try await core.gateway.call("fetch_refund", tenantID: payment.tenantID, connector: connector) {
            adapter async throws(ProviderError) in
            try await adapter.fetchRefund(providerRefundID, connector: connector)
        }
        _ = try await core.work.run(request.work) { work in
            guard
                let lockedPayment = try await core.payments.load(
                    payment.id, tenantID: payment.tenantID, forUpdate: true, on: work.connection),
                let lockedRefund = try await core.refunds.load(
                    refundID, tenantID: payment.tenantID, forUpdate: true, on: work.connection)
            else { return }
            let (updated, _) = try await core.refundEffects.apply(
                .init(
                    status: state.status, providerRefundID: state.providerRefundID,
                    source: "status_fetch"),
                refund: lockedRefund, payment: lockedPayment, logger: request.logger, in: &work)
            if updated.status == .pending { work.write(core.refunds.touchQuery(refundID)) }
        }
    }
}
