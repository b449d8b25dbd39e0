import Foundation
import Platform
import Postgres
import Shared

/// Captures automatic-capture payments the provider only authorized (a PayPal order the buyer approved
/// waits for the merchant's capture). Claims them with a lease (`auto_capture_at` pushed a minute ahead,
/// `FOR UPDATE SKIP LOCKED`), so with several replicas each is captured by one; the capture carries the
/// payment's capture idempotency key, so even a lease that runs out never captures twice.
struct AutoCaptureWorker: Sendable {
    let core: PaymentsCore

    var loop: PollingLoop {
        PollingLoop(name: "auto-capture", bell: core.captureBell, idle: .seconds(1), logger: core.logger) {
            try await round() ? .busy : .idle
        }
    }

    func round() async throws -> Bool {
        let claimed = try await core.database.platformTransaction { connection in
            try await core.payments.claimAutoCaptures(on: connection)
        }
        let payments = Payments(core: core)
        for item in claimed {
            let request = RequestInfo(
                system: "auto-capture", tenantID: item.tenantID, livemode: item.livemode, logger: core.logger)
            do {
                let payment = try await payments.load(item.id, tenantID: item.tenantID, livemode: nil)
                guard payment.status == .capturing else { continue }
                request.logger.info(
                    "capturing an authorized automatic-capture payment", ["payment_id": .string(item.id)])
                _ = try await payments.callCapture(payment, request)
            } catch {
                request.logger.warning(
                    "auto-capture failed; retried when the lease ends",
                    [
                        "payment_id": .string(item.id), "error": .string(String(describing: error)),
                    ])
                await BackgroundFailures(database: core.database).record(
                    .payments, id: item.id, tenantID: item.tenantID, error: error,
                    logger: request.logger)
            }
        }
        return !claimed.isEmpty
    }
}
