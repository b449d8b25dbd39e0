import Foundation
import Platform
import Postgres
import Shared
import Synchronization

/// Captures automatic-capture payments the provider only authorized (a PayPal order the buyer approved
/// waits for the merchant's capture). Claims them with a lease (`auto_capture_at` pushed a minute ahead,
/// `FOR UPDATE SKIP LOCKED`), so with several replicas each is captured by one; the capture carries the
/// payment's capture idempotency key, so even a lease that runs out never captures twice.
final class AutoCaptureWorker: Service {
    let name = "auto-capture"
    private let core: PaymentsCore
    let doorbell: Doorbell
    private let stopping = Atomic<Bool>(false)

    init(core: PaymentsCore, doorbell: Doorbell) {
        self.core = core
        self.doorbell = doorbell
    }

    func run() async throws {
        while !stopping.load(ordering: .relaxed) {
            var worked = false
            do {
                worked = try await round()
            } catch {
                core.logger.warning("auto-capture round failed", ["error": .string(String(describing: error))])
            }
            if !worked { await doorbell.wait(timeout: .seconds(1)) }
        }
    }

    func shutdown() async {
        stopping.store(true, ordering: .relaxed)
        doorbell.ring()
    }

    func round() async throws -> Bool {
        let claimed = try await core.database.platformTransaction { connection in
            try await connection.query("""
                UPDATE payments.payments p SET auto_capture_at = now() + interval '60 seconds'
                WHERE p.id IN (
                    SELECT id FROM payments.payments
                    WHERE auto_capture_at <= now() AND status = 'capturing' AND parked_at IS NULL
                    ORDER BY auto_capture_at LIMIT 50 FOR UPDATE SKIP LOCKED)
                RETURNING p.id, p.tenant_id, p.livemode
                """).map { try $0.decode((String, String, Bool).self) }
        }
        let service = PaymentService(core: core)
        for (paymentID, tenantID, livemode) in claimed {
            let request = RequestInfo(system: "auto-capture", tenantID: tenantID, livemode: livemode, logger: core.logger)
            do {
                let payment = try await service.load(paymentID, tenantID: tenantID, livemode: nil)
                guard payment.status == .capturing else { continue }
                request.logger.info("capturing an authorized automatic-capture payment", ["payment_id": .string(paymentID)])
                _ = try await service.callCapture(payment, request: request)
            } catch {
                request.logger.warning("auto-capture failed; retried when the lease ends", [
                    "payment_id": .string(paymentID), "error": .string(String(describing: error))])
                await BackgroundFailures(database: core.database).record(.payments, id: paymentID, tenantID: tenantID, error: error,
                                                                         logger: request.logger)
            }
        }
        return !claimed.isEmpty
    }
}
